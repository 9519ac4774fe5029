import { createHash } from 'node:crypto';
import { PAGE_SCRIPTS, type PageScript, pageScriptFile } from '../pages/scripts.js';
import { readBundledFile } from '../shared/http/bundled-files.js';
import { notFound } from '../shared/http/errors.js';
import { httpRoute, noneMatchHolds } from '../shared/http/http.js';

const scripts = new Map<string, { body: string; etag: string }>();

/** `GET /pages/{script}`: a page's bundled script (register.js, confirm.js, manage.js), read once. */
export const handler = httpRoute('public', async (request) => {
  const name = (request.pathParameters.script ?? '').replace(/\.js$/, '');
  if (!(PAGE_SCRIPTS as readonly string[]).includes(name)) throw notFound('No such page script');
  let script = scripts.get(name);
  if (!script) {
    const body = readBundledFile(pageScriptFile(name as PageScript)).toString('utf8');
    script = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    scripts.set(name, script);
  }
  const headers = { etag: script.etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
  if (noneMatchHolds(request.header('if-none-match'), script.etag)) return { status: 304, headers };
  return {
    status: 200,
    body: script.body,
    headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8' },
  };
});
