/**
 * vitest globalSetup: one in-memory DynamoDB Local for the whole run, on a free port, stopped in teardown
 * (and, should vitest itself die, by the exit hooks of local/dynamodb-local.ts). Tests read its endpoint
 * with `inject('dynamoDbEndpoint')` and create their own tables (test/support/tables.ts).
 */
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { findFreePort } from '../../local/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the run's DynamoDB Local. */
    dynamoDbEndpoint: string;
  }
}

/** The free port may be taken between finding and binding it: try a few. */
const startOnFreePort = async (): Promise<DynamoDbLocal> => {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startDynamoDbLocal({ port: await findFreePort() });
    } catch (error) {
      lastError = error;
      if (!String(error).includes('already in use')) break;
    }
  }
  throw lastError;
};

export default async function setup(project: TestProject) {
  const dynamoDb = await startOnFreePort();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return async () => {
    await dynamoDb.stop();
  };
}
