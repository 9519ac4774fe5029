import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import {
  dataKeysTable,
  eventsTable,
  personalReadModelsTable,
  readModelsTable,
  streamStateTable,
} from '../../infra/definitions/tables.js';
import { localClientConfig } from '../../local/aws-config.js';
import { createTables, type TableNames } from '../../local/create-tables.js';

export interface TestTables {
  /** The run's DynamoDB Local (test/support/dynamodb-local.ts). */
  endpoint: string;
  client: DynamoDBClient;
  prefix: string;
  events: string;
  /** Tips, guards and Idempotency-Key records. */
  streamState: string;
  readModels: string;
  dataKeys: string;
  /** The read models of plaintext personal data (the registrant list, the visa letters). */
  personalReadModels: string;
  /** By definition id (`Events`, `ReadModels`). */
  names: TableNames;
}

/**
 * Copies of the tables of infra/definitions/tables.ts, named `<prefix>-<random>-<Id>`, in the run's
 * DynamoDB Local: each test file (or each call) gets its own. Destroy `client` in afterAll if you like;
 * the tables go away with the in-memory DynamoDB Local at the end of the run.
 */
export const createTestTables = async (prefix: string): Promise<TestTables> => {
  const endpoint = inject('dynamoDbEndpoint');
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const safePrefix = `${prefix.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40)}-${randomUUID().slice(0, 8)}-`;
  const names = await createTables(client, { prefix: safePrefix });
  return {
    endpoint,
    client,
    prefix: safePrefix,
    events: names[eventsTable.id] ?? '',
    streamState: names[streamStateTable.id] ?? '',
    readModels: names[readModelsTable.id] ?? '',
    dataKeys: names[dataKeysTable.id] ?? '',
    personalReadModels: names[personalReadModelsTable.id] ?? '',
    names,
  };
};
