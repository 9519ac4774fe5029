import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  personalDataOf,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { delegate } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { readEmail } from '../support/email-reader.js';
import { importHandler, prepareHandlerEnvironment } from '../support/handler-environment.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { appendConference } from '../support/seed.js';

/** A notification's event delivered three times (in one batch and in later ones) gives one email. */
let handler: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let outbox: string;
let registered: EventEnvelope;
let store: ReturnType<typeof storeWithCodec>;
/** The same tables read with the personal parts opened, as the notifier reads them. */
let openedStore: ReturnType<typeof storeWithCodec>;
const context = { conferenceId: 'c1', correlationId: 'test', now: '2015-09-01T10:00:00.000Z' };

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
  store = storeWithCodec(tables.client, tables);
  openedStore = storeWithCodec(tables.client, tables, { open: true });
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

  it('tells the previous address of a correction that moves the registration to another one, once, however late', async () => {
    const changeDetails = async (changes: Record<string, string>) => {
      const events = (await openedStore.load(registrationStreamId('r1'))) as RegistrationEvent[];
      const current = personalDataOf(events);
      if (typeof current !== 'object') throw new Error('r1 has no personal data');
      const [changed] = (await store.append({
        ...context,
        streams: [
          {
            streamId: registrationStreamId('r1'),
            expectedVersion: events.length,
            events: registrationDecider.decide(
              {
                type: 'ChangeDelegateDetails',
                by: 'delegate',
                changes,
                current,
                ...(changes.email ? { newEmailKey: testEmailKey(changes.email) } : {}),
                now: '2015-09-02T10:00:00.000Z',
              },
              fold(registrationDecider, events),
            ),
          },
        ],
      })) as [EventEnvelope];
      return changed;
    };
    const deliverThreeTimes = async (changed: EventEnvelope) => {
      for (const delivery of ['a', 'b', 'c']) {
        const response = await handler(
          { Records: [notifierRecord(changed, `${changed.eventId}-${delivery}`)] },
          lambdaContext(),
        );
        expect(response.batchItemFailures).toEqual([]);
      }
    };
    const recipients = async (changed: EventEnvelope) =>
      Promise.all(
        readdirSync(outbox)
          .filter((file) => file.startsWith(changed.eventId))
          .sort()
          .map(async (file) => [file, (await readEmail(readFileSync(join(outbox, file)))).to]),
      );

    // A change of case is the same mailbox: no second email.
    const renamed = await changeDetails({ familyName: 'Pérez García', email: 'ANA.PEREZ@example.org' });
    await deliverThreeTimes(renamed);
    expect(await recipients(renamed)).toEqual([[`${renamed.eventId}.eml`, 'ANA.PEREZ@example.org']]);

    // Two moves, the first delivered after the second was made: each is told as it happened.
    const first = await changeDetails({ email: 'ana.garcia@example.org' });
    const second = await changeDetails({ email: 'agarcia@example.org' });
    await deliverThreeTimes(first);
    await deliverThreeTimes(second);
    expect(await recipients(first)).toEqual([
      [`${first.eventId}-previous-address.eml`, 'ANA.PEREZ@example.org'],
      [`${first.eventId}.eml`, 'ana.garcia@example.org'],
    ]);
    expect(await recipients(second)).toEqual([
      [`${second.eventId}-previous-address.eml`, 'ana.garcia@example.org'],
      [`${second.eventId}.eml`, 'agarcia@example.org'],
    ]);
  });
});
