import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EventStore } from '../../functions/shared/event-store/event-store.js';
import { personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys } from '../../functions/shared/personal-data/data-keys.js';
import { type KeyService, keyService } from '../../functions/shared/personal-data/key-service.js';
import { type ServerSecrets, supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { localKeyService } from '../../local/personal-data-keys.js';
import { localServerSecrets } from '../../local/server-secrets.js';

/** Local server secrets (local/server-secrets.ts) in a temporary folder, made on first use. */
const testServerSecrets = (): ServerSecrets => {
  const local = localServerSecrets(mkdtempSync(join(tmpdir(), 'test-secrets-')));
  return { secret: async (purpose) => (await local).secret(purpose) };
};

/**
 * The key service the test's runtime provided (prepareHandlerEnvironment, a local stack), or else a
 * local one with its master key in a temporary folder, provided from then on to the code under test too.
 */
const testKeyService = (): KeyService => {
  try {
    return keyService();
  } catch {
    const local = localKeyService(mkdtempSync(join(tmpdir(), 'test-keys-')));
    const service: KeyService = {
      generateDataKey: async (context) => (await local).generateDataKey(context),
      decryptDataKey: async (wrapped, context) => (await local).decryptDataKey(wrapped, context),
      mac: async (message) => (await local).mac(message),
    };
    // The server's secrets with it (stored Idempotency-Key responses), in a folder of their own.
    supplyAdapters({ keyService: service, serverSecrets: testServerSecrets() });
    return service;
  }
};

/**
 * An event store on test tables with the personal-data codec (testKeyService): `open` reads personal
 * parts decrypted.
 */
export const storeWithCodec = (
  client: DynamoDBClient,
  tables: { events: string; streamState: string; dataKeys: string },
  options: { open?: boolean; openSensitive?: boolean } = {},
): EventStore =>
  new EventStore({
    client,
    tableName: tables.events,
    stateTableName: tables.streamState,
    codec: personalDataCodec({
      dataKeys: new DataKeys({ client, tableName: tables.dataKeys, keyService: testKeyService }),
      open: options.open ?? false,
      openSensitive: options.openSensitive ?? false,
    }),
  });

/** A stand-in email guard key for tests that decide registrations directly (unique per address). */
export const testEmailKey = (email: string): string =>
  createHash('sha256').update(`test-email-key|${email.trim().toLowerCase()}`).digest('base64url');

/** Provides a local key service (master key in a temporary folder) to the handlers a test imports. */
export const provideTestKeyService = async (): Promise<void> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'test-keys-'));
  supplyAdapters({
    keyService: await localKeyService(dataDir),
    serverSecrets: await localServerSecrets(dataDir),
  });
};

/** The items of a registration's data keys' partition (its keys and markers), as stored. */
export const dataKeyItems = async (
  client: DynamoDBClient,
  tableName: string,
  registrationId: string,
): Promise<Record<string, AttributeValue>[]> =>
  (
    await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': registrationId }),
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
