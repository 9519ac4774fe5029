/**
 * `npm start` stopped the way a terminal stops it: Ctrl-C sends SIGINT to the whole process group (npm,
 * node and DynamoDB Local's Java), and npm forwards what it got to node once more; a service manager sends
 * SIGTERM the same way. One signal must stop everything, exit 0 without "again", and only once DynamoDB
 * Local has exited, so that a quick restart finds its port free.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFreePort, isPortFree } from '../../local/ports.js';
import { repoRoot } from '../../local/repo-modules.js';
import { dynamoDbLocalProcesses } from '../support/processes.js';

/** `npm` as the test runs under it (npm_execpath), else the one on PATH. */
const npmCommand = (): [string, string[]] => {
  const npmCli = process.env.npm_execpath;
  return npmCli?.endsWith('.js') ? [process.execPath, [npmCli, 'start']] : ['npm', ['start']];
};

const startInOwnGroup = async () => {
  const dynamoDbPort = await findFreePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lc-signals-'));
  const [command, args] = npmCommand();
  const child = spawn(command, args, {
    cwd: repoRoot,
    // Its own process group, as a terminal gives a foreground job: the test signals the whole group.
    detached: true,
    env: {
      ...process.env,
      PORT: '0',
      DYNAMODB_PORT: String(dynamoDbPort),
      DATA_DIR: dataDir,
      DEMO: '0',
      RETENTION: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 90_000;
  while (!output.includes('Press Ctrl-C to stop')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      throw new Error(`npm start did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { group: child.pid ?? 0, dynamoDbPort, dataDir, exited, output: () => output };
};

describe('npm start stopped by one signal to its process group', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: exits 0, without "again", after DynamoDB Local has stopped',
    async (signal) => {
      const started = await startInOwnGroup();
      try {
        expect(dynamoDbLocalProcesses(started.dynamoDbPort)).toHaveLength(1);
        process.kill(-started.group, signal);
        const { code, signal: killedBy } = await started.exited;
        // npm has exited: by then DynamoDB Local must be gone and its port free.
        expect(dynamoDbLocalProcesses(started.dynamoDbPort)).toEqual([]);
        expect(await isPortFree(started.dynamoDbPort)).toBe(true);
        expect({ code, killedBy }, started.output()).toEqual({ code: 0, killedBy: null });
        expect(started.output()).toContain(`${signal}: stopping the local stack...`);
        expect(started.output()).toContain('Stopped.');
        expect(started.output()).not.toMatch(/again/);
      } finally {
        try {
          process.kill(-started.group, 'SIGKILL');
        } catch {
          // the group is gone, as it should be
        }
        rmSync(started.dataDir, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
