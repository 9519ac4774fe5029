import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/repo-modules.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadSigningKey, signOrganizerToken } from '../../local/signing-key.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'signing-key-test-'));
  return () => rm(dataDir, { recursive: true, force: true });
});

const verify = async (token: string) => {
  const jwks = JSON.parse(await readFile(join(dataDir, 'auth', 'jwks.json'), 'utf8'));
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    algorithms: ['RS256'],
  });
};

describe('local issuer', () => {
  it('makes a key pair on first use, keeps the private key 0600 and publishes the public JWKS', async () => {
    const key = await loadSigningKey(dataDir);
    const privateKeyFile = join(dataDir, 'auth', 'private-key.json');
    expect((await stat(privateKeyFile)).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(await readFile(key.jwksFile, 'utf8'));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
    expect((await loadSigningKey(dataDir)).kid).toBe(key.kid);
  });

  it('signs a Cognito-like ID token with the organizers group, valid for 12 hours', async () => {
    const token = await signOrganizerToken({ dataDir });
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: (await loadSigningKey(dataDir)).kid });
    expect(payload).toMatchObject({
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      token_use: 'id',
      'cognito:groups': ['organizers'],
    });
    expect(payload.sub).toBeTruthy();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(12 * 60 * 60);
  });

  it('puts the given groups in the token, and leaves the claim out when there are none', async () => {
    const withGroups = await verify(
      await signOrganizerToken({ dataDir, groups: ['a', 'b'], expiresIn: '5m' }),
    );
    expect(withGroups.payload['cognito:groups']).toEqual(['a', 'b']);
    expect((withGroups.payload.exp ?? 0) - (withGroups.payload.iat ?? 0)).toBe(300);
    const without = await verify(await signOrganizerToken({ dataDir, groups: [] }));
    expect(without.payload).not.toHaveProperty('cognito:groups');
  });

  it('prints exactly one token line from the CLI (`npm run -s token`)', async () => {
    await loadSigningKey(dataDir); // as `npm start` does: the CLI only reads the key
    const run = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'local/token.ts', ...args],
        {
          cwd: repoRoot,
          env: { ...process.env, DATA_DIR: dataDir },
        },
      );
      const lines = stdout.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(1);
      return lines[0] ?? '';
    };
    const standard = await run();
    expect(decodeProtectedHeader(standard).alg).toBe('RS256');
    expect((await verify(standard)).payload['cognito:groups']).toEqual(['organizers']);
    expect((await verify(await run('--groups', 'a,b'))).payload['cognito:groups']).toEqual(['a', 'b']);
    expect((await verify(await run('--groups', ''))).payload).not.toHaveProperty('cognito:groups');
  });
});
