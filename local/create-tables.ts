import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type KeyAttribute, type TableDefinition, tables } from '../infra/definitions/tables.js';

export interface CreateTablesOptions {
  /** Defaults to all tables of infra/definitions/tables.ts. */
  definitions?: readonly TableDefinition[];
  /** Put in front of each definition id, so that test files can have their own copies. */
  prefix?: string;
  /** Recreate a `rebuildable` table that no longer fits its definition, and say so here (see createTables). */
  onRecreated?: (definition: TableDefinition, problems: readonly string[]) => void;
}

/** Table name (`Events`, `ReadModels`, or with a prefix) by definition id. */
export type TableNames = Record<string, string>;

export const localTableName = (definition: TableDefinition, prefix = '') => `${prefix}${definition.id}`;

const keySchema = (partitionKey: KeyAttribute, sortKey: KeyAttribute): KeySchemaElement[] => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' },
  { AttributeName: sortKey.name, KeyType: 'RANGE' },
];

const attributeDefinitions = (definition: TableDefinition): AttributeDefinition[] => {
  const byName = new Map<string, KeyAttribute>();
  const keys = [definition.partitionKey, definition.sortKey];
  for (const index of definition.globalSecondaryIndexes) keys.push(index.partitionKey, index.sortKey);
  for (const index of definition.localSecondaryIndexes ?? []) keys.push(index.sortKey);
  for (const key of keys) {
    const known = byName.get(key.name);
    if (known && known.type !== key.type) {
      throw new Error(
        `Table ${definition.id}: attribute ${key.name} is declared as ${known.type} and ${key.type}`,
      );
    }
    byName.set(key.name, key);
  }
  return [...byName.values()].map((key) => ({ AttributeName: key.name, AttributeType: key.type }));
};

const describe = async (client: DynamoDBClient, name: string): Promise<TableDescription | undefined> => {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
};

const sameKeys = (actual: KeySchemaElement[] | undefined, expected: KeySchemaElement[]) =>
  JSON.stringify(actual?.map((key) => [key.AttributeName, key.KeyType])) ===
  JSON.stringify(expected.map((key) => [key.AttributeName, key.KeyType]));

/** Differences that an existing table cannot have (the local data would not fit the code). */
const mismatches = (definition: TableDefinition, table: TableDescription): string[] => {
  const problems: string[] = [];
  if (!sameKeys(table.KeySchema, keySchema(definition.partitionKey, definition.sortKey))) {
    problems.push('key schema differs');
  }
  for (const index of definition.globalSecondaryIndexes) {
    const actual = table.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === index.indexName);
    if (!actual) problems.push(`index ${index.indexName} is missing`);
    else if (!sameKeys(actual.KeySchema, keySchema(index.partitionKey, index.sortKey))) {
      problems.push(`index ${index.indexName} has another key schema`);
    }
  }
  for (const index of definition.localSecondaryIndexes ?? []) {
    const actual = table.LocalSecondaryIndexes?.find((lsi) => lsi.IndexName === index.indexName);
    if (!actual) problems.push(`local index ${index.indexName} is missing`);
    else if (!sameKeys(actual.KeySchema, keySchema(definition.partitionKey, index.sortKey))) {
      problems.push(`local index ${index.indexName} has another key schema`);
    } else if (
      [...(actual.Projection?.NonKeyAttributes ?? [])].sort().join() !==
      [...index.projectedAttributes].sort().join()
    ) {
      problems.push(`local index ${index.indexName} projects other attributes`);
    }
  }
  if (definition.stream && table.StreamSpecification?.StreamViewType !== definition.stream) {
    problems.push(`stream ${definition.stream} is not enabled`);
  }
  return problems;
};

const waitUntilActive = async (client: DynamoDBClient, name: string) => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const table = await describe(client, name);
    if (table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`Table ${name} did not become ACTIVE within 30 s`);
    await sleep(50);
  }
};

const ensureTimeToLive = async (client: DynamoDBClient, name: string, attribute: string) => {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') {
    if (current.TimeToLiveDescription?.AttributeName !== attribute) {
      throw new Error(
        `Table ${name} expires items through ${current.TimeToLiveDescription?.AttributeName}, not ${attribute}`,
      );
    }
    return;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
};

const createTable = async (client: DynamoDBClient, definition: TableDefinition, name: string) => {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(definition),
        KeySchema: keySchema(definition.partitionKey, definition.sortKey),
        GlobalSecondaryIndexes: definition.globalSecondaryIndexes.length
          ? definition.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: 'ALL' },
            }))
          : undefined,
        LocalSecondaryIndexes: definition.localSecondaryIndexes?.length
          ? definition.localSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: keySchema(definition.partitionKey, index.sortKey),
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projectedAttributes },
            }))
          : undefined,
        StreamSpecification: definition.stream
          ? { StreamEnabled: true, StreamViewType: definition.stream }
          : undefined,
      }),
    );
  } catch (error) {
    // Created concurrently by another process: fine, it is checked below like any existing table.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
};

/**
 * Creates the tables of infra/definitions/tables.ts in DynamoDB Local unless they exist (same keys,
 * indexes, NEW_IMAGE stream, on-demand billing, time to live). Safe to run on every start. An existing
 * table that no longer fits its definition is an error that says how to start afresh, unless it holds
 * only read models (`rebuildable`) and `onRecreated` is given: then it is deleted and created anew,
 * empty, and `onRecreated` is told, for its read models to be rebuilt from the events.
 */
export const createTables = async (
  client: DynamoDBClient,
  { definitions = tables, prefix = '', onRecreated }: CreateTablesOptions = {},
): Promise<TableNames> => {
  const names: TableNames = {};
  for (const definition of definitions) {
    const name = localTableName(definition, prefix);
    const existing = await describe(client, name);
    if (existing) {
      const problems = mismatches(definition, existing);
      if (problems.length && definition.rebuildable && onRecreated) {
        await client.send(new DeleteTableCommand({ TableName: name }));
        await createTable(client, definition, name);
        onRecreated(definition, problems);
      } else if (problems.length) {
        throw new Error(
          `Table ${name} in DynamoDB Local does not match infra/definitions/tables.ts (${problems.join('; ')}). ` +
            'Delete the DynamoDB Local data (DATA_DIR/dynamodb) to recreate it.',
        );
      }
    } else {
      await createTable(client, definition, name);
    }
    await waitUntilActive(client, name);
    if (definition.timeToLiveAttribute) await ensureTimeToLive(client, name, definition.timeToLiveAttribute);
    names[definition.id] = name;
  }
  return names;
};
