import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_SOURCE } from '../../infra/definitions/rules.js';
import { localClientConfig } from '../../local/aws-config.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { silentLogger } from '../../local/log.js';
import { iclc2015 } from '../domain/fixtures.js';

let dataDir: string;
let stack: LocalStack;
const deliveries: SQSEvent[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-stack-test-'));
  stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { endpoint: inject('dynamoDbEndpoint') },
    tablePrefix: `stack-${randomUUID().slice(0, 8)}-`,
    rules: [
      {
        name: 'ConferenceWatcher',
        description: 'test rule',
        pattern: { source: [EVENT_SOURCE], 'detail-type': ['ConferenceCreated'] },
        consumer: 'unused: loadConsumer is given',
        maxReceiveCount: 2,
        writes: false,
      },
    ],
    loadConsumer: async () => async (event) => {
      deliveries.push(event);
    },
    logger: () => silentLogger,
  });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('startLocalStack', () => {
  it('serves the real handlers over HTTP with the local environment set', async () => {
    const response = await fetch(`${stack.apiUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(process.env.EVENTS_TABLE).toBe(stack.tables.events);
    expect(process.env.READ_MODELS_TABLE).toBe(stack.tables.readModels);
    expect(process.env.DYNAMODB_ENDPOINT).toBe(stack.dynamoDbEndpoint);
    expect(await stack.organizerToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("gives the handlers the local issuer's verifier: its token is an organizer's, another is refused", async () => {
    const create = (token: string) =>
      fetch(`${stack.apiUrl}/conferences`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await create(await stack.organizerToken())).status).toBe(400); // past auth, to validation
    expect((await create(await stack.organizerToken([]))).status).toBe(403);
    const [header, payload] = (await stack.organizerToken()).split('.');
    expect((await create(`${header}.${payload}.${'A'.repeat(342)}`)).status).toBe(401);
  });

  it('carries a stored event through the pipeline; settled() waits for it', async () => {
    const client = new DynamoDBClient(localClientConfig(stack.dynamoDbEndpoint));
    const conferenceId = randomUUID();
    await client.send(
      new PutItemCommand({
        TableName: stack.tables.events,
        Item: marshall({
          pk: `conference-${conferenceId}`,
          sk: 1,
          kind: 'event',
          eventId: randomUUID(),
          type: 'ConferenceCreated',
          streamId: `conference-${conferenceId}`,
          version: 1,
          conferenceId,
          occurredAt: '2015-06-01T12:00:00.000Z',
          data: {
            conferenceId,
            ...iclc2015,
            name: 'ICLC',
            capacity: 10,
            rooms: [{ name: 'Main' }],
          },
          metadata: { correlationId: 'c', schemaVersion: 1 },
        }),
      }),
    );
    client.destroy();
    await stack.settled();
    const details = deliveries.flatMap((event) =>
      event.Records.map((record) => JSON.parse(record.body).detail),
    );
    expect(details.map((detail) => detail.conferenceId)).toEqual([conferenceId]);
  });

  it('stops everything it started and closes the API port', async () => {
    const { apiUrl } = stack;
    await stack.stop();
    await expect(fetch(`${apiUrl}/health`)).rejects.toThrow();
  });
});
