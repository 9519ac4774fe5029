/**
 * `npm start`: the whole system on this machine (DynamoDB Local, the HTTP API, the event pipeline).
 * Environment: PORT (3000), DYNAMODB_PORT (8000), DATA_DIR (.local), DEMO (1: load the demo conference
 * into an empty store; 0: start empty), RETENTION (1: erase expired personal data at start and daily;
 * 0: never). Ctrl-C or SIGTERM stops it all.
 */
import { relative } from 'node:path';
import { dataDirFromEnv } from './data-dir.js';
import { startupDemo } from './demo/start-demo.js';
import { LIGHT_JVM_OPTIONS } from './dynamodb-local.js';
import { type LocalStack, startLocalStack } from './local-stack.js';
import { consoleLogger } from './log.js';
import { watchAncestors } from './parent-watch.js';
import { startScheduler } from './scheduler.js';

const portFromEnv = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${name} must be a port number (0-65535), not "${value}"`);
  }
  return port;
};

/**
 * How long after a first SIGINT/SIGTERM another one is taken for the same one delivered again (the
 * terminal's to the process group, npm's forwarded copy), not for a second Ctrl-C that asks to leave now.
 */
const REPEATED_SIGNAL_WINDOW_MS = 2_000;

/** RETENTION=0 leaves the daily erasure of expired personal data off (default on). */
const retentionFromEnv = () => process.env.RETENTION !== '0';

const shown = (path: string) => {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') ? path : fromHere;
};

const printBanner = async (stack: LocalStack, demoLines: string[]) => {
  const token = await stack.organizerToken();
  const lines = [
    '',
    'Learning Cities conference backend: local stack ready',
    `  API             ${stack.apiUrl}   (GET ${stack.apiUrl}/health, ${stack.apiUrl}/docs)`,
    ...demoLines,
    `  DynamoDB Local  ${stack.dynamoDbEndpoint}   (data in ${shown(stack.paths.dynamoDb)})`,
    `  Notifications   ${shown(stack.paths.outbox)}/   (one .eml per email, agenda-changes.jsonl)`,
    `  Dead letters    ${shown(stack.paths.deadLetters)}/   (<queue>.jsonl, one JSON line per message)`,
    '  Organizer token (group organizers, valid 12 h; `npm run -s token` prints another):',
    token,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
};

const main = async () => {
  const port = portFromEnv('PORT', 3000);
  const dynamoDbPort = portFromEnv('DYNAMODB_PORT', 8000);
  const demo = startupDemo();
  const stack = await startLocalStack({
    dataDir: dataDirFromEnv(),
    port,
    dynamoDb: { port: dynamoDbPort, jvmOptions: LIGHT_JVM_OPTIONS },
    logger: demo.logger,
  });

  const stopDemo = new AbortController();
  let stopScheduler = async () => {};
  let stoppingSince: number | undefined;
  const shutdown = (reason: string, { signal = true } = {}) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C arrives more than once: the terminal signals the whole process group and npm forwards
      // what it got to us as well; and npm, exiting, makes the parent watch fire. Neither is a second
      // request. A signal well after the first is: leave now (DynamoDB Local is killed on exit all the same).
      if (!signal || performance.now() - stoppingSince < REPEATED_SIGNAL_WINDOW_MS) return;
      process.stderr.write(`\n${reason} again: exiting without waiting\n`);
      process.exit(1);
    }
    stoppingSince = performance.now();
    stopDemo.abort();
    process.stdout.write(`\n${reason}: stopping the local stack...\n`);
    // Resolves once everything, DynamoDB Local's Java process last, has exited: only then do we exit.
    stopScheduler()
      .then(() => stack.stop())
      .then(
        () => {
          process.stdout.write('Stopped.\n');
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(
            `Stopping failed: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  watchAncestors((pid) => shutdown(`parent process ${pid} exited`, { signal: false }));

  const demoLines = await demo.load({
    apiUrl: stack.apiUrl,
    token: await stack.organizerToken(),
    outbox: stack.paths.outbox,
    signal: stopDemo.signal,
    settled: () => stack.settled(),
  });
  if (stoppingSince === undefined) await printBanner(stack, demoLines);
  // The daily retention of personal data (the cloud's schedule rule): once now, then every day.
  if (stoppingSince === undefined && retentionFromEnv()) {
    const scheduler = startScheduler({ firstRunMs: 1_000, logger: consoleLogger('retention') });
    stopScheduler = () => scheduler.stop();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
