/**
 * The waitlist process against DynamoDB Local, with the events of different registrations delivered out
 * of order (as EventBridge and SQS may): the freed seat still goes to the delegate who waited longest.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { conferenceStreamId } from '../../domain/conference/decider.js';
import type { EventEnvelope } from '../../domain/events.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { type OrganizerCalls, organizerCalls, prepareProofEnvironment } from '../proof/harness.js';
import { deliverAlone, type SqsConsumer } from '../support/bus-events.js';
import { importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';

let call: OrganizerCalls['call'];
let waitlistProcess: SqsConsumer;
let store: EventStore;
/** The process's reserve of time for a promotion (imported once the environment is set, as the handler is). */
let promotionReserveMs: number;

beforeAll(async () => {
  const harness = await prepareProofEnvironment('waitlist-order');
  store = storeWithCodec(harness.tables.client, harness.tables);
  ({ call } = organizerCalls(await importRouteHandlers(), harness.organizerToken));
  waitlistProcess = await importHandler<SqsConsumer>('functions/consumers/waitlist-process.ts');
  ({ PROMOTION_RESERVE_MS: promotionReserveMs } = await import(
    '../../functions/consumers/waitlist-process.js'
  ));
});

const register = async (conferenceId: string) =>
  String(
    (
      await call(
        'RegisterDelegate',
        { conferenceId },
        { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
      )
    ).registrationId,
  );

const eventOf = async (registrationId: string, type: string): Promise<EventEnvelope> => {
  const found = (await store.load(registrationStreamId(registrationId))).find((event) => event.type === type);
  if (!found) throw new Error(`No ${type} for ${registrationId}`);
  return found;
};

/** The ids of the messages SQS would deliver again. */
const deliver = (envelope: EventEnvelope, remainingTimeMs?: number): Promise<string[]> =>
  deliverAlone(waitlistProcess, envelope, {
    queue: 'waitlist-order',
    functionName: 'WaitlistProcess',
    ...(remainingTimeMs === undefined ? {} : { remainingTimeMs }),
  });

const statusOf = async (conferenceId: string, registrationId: string) =>
  (await call('GetRegistration', { conferenceId, registrationId })).status;

describe('Waitlist process with events out of order (DynamoDB Local)', () => {
  it('holds a freed seat back until every waitlisting has arrived, then gives it to who waited longest', async () => {
    const conferenceId = String(
      (await call('CreateConference', {}, { ...iclc2015, capacity: 1 })).conferenceId,
    );
    const seated = await register(conferenceId);
    const first = await register(conferenceId);
    const second = await register(conferenceId);
    expect(await statusOf(conferenceId, first)).toBe('waitlisted');
    expect(await statusOf(conferenceId, second)).toBe('waitlisted');

    // The process has seen the seat taken and the second waitlisting, not yet the first.
    expect(await deliver(await eventOf(seated, 'DelegateRegistered'))).toEqual([]);
    expect(await deliver(await eventOf(second, 'DelegateWaitlisted'))).toEqual([]);
    await call('CancelRegistration', { conferenceId, registrationId: seated });
    const cancellation = await eventOf(seated, 'RegistrationCancelled');

    expect(await deliver(cancellation)).toHaveLength(1);
    expect(await statusOf(conferenceId, second)).toBe('waitlisted');
    expect(await statusOf(conferenceId, first)).toBe('waitlisted');

    expect(await deliver(await eventOf(first, 'DelegateWaitlisted'))).toEqual([]);
    expect(await deliver(cancellation)).toEqual([]);
    expect(await statusOf(conferenceId, first)).toBe('registered');
    expect(await statusOf(conferenceId, second)).toBe('waitlisted');
  });

  it('stops promoting before the invocation runs out of time and hands the trigger back; the next one goes on', async () => {
    const conferenceId = String(
      (await call('CreateConference', {}, { ...iclc2015, capacity: 1 })).conferenceId,
    );
    const seated = await register(conferenceId);
    const waiting = [
      await register(conferenceId),
      await register(conferenceId),
      await register(conferenceId),
    ];
    expect(await deliver(await eventOf(seated, 'DelegateRegistered'))).toEqual([]);
    for (const registrationId of waiting)
      expect(await deliver(await eventOf(registrationId, 'DelegateWaitlisted'))).toEqual([]);
    await call('ChangeConferenceSettings', { conferenceId }, { capacity: 4 });
    const raise = (await store.load(conferenceStreamId(conferenceId))).find(
      (event) => event.type === 'ConferenceSettingsChanged',
    ) as EventEnvelope;

    // An invocation with less time left than a promotion may take promotes nobody and fails its record,
    // saying why at INFO (not an error).
    const { logger } = await import('../../functions/shared/runtime/observability.js');
    // The proof environment's handlers log nothing (SILENT): the calls to the logger are what is seen.
    const info = vi.spyOn(logger, 'info');
    const error = vi.spyOn(logger, 'error');
    try {
      expect(await deliver(raise, promotionReserveMs)).toHaveLength(1);
      expect(error).not.toHaveBeenCalled();
      expect(info).toHaveBeenCalledWith('Event handed back to be delivered again', {
        type: 'ConferenceSettingsChanged',
        streamId: conferenceStreamId(conferenceId),
        reason: `Out of time after 0 promotions in conference ${conferenceId}; 3 seats still free`,
      });
    } finally {
      info.mockRestore();
      error.mockRestore();
    }
    for (const registrationId of waiting)
      expect(await statusOf(conferenceId, registrationId)).toBe('waitlisted');

    expect(await deliver(raise)).toEqual([]);
    for (const registrationId of waiting)
      expect(await statusOf(conferenceId, registrationId)).toBe('registered');
  });

  it('a raise gives seats to who waited longest when too few for all, and promotes everyone when all fit', async () => {
    const conferenceId = String(
      (await call('CreateConference', {}, { ...iclc2015, capacity: 1 })).conferenceId,
    );
    const seated = await register(conferenceId);
    const waiting: string[] = [];
    for (let index = 0; index < 12; index += 1) waiting.push(await register(conferenceId));
    expect(await deliver(await eventOf(seated, 'DelegateRegistered'))).toEqual([]);
    for (const registrationId of waiting)
      expect(await deliver(await eventOf(registrationId, 'DelegateWaitlisted'))).toEqual([]);
    const raiseTo = async (capacity: number) => {
      await call('ChangeConferenceSettings', { conferenceId }, { capacity });
      const raises = (await store.load(conferenceStreamId(conferenceId))).filter(
        (event) => event.type === 'ConferenceSettingsChanged',
      );
      expect(await deliver(raises[raises.length - 1] as EventEnvelope)).toEqual([]);
    };
    const statuses = async () =>
      Promise.all(waiting.map((registrationId) => statusOf(conferenceId, registrationId)));

    // Three seats for twelve waiting: the three who waited longest, in order.
    await raiseTo(4);
    expect(await statuses()).toEqual([
      ...Array.from({ length: 3 }, () => 'registered'),
      ...Array.from({ length: 9 }, () => 'waitlisted'),
    ]);
    // Seats for all nine left (and more): promoted several at once, each exactly once.
    await raiseTo(20);
    expect(await statuses()).toEqual(Array.from({ length: 12 }, () => 'registered'));
    for (const registrationId of waiting)
      expect(
        (await store.load(registrationStreamId(registrationId))).filter(
          (event) => event.type === 'WaitlistedDelegatePromoted',
        ),
      ).toHaveLength(1);
  });
});
