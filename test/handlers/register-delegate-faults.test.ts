import {
  BatchGetItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { provideTestKeyService } from '../support/personal-data.js';

/** Faults injected into DynamoDB under the register command: retried within bounds, never a 5xx stack. */
const dynamo = mockClient(DynamoDBClient);
let handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

const conferenceItem = marshall({
  pk: 'conference-c1',
  sk: 1,
  kind: 'event',
  eventId: 'e1',
  type: 'ConferenceCreated',
  streamId: 'conference-c1',
  version: 1,
  conferenceId: 'c1',
  occurredAt: '2015-06-01T00:00:00.000Z',
  data: { conferenceId: 'c1', ...iclc2015 },
  metadata: { correlationId: 'x', schemaVersion: 1 },
});

const canceled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const register = () =>
  handler(
    httpEvent('POST', '/conferences/c1/registrations', {
      pathParameters: { conferenceId: 'c1' },
      body: { ...delegate, consent: true },
    }),
    lambdaContext(),
  );

beforeAll(async () => {
  process.env.EVENTS_TABLE = 'Events';
  process.env.READ_MODELS_TABLE = 'ReadModels';
  process.env.AWS_REGION = 'local';
  await provideTestKeyService();
  ({ handler } = (await import('../../functions/http/register-delegate.js')) as never);
});

beforeEach(() => {
  dynamo.reset();
  // No stream tips (a conference stored before them): the command folds the conference's events.
  dynamo.on(BatchGetItemCommand).resolves({});
  dynamo.on(QueryCommand).resolves({ Items: [conferenceItem] });
});

describe('register delegate under injected DynamoDB faults', () => {
  it('retries a transaction conflict and then registers', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceled('None', 'None', 'TransactionConflict'))
      .rejectsOnce(canceled('TransactionConflict', 'None', 'None'))
      .resolves({});
    const response = await register();
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 'registered' });
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(3);
  });

  it('answers 503 with Retry-After once conflict retries are exhausted, after a bounded number of tries', async () => {
    dynamo.on(TransactWriteItemsCommand).rejects(canceled('TransactionConflict', 'None', 'None'));
    const response = await register();
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(6);
  });

  it('answers 503 with Retry-After when DynamoDB keeps throttling, without a stack trace', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', $metadata: {} }));
    const response = await register();
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(response.body).not.toMatch(/at .*\.ts|Error:/);
  });

  it('answers 409 when the email guard holds', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceled('None', 'None', 'ConditionalCheckFailed', 'None'));
    expect((await register()).statusCode).toBe(409);
  });

  it('waitlists when the seat guard refuses the seat', async () => {
    dynamo
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceled('None', 'None', 'None', 'ConditionalCheckFailed'))
      .resolves({});
    const waitlisted = await register();
    expect(waitlisted.statusCode).toBe(201);
    expect(JSON.parse(waitlisted.body as string)).toMatchObject({ status: 'waitlisted' });
  });

  it('answers 500 problem+json without details for an unexpected failure', async () => {
    dynamo.on(TransactWriteItemsCommand).rejects(new Error('boom at secret.ts:12'));
    const response = await register();
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('boom');
  });
});
