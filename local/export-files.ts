import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type { ExportFiles } from '../functions/shared/runtime/adapters.js';

/**
 * The local stand-in for the exports bucket and its presigned URLs: a file under DATA_DIR/exports in a
 * folder of 256 random bits, served by the local HTTP server at `/exports/<folder>/<name>` to anyone
 * who has the link, for a day (as the bucket's lifecycle rule keeps objects), then deleted.
 */
export const EXPORTS_PATH = '/exports/';
const KEEP_MS = 24 * 60 * 60 * 1000;
const FOLDER = /^[A-Za-z0-9_-]{43}$/;
const NAME = /^[\w.-]{1,128}$/;
const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8; header=present',
  '.pdf': 'application/pdf',
};

/** Deletes the exports older than a day. */
const sweep = async (directory: string, now: number) => {
  for (const folder of await readdir(directory).catch(() => [] as string[])) {
    const path = join(directory, folder);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
    if (now - mtimeMs > KEEP_MS) await rm(path, { recursive: true, force: true });
  }
};

/** Beside each export, the id of its conference (never served: served names do not start with a dot). */
const CONFERENCE_FILE = '.conference';

export const localExportFiles = (directory: string): ExportFiles => ({
  async publish(file, { baseUrl }) {
    if (!NAME.test(file.name) || file.name.startsWith('.'))
      throw new Error(`Not a file name for an export: ${file.name}`);
    await sweep(directory, Date.now());
    const folder = randomBytes(32).toString('base64url');
    await mkdir(join(directory, folder), { recursive: true });
    await writeFile(join(directory, folder, CONFERENCE_FILE), file.conferenceId, { flag: 'wx' });
    await writeFile(join(directory, folder, file.name), file.body, { flag: 'wx' });
    return new URL(`${EXPORTS_PATH.slice(1)}${folder}/${file.name}`, baseUrl).toString();
  },

  async deleteConference(conferenceId) {
    let deleted = 0;
    for (const folder of await readdir(directory).catch(() => [] as string[])) {
      const owner = await readFile(join(directory, folder, CONFERENCE_FILE), 'utf8').catch(() => undefined);
      if (owner !== conferenceId) continue;
      await rm(join(directory, folder), { recursive: true, force: true });
      deleted++;
    }
    return deleted;
  },

  async create(file, { baseUrl }) {
    if (!NAME.test(file.name)) throw new Error(`Not a file name for an export: ${file.name}`);
    await sweep(directory, Date.now());
    const folder = randomBytes(32).toString('base64url');
    await mkdir(join(directory, folder), { recursive: true });
    await writeFile(join(directory, folder, CONFERENCE_FILE), file.conferenceId);
    const body = createWriteStream(join(directory, folder, file.name), { flags: 'wx' });
    const closed = new Promise<void>((resolve, reject) => {
      body.once('close', resolve);
      body.once('error', reject);
    });
    closed.catch(() => {});
    return {
      body,
      async finish() {
        body.end();
        await closed;
        return {
          location: new URL(`${EXPORTS_PATH.slice(1)}${folder}/${file.name}`, baseUrl).toString(),
          expiresAt: new Date(Date.now() + KEEP_MS),
        };
      },
      async abort() {
        body.destroy();
        await rm(join(directory, folder), { recursive: true, force: true });
      },
    };
  },
});

/** Answers GET /exports/<folder>/<name>: the file while it is kept, else 404. */
export const serveExport = async (
  directory: string,
  rawPath: string,
  response: ServerResponse,
): Promise<void> => {
  const [folder = '', name = '', ...rest] = rawPath.slice(EXPORTS_PATH.length).split('/');
  const path = join(directory, folder, name);
  const found =
    rest.length === 0 && FOLDER.test(folder) && NAME.test(name) && !name.startsWith('.')
      ? await stat(path).catch(() => undefined)
      : undefined;
  if (!found?.isFile() || Date.now() - found.mtimeMs > KEEP_MS) {
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No such export',
    });
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(body);
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    'content-length': found.size,
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'private, no-store',
  });
  createReadStream(path).pipe(response);
};
