import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/local-server.js';

/**
 * The README's shell sessions with the API, run as a new user pastes them (bash and curl), against
 * `npm start`: only the address differs (the test server's free port instead of 3000).
 */
const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const sessions = [
  ...readme.slice(readme.indexOf('A short session with the API')).matchAll(/```sh\n([\s\S]*?)```/g),
]
  .map((match) => match[1] ?? '')
  .filter((block) => block.includes('curl'));

/** The sessions are bash with curl: the project itself needs neither, so without them this test is skipped. */
const shellTools = ['bash', 'curl'].every((tool) => spawnSync(tool, ['--version']).status === 0);

let server: RunningServer;

beforeAll(async () => {
  if (shellTools) server = await startServer({ DEMO: '0' });
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('the README’s sessions with the API', () => {
  it.skipIf(!shellTools)(
    'run as pasted: every answer is JSON, none a problem',
    async () => {
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      const script = sessions.join('\n').replaceAll('localhost:3000', server.apiUrl.replace('http://', ''));
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: new URL('../../', import.meta.url),
        env: { ...process.env, DATA_DIR: server.dataDir },
        timeout: 60_000,
      });
      const lines = stdout.split('\n').filter((line) => line.trim() !== '');
      const conference = lines.shift();
      expect(conference).toMatch(/^conference [\w-]{8,}$/);
      const answers = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const answer of answers) expect(answer, JSON.stringify(answer)).not.toHaveProperty('status', 404);
      for (const answer of answers) expect(answer).not.toHaveProperty('type');
      expect(answers[0]).toMatchObject({ status: 'registered' });
      expect(answers[1]).toMatchObject({ givenName: 'Ana', familyName: 'Pérez', status: 'registered' });
      // Projections: the session waits a second, which a loaded machine may not honour, so 0 or 1.
      const conferenceId = conference?.split(' ')[1];
      expect(answers[2]).toMatchObject({ conferenceId, capacity: 600 });
      expect([0, 1]).toContain(answers[2]?.registered);
      expect(answers[3]).toHaveProperty('sessionId');
      expect(answers[4]).toMatchObject({ status: 'cancelled' });
      expect(answers[5]).toMatchObject({ conferenceId, timezone: 'America/Mexico_City' });
    },
    90_000,
  );
});
