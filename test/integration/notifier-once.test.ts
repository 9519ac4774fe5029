import { readdirSync } from 'node:fs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import { delegate } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { importHandler, prepareHandlerEnvironment } from '../support/handler-environment.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { appendConference } from '../support/seed.js';

/** A notification's event delivered three times (in one batch and in later ones) gives one email. */
let handler: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let outbox: string;
let registered: EventEnvelope;

/** An SQS record of `envelope` on the Notifier's queue. */
const notifierRecord = (envelope: EventEnvelope, messageId: string) =>
  sqsRecord(envelope, messageId, {
    queue: 'Notifier',
    busEventId: `bus-${messageId}`,
    receiptHandle: messageId,
    senderId: 'test',
    sentAt: 0,
  });

beforeAll(async () => {
  const environment = await prepareHandlerEnvironment('notifier-once');
  const { tables } = environment;
  outbox = environment.outbox;
  const store = storeWithCodec(tables.client, tables);
  const context = { conferenceId: 'c1', correlationId: 'test', now: '2015-09-01T10:00:00.000Z' };
  await appendConference(store, 'c1', context);
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
            emailKey: testEmailKey(delegate.email),
            manageTokenHash: 'h',
            seatAvailable: true,
            now: context.now,
          },
          { status: 'none' },
        ),
      },
    ],
  })) as [EventEnvelope];
  handler = await importHandler<typeof handler>('functions/consumers/notifier.ts');
});

describe('Notifier', () => {
  it('sends one email for an event delivered three times', async () => {
    const first = await handler(
      { Records: [notifierRecord(registered, 'm1'), notifierRecord(registered, 'm2')] },
      lambdaContext(),
    );
    const again = await handler({ Records: [notifierRecord(registered, 'm3')] }, lambdaContext());
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
      { Records: [notifierRecord(registered, 'm4'), notifierRecord(broken, 'm5')] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm5' }]);
    expect(readdirSync(outbox)).toHaveLength(1);
  });
});
