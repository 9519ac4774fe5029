import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';

const required = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
};

export const tableNames = () => ({
  events: required(env.eventsTable, 'Events'),
  streamState: required(env.streamStateTable, 'StreamState'),
  readModels: required(env.readModelsTable, 'ReadModels'),
  dataKeys: required(env.dataKeysTable, 'DataKeys'),
  personalReadModels: required(env.personalReadModelsTable, 'PersonalReadModels'),
});

let client: DynamoDBClient | undefined;

/**
 * One client per execution environment, reused by warm invocations; its retries and timeouts bounded by
 * the invocation's budget (functions/shared/resilience/).
 */
export const dynamoDb = (): DynamoDBClient => {
  client ??= new DynamoDBClient({
    endpoint: process.env[env.dynamoDbEndpoint] || undefined,
    ...awsClientSettings(),
  });
  return client;
};

/** The HTTP API's address, ending in `/`: links in emails and letters that no request's host tells. */
export const publicApiUrl = (): string => {
  const url = required(env.publicApiUrl);
  return url.endsWith('/') ? url : `${url}/`;
};
