import { join, resolve } from 'node:path';

/** `DATA_DIR` (default `.local`), resolved against the working directory. */
export const dataDirFromEnv = (env: NodeJS.ProcessEnv = process.env) => resolve(env.DATA_DIR || '.local');

/** Where the local stack keeps what it writes, all below one data directory. */
export const localPaths = (dataDir: string) => ({
  dataDir,
  dynamoDb: join(dataDir, 'dynamodb'),
  auth: join(dataDir, 'auth'),
  privateKey: join(dataDir, 'auth', 'private-key.json'),
  jwks: join(dataDir, 'auth', 'jwks.json'),
  /** The local stand-in for the KMS keys of personal data (local/personal-data-keys.ts). */
  masterKey: join(dataDir, 'keys', 'master-key.json'),
  /** The local stand-in for the KMS key of the server's secrets (local/server-secrets.ts). */
  serverSecret: join(dataDir, 'keys', 'server-secret.json'),
  outbox: join(dataDir, 'outbox'),
  /** Exports too large to answer inline, served at /exports/ (local/export-files.ts). */
  exports: join(dataDir, 'exports'),
  deadLetters: join(dataDir, 'dead-letters'),
  /** Drop folder of `npm run dlq -- redrive`, which the bus takes messages from (local/dead-letters.ts). */
  redrive: join(dataDir, 'dead-letters', 'redrive'),
  pipeline: join(dataDir, 'pipeline'),
  streamCheckpoints: join(dataDir, 'pipeline', 'stream-checkpoints.json'),
  queues: join(dataDir, 'pipeline', 'queues'),
});

export type LocalPaths = ReturnType<typeof localPaths>;
