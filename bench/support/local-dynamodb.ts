import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import {
  dataKeysTable,
  eventsTable,
  personalReadModelsTable,
  readModelsTable,
  streamStateTable,
} from '../../infra/definitions/tables.js';
import { supplyLocalAdapters } from '../../local/adapters.js';
import { localClientConfig, localCredentials } from '../../local/aws-config.js';
import { createTables } from '../../local/create-tables.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { localKeyService } from '../../local/personal-data-keys.js';
import { findFreePort } from '../../local/ports.js';
import { localServerSecrets } from '../../local/server-secrets.js';
import { loadSigningKey, signOrganizerToken } from '../../local/signing-key.js';

/**
 * An in-memory DynamoDB Local of the benchmark's own on a free port of 127.0.0.1. local/dynamodb-local.ts
 * kills it whatever way the process ends; `withDynamoDbLocal` also stops it when the work is done or fails.
 */
export const withDynamoDbLocal = async <T>(work: (dynamo: DynamoDbLocal) => Promise<T>): Promise<T> => {
  let dynamo: DynamoDbLocal | undefined;
  for (let attempt = 1; !dynamo; attempt++) {
    try {
      dynamo = await startDynamoDbLocal({ port: await findFreePort() });
    } catch (error) {
      // The free port may be taken between finding and binding it.
      if (attempt >= 3 || !String(error).includes('already in use')) throw error;
    }
  }
  try {
    return await work(dynamo);
  } finally {
    await dynamo.stop();
  }
};

/** The environment the handler modules read (set before importing them), pointing at `endpoint`. */
export const handlerEnvironment = async (
  endpoint: string,
  tables: {
    events: string;
    streamState: string;
    readModels: string;
    dataKeys: string;
    personalReadModels?: string;
  },
) => {
  // The key service of personal data, as the local stack provides it: a master key in a temporary folder.
  const keysDir = await mkdtemp(join(tmpdir(), 'lc-bench-keys-'));
  supplyAdapters({
    keyService: await localKeyService(keysDir),
    serverSecrets: await localServerSecrets(keysDir),
  });
  Object.assign(process.env, {
    EVENTS_TABLE: tables.events,
    STREAM_STATE_TABLE: tables.streamState,
    READ_MODELS_TABLE: tables.readModels,
    DATA_KEYS_TABLE: tables.dataKeys,
    ...(tables.personalReadModels ? { PERSONAL_READ_MODELS_TABLE: tables.personalReadModels } : {}),
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
};

/**
 * Creates the tables of infra/definitions/tables.ts, named `<prefix><Id>`, and points the handler modules
 * at them (handlerEnvironment): call it before importing any of them.
 */
export const handlerTables = async (client: DynamoDBClient, endpoint: string, prefix: string) => {
  const names = await createTables(client, { prefix });
  const tables = {
    events: names[eventsTable.id] ?? '',
    streamState: names[streamStateTable.id] ?? '',
    readModels: names[readModelsTable.id] ?? '',
    dataKeys: names[dataKeysTable.id] ?? '',
    personalReadModels: names[personalReadModelsTable.id] ?? '',
  };
  await handlerEnvironment(endpoint, tables);
  return tables;
};

/**
 * The adapters `npm start` supplies (local signing key, outbox and key service in `dataDir`; the exports
 * folder when asked for), so the HTTP handlers run as on the local stack; returns an organizer's token.
 */
export const localAdaptersWithOrganizer = async (
  dataDir: string,
  options: { exports?: boolean } = {},
): Promise<string> => {
  const key = await loadSigningKey(dataDir);
  supplyLocalAdapters({
    jwksFile: key.jwksFile,
    outbox: join(dataDir, 'outbox'),
    keyService: await localKeyService(dataDir),
    serverSecrets: await localServerSecrets(dataDir),
    ...(options.exports ? { exportsDir: join(dataDir, 'exports') } : {}),
  });
  return signOrganizerToken({ dataDir });
};

/** A client with the settings the handlers use (functions/shared/runtime/config.ts: maxAttempts 4). */
export const benchClient = (endpoint: string) =>
  new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 4 });

/**
 * Counts the HTTP requests a client sends (each attempt, retries included): a middleware in the deserialize
 * step, which runs once per attempt inside the SDK's retry loop.
 */
export const countRoundTrips = (client: DynamoDBClient) => {
  const counter = {
    total: 0,
    byCommand: new Map<string, number>(),
    msByCommand: new Map<string, number>(),
    bytesByCommand: new Map<string, number>(),
    itemsWritten: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.total += 1;
      const name = context.commandName ?? 'unknown';
      counter.byCommand.set(name, (counter.byCommand.get(name) ?? 0) + 1);
      const body = (args.request as { body?: unknown } | undefined)?.body;
      const bytes =
        typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : 0;
      counter.bytesByCommand.set(name, (counter.bytesByCommand.get(name) ?? 0) + bytes);
      const items = (args.input as { TransactItems?: unknown[] } | undefined)?.TransactItems;
      counter.itemsWritten += Array.isArray(items) ? items.length : 0;
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        counter.msByCommand.set(name, (counter.msByCommand.get(name) ?? 0) + performance.now() - started);
      }
    },
    { step: 'deserialize', name: 'benchRoundTripCounter', override: true },
  );
  return {
    reset() {
      counter.total = 0;
      counter.byCommand.clear();
      counter.msByCommand.clear();
      counter.bytesByCommand.clear();
      counter.itemsWritten = 0;
    },
    /** Milliseconds spent in requests of one command (e.g. `TransactWriteItemsCommand`) since the reset. */
    msOf(command: string) {
      return counter.msByCommand.get(command) ?? 0;
    },
    /** Bytes of the request bodies of one command since the reset. */
    bytesOf(command: string) {
      return counter.bytesByCommand.get(command) ?? 0;
    },
    /** Items of the transactions sent since the reset. */
    get itemsWritten() {
      return counter.itemsWritten;
    },
    /** Mean milliseconds per request by command, e.g. `Query 4.1 ms, TransactWriteItems 20.3 ms`. */
    latencies() {
      return [...counter.byCommand]
        .map(
          ([name, n]) =>
            `${name.replace(/Command$/, '')} ${((counter.msByCommand.get(name) ?? 0) / n).toFixed(1)} ms`,
        )
        .join(', ');
    },
    get total() {
      return counter.total;
    },
    /** e.g. `Query, TransactWriteItems` (with counts above 1). */
    describe() {
      return [...counter.byCommand]
        .map(([name, n]) => `${name.replace(/Command$/, '')}${n > 1 ? ` ×${n}` : ''}`)
        .join(', ');
    },
  };
};
