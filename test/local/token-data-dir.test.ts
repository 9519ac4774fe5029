/**
 * `npm run token` and the server's DATA_DIR: a token made with another DATA_DIR is refused with a 401
 * whose detail says its key is unknown here (and why that may be), and `token` reads the server's key
 * without ever creating a data directory of its own.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/repo-modules.js';
import { signOrganizerToken } from '../../local/signing-key.js';
import { expectProblem, invoke, prepareProofEnvironment, routeNamed } from '../proof/harness.js';
import { type Handler, type HandlerEnvironment, importHandler } from '../support/handler-environment.js';

let harness: HandlerEnvironment;
let elsewhere: string;
let createConference: Handler;

beforeAll(async () => {
  harness = await prepareProofEnvironment('token-data-dir');
  elsewhere = await mkdtemp(join(tmpdir(), 'token-elsewhere-'));
  createConference = await importHandler(routeNamed('CreateConference').entry);
});

afterAll(async () => {
  await rm(elsewhere, { recursive: true, force: true });
  await harness?.dispose();
});

const runToken = (dataDir: string) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/token.ts'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir },
  });

const createWith = (token: string) =>
  invoke(
    createConference,
    routeNamed('CreateConference'),
    {},
    {
      body: {},
      headers: { authorization: `Bearer ${token}` },
    },
  );

describe('a token of another DATA_DIR', () => {
  it('is a 401 whose detail says the key is unknown here and names DATA_DIR', async () => {
    const foreign = await signOrganizerToken({ dataDir: elsewhere });
    const answer = await createWith(foreign);
    expectProblem(answer, 401);
    expect(String(answer.json.detail)).toContain("The token's signing key is unknown here");
    expect(String(answer.json.detail)).toContain('another DATA_DIR');
    expect(String(answer.json.detail)).toContain(harness.dataDir);
  });

  it('differs from a token of this DATA_DIR, which gets past authentication', async () => {
    const { stdout } = await runToken(harness.dataDir);
    const answer = await createWith(stdout.trim());
    // An empty body: past the token, the body is what is refused.
    expectProblem(answer, 400);
  });

  it('keeps the plain detail for a token that is no JWT of ours at all', async () => {
    const answer = await createWith('not-a-jwt');
    expectProblem(answer, 401);
    expect(answer.json.detail).toBe('The token is not valid');
  });
});

describe('npm run token', () => {
  it('creates no data directory: where there is no key it fails, saying where the key would be', async () => {
    const missing = join(elsewhere, 'never-started');
    const failed = await runToken(missing).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    expect(failed?.stderr).toContain(`no local signing key in DATA_DIR ${missing}`);
    expect(failed?.stderr).toContain('npm start');
    expect(existsSync(missing)).toBe(false);
  });
});
