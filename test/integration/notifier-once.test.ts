import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { conferenceDecider, conferenceStreamId } from '../../domain/conference/decider.js';
import type { EventEnvelope } from '../../domain/events.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import { EventStore } from '../../functions/shared/event-store.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { createTestTables } from '../support/tables.js';

/** A notification's event delivered three times (in one batch and in later ones) gives one email. */
let handler: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let outbox: string;
let registered: EventEnvelope;

const sqsRecord = (envelope: EventEnvelope, messageId: string) => ({
  messageId,
  receiptHandle: messageId,
  body: JSON.stringify({
    version: '0',
    id: `bus-${messageId}`,
    'detail-type': envelope.type,
    source: 'learning-cities.conference',
    account: '000000000000',
    time: envelope.occurredAt,
    region: 'local',
    resources: [],
    detail: envelope,
  }),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:Notifier',
  awsRegion: 'local',
});

beforeAll(async () => {
  const tables = await createTestTables('notifier-once');
  outbox = mkdtempSync(join(tmpdir(), 'outbox-'));
  Object.assign(process.env, {
    EVENTS_TABLE: tables.events,
    READ_MODELS_TABLE: tables.readModels,
    DYNAMODB_ENDPOINT: tables.endpoint,
    OUTBOX_DIR: outbox,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const store = new EventStore({ client: tables.client, tableName: tables.events });
  const context = { conferenceId: 'c1', correlationId: 'test', now: '2015-09-01T10:00:00.000Z' };
  await store.append({
    ...context,
    streams: [
      {
        streamId: conferenceStreamId('c1'),
        expectedVersion: 0,
        events: conferenceDecider.decide(
          { type: 'CreateConference', conferenceId: 'c1', details: iclc2015 },
          { status: 'none' },
        ),
      },
    ],
  });
  [registered] = (await store.append({
    ...context,
    streams: [
      {
        streamId: registrationStreamId('r1'),
        expectedVersion: 0,
        events: registrationDecider.decide(
          {
            type: 'RegisterDelegate',
            registrationId: 'r1',
            conferenceId: 'c1',
            delegate,
            manageTokenHash: 'h',
            seatAvailable: true,
            now: context.now,
          },
          { status: 'none' },
        ),
      },
    ],
  })) as [EventEnvelope];
  ({ handler } = (await import('../../functions/consumers/notifier.js')) as never);
});

describe('Notifier', () => {
  it('sends one email for an event delivered three times', async () => {
    const first = await handler(
      { Records: [sqsRecord(registered, 'm1'), sqsRecord(registered, 'm2')] },
      lambdaContext(),
    );
    const again = await handler({ Records: [sqsRecord(registered, 'm3')] }, lambdaContext());
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    const files = readdirSync(outbox);
    expect(files).toEqual([`${registered.eventId}.eml`]);
  });

  it('reports an event it cannot handle as a batch item failure, so it is retried and then dead-lettered', async () => {
    const broken = {
      ...registered,
      eventId: 'e-missing',
      streamId: 'registration-missing',
      data: { ...registered.data, registrationId: 'missing' },
    } as EventEnvelope;
    const response = await handler(
      { Records: [sqsRecord(registered, 'm4'), sqsRecord(broken, 'm5')] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm5' }]);
    expect(readdirSync(outbox)).toHaveLength(1);
  });
});
