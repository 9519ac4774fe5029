import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../infra/definitions/tables.js';
import { localClientConfig } from '../../local/aws-config.js';
import { createTables } from '../../local/create-tables.js';
import { SHARED_DB_FILE, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { findFreePort } from '../../local/ports.js';
import { repoRoot } from '../../local/repo-modules.js';
import { dynamoDbLocalProcesses } from '../support/processes.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dynamodb-local-test-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const listTables = async (endpoint: string) => {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
};

describe('startDynamoDbLocal', () => {
  it('answers once started, keeps its tables on disk, and leaves no Java process after stop()', async () => {
    const port = await findFreePort();
    const first = await startDynamoDbLocal({ port, path: join(dataDir, 'db') });
    expect(first.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(dynamoDbLocalProcesses(port)).toHaveLength(1);
    const client = new DynamoDBClient(localClientConfig(first.endpoint));
    await createTables(client, { prefix: 'disk-' });
    client.destroy();
    await first.stop();
    expect(dynamoDbLocalProcesses(port)).toEqual([]);
    await first.stop(); // again: nothing to do

    const second = await startDynamoDbLocal({ port, path: join(dataDir, 'db') });
    try {
      expect(await listTables(second.endpoint)).toEqual(tables.map((table) => `disk-${table.id}`).sort());
      // createTables is idempotent on an existing database
      const again = new DynamoDBClient(localClientConfig(second.endpoint));
      await expect(createTables(again, { prefix: 'disk-' })).resolves.toEqual(
        Object.fromEntries(tables.map((table) => [table.id, `disk-${table.id}`])),
      );
      again.destroy();
    } finally {
      await second.stop();
    }
    expect(dynamoDbLocalProcesses(port)).toEqual([]);
    // Two starts of Java and every table created on disk twice: slow on a loaded machine.
  }, 90_000);

  it('keeps its file in write-ahead-log mode, a database of before included, and its data with it', async () => {
    const port = await findFreePort();
    const dir = join(dataDir, 'wal');
    const pragma = (name: string) => {
      const db = new DatabaseSync(join(dir, SHARED_DB_FILE));
      try {
        return Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];
      } finally {
        db.close();
      }
    };
    const first = await startDynamoDbLocal({ port, path: dir });
    const client = new DynamoDBClient(localClientConfig(first.endpoint));
    await createTables(client, { prefix: 'wal-' });
    client.destroy();
    await first.stop();
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('page_size')).toBe(4096);
    // The very file DynamoDB Local keeps its tables in (one SQLite table per DynamoDB table).
    const file = new DatabaseSync(join(dir, SHARED_DB_FILE));
    expect(
      file.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'wal-Events'").all(),
    ).toHaveLength(1);
    file.close();

    // A database made before (SQLite's rollback journal, as DynamoDB Local leaves it): converted, data kept.
    const db = new DatabaseSync(join(dir, SHARED_DB_FILE));
    expect(Object.values(db.prepare('PRAGMA journal_mode = DELETE').get() ?? {})[0]).toBe('delete');
    db.close();
    const second = await startDynamoDbLocal({ port, path: dir });
    try {
      expect(await listTables(second.endpoint)).toEqual(tables.map((table) => `wal-${table.id}`).sort());
    } finally {
      await second.stop();
    }
    expect(pragma('journal_mode')).toBe('wal');
  }, 90_000);

  it('refuses a port that is taken and names the process holding it', async () => {
    const port = await findFreePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(
        new RegExp(`port ${port} is already in use by process ${process.pid} `),
      );
      expect(dynamoDbLocalProcesses(port)).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  describe.each(['crash', 'reject', 'exit', 'SIGTERM', 'SIGINT', 'SIGHUP'])(
    'when the process that started it ends by %s without stop()',
    (ending) => {
      it('takes DynamoDB Local with it', async () => {
        const mode = ending.startsWith('SIG') ? 'wait' : ending;
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(repoRoot, 'test/local/fixtures/dynamodb-local-then-exit.ts'), mode],
          { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
        );
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        let port = 0;
        for await (const line of createInterface({ input: child.stdout })) {
          const match = /^ready (\d+) (\d+)$/.exec(line);
          if (match) {
            port = Number(match[1]);
            break;
          }
        }
        expect(port).toBeGreaterThan(0);
        expect(dynamoDbLocalProcesses(port)).toHaveLength(1);
        if (ending.startsWith('SIG')) child.kill(ending as NodeJS.Signals);
        else child.stdin.write('go\n');
        const code = await exited;
        if (mode !== 'wait') expect(code).not.toBe(0);
        await expect.poll(() => dynamoDbLocalProcesses(port), { timeout: 5_000 }).toEqual([]);
      });
    },
  );
});
