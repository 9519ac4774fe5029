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

const newConference = async (capacity: number) =>
  String((await call('CreateConference', {}, { ...iclc2015, capacity })).conferenceId);

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
    const conferenceId = await newConference(1);
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
    const conferenceId = await newConference(1);
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
    const conferenceId = await newConference(1);
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

  describe('a promotion on what its process read before (a promotion is then one round trip)', () => {
    const readNow = async (conferenceId: string, registrationId: string) => {
      const { loadStream } = await import('../../functions/shared/commands/pipeline.js');
      const { conferenceStream, registrationStream } = await import(
        '../../functions/shared/commands/streams.js'
      );
      const { seatGuardCounts } = await import('../../functions/shared/commands/seats.js');
      return {
        conference: await loadStream(conferenceStream(conferenceId)),
        registration: await loadStream(registrationStream(registrationId)),
        shards: (await seatGuardCounts(conferenceId)).shards,
      };
    };
    /** The promotion of `registrationId` on these reads, run as the waitlist process runs it. */
    const promoteOn = async (
      conferenceId: string,
      registrationId: string,
      read: {
        conferenceBefore?: Awaited<ReturnType<typeof readNow>>['conference'];
        freeSeatShards: number[];
      },
    ) => {
      const { changeRegistration } = await import('../../functions/shared/commands/registrations.js');
      const { runCommand } = await import('../../functions/shared/commands/pipeline.js');
      const now = new Date().toISOString();
      const fresh = await readNow(conferenceId, registrationId);
      return runCommand(
        changeRegistration({
          conferenceId,
          registrationId,
          command: { type: 'PromoteWaitlistedDelegate', now },
          known: {
            registration: fresh.registration,
            conference: read.conferenceBefore ?? fresh.conference,
            freeSeatShards: read.freeSeatShards,
          },
        }),
        { conferenceId, correlationId: randomUUID(), actor: 'process:waitlist', now },
      );
    };
    const seatShardOf = async (registrationId: string, type: string) =>
      Number(((await eventOf(registrationId, type)).data as { seatShard?: number }).seatShard);

    it('a shard read as free but full since: the shards are read again and the seat left is taken', async () => {
      const conferenceId = await newConference(2);
      const leaving = await register(conferenceId);
      const staying = await register(conferenceId);
      const waiting = await register(conferenceId);
      expect(await statusOf(conferenceId, waiting)).toBe('waitlisted');
      await call('CancelRegistration', { conferenceId, registrationId: leaving });
      const stayingShard = await seatShardOf(staying, 'DelegateRegistered');

      const events = await promoteOn(conferenceId, waiting, { freeSeatShards: [stayingShard] });
      expect(events.map((event) => event.type)).toEqual(['WaitlistedDelegatePromoted']);
      expect(await statusOf(conferenceId, waiting)).toBe('registered');
      // The seat given back, not the full shard it was told of.
      expect(await seatShardOf(waiting, 'WaitlistedDelegatePromoted')).toBe(
        await seatShardOf(leaving, 'DelegateRegistered'),
      );
      const { shards } = await readNow(conferenceId, waiting);
      for (const shard of shards) expect(shard.held).toBeLessThanOrEqual(shard.share);
      expect(shards.reduce((sum, shard) => sum + shard.held, 0)).toBe(2);
    });

    it('the settings read before a raise: the conference and the shards are read again', async () => {
      const conferenceId = await newConference(1);
      const seated = await register(conferenceId);
      const waiting = await register(conferenceId);
      const before = await readNow(conferenceId, waiting);
      await call('ChangeConferenceSettings', { conferenceId }, { capacity: 2 });
      // Told of the seated delegate's shard (full) under the settings before the raise.
      const events = await promoteOn(conferenceId, waiting, {
        conferenceBefore: before.conference,
        freeSeatShards: [await seatShardOf(seated, 'DelegateRegistered')],
      });
      expect(events.map((event) => event.type)).toEqual(['WaitlistedDelegatePromoted']);
      expect(await statusOf(conferenceId, waiting)).toBe('registered');
      const { shards } = await readNow(conferenceId, waiting);
      for (const shard of shards) expect(shard.held).toBeLessThanOrEqual(shard.share);
      expect(shards.reduce((sum, shard) => sum + shard.held, 0)).toBe(2);
    });
  });
});
