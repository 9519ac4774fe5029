import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../local/ports.js';
import { dynamoDbLocalProcesses } from './processes.js';

export interface RunningServer {
  apiUrl: string;
  token: string;
  dataDir: string;
  dynamoDbPort: number;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `npm start`'s program as a separate process (free ports, a fresh DATA_DIR) and waits for its
 * banner: end-to-end tests talk to it over HTTP only, as a user would.
 */
export const startServer = async (env: Record<string, string> = {}): Promise<RunningServer> => {
  const port = await findFreePort();
  const dynamoDbPort = await findFreePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lc-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoDbPort),
      DATA_DIR: dataDir,
      DEMO: '0',
      // Test conferences are held in 2015: the daily retention would erase their delegates mid-test.
      RETENTION: '0',
      ...env,
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 90_000;
  while (!/Press Ctrl-C to stop/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`npm start did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const token = output.match(/^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m)?.[1];
  if (!token) throw new Error(`No organizer token in the banner:\n${output}`);

  return {
    apiUrl: `http://127.0.0.1:${port}`,
    token,
    dataDir,
    dynamoDbPort,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      const leaked = dynamoDbLocalProcesses(dynamoDbPort);
      if (leaked.length > 0) throw new Error(`DynamoDB Local left running: ${leaked.join('\n')}`);
    },
  };
};

/** Polls until `check` returns a value (not undefined) or the time is up. */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
