import type { EventEnvelope } from '../../domain/events.js';
import {
  knowsEveryWaitlisting,
  mayFreeASeat,
  type WaitlistRow,
  waitingInOrder,
} from '../../domain/projections/waitlist.js';
import { ConflictError, GoneError } from '../../domain/shared/errors.js';
import { existingConference } from '../shared/commands/conference.js';
import { loadStream, runCommand } from '../shared/commands/pipeline.js';
import { changeRegistration, seatGuardCounts } from '../shared/commands/registrations.js';
import { conferenceStream, registrationStream } from '../shared/commands/streams.js';
import { AppendConflictError } from '../shared/event-store/event-store.js';
import { eventStore } from '../shared/event-store/stores.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { waitlistProjection } from '../shared/projections/projections.js';
import { readModelRows } from '../shared/projections/read-model-rows.js';
import { liveGenerations } from '../shared/projections/read-models.js';
import { timeLeft } from '../shared/resilience/policy.js';
import { dynamoDb, tableNames } from '../shared/runtime/config.js';
import { busConsumer, DeliverAgainLater } from '../shared/runtime/consumer.js';
import { logger } from '../shared/runtime/observability.js';

const runner = new ProjectionRunner(waitlistProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: eventStore(),
});

/** The trigger is delivered again once the waitlistings still on their way have arrived. */
const waitlistBehind = (conferenceId: string, joined: number) =>
  new DeliverAgainLater(
    `Not all ${joined} waitlistings of conference ${conferenceId} have reached the waitlist yet, ` +
      'so who has waited longest is not known',
  );

/**
 * Time a promotion may take, near the invocation's deadline: with less left, the promotions stop and the
 * trigger is handed back, so that SQS delivers it again and the next invocation goes on where this one
 * stopped (a large capacity raise may promote more delegates than one invocation has time for).
 */
export const PROMOTION_RESERVE_MS = 3_000;

/**
 * Gives each free seat to the longest-waiting delegate, by issuing PromoteWaitlistedDelegate commands,
 * one after the other in the order of the waitlist. Each promotion takes a seat through the seat guard in
 * its own append, so however often or concurrently this runs, no more delegates hold seats than the
 * capacity, and a delegate is promoted once. While one promotion is written, the next delegate's
 * registration is read; each takes the conference and the free shards as read at the start (kept up to
 * date with the seats this run took): a promotion is then one round trip. Should any of that be stale (the
 * settings changed, a shard filled, the registration moved on), its guard or version refuses the append
 * and that promotion decides again on fresh reads.
 */
const fillFreeSeats = async (trigger: EventEnvelope): Promise<number> => {
  const [conferenceRead, { seatsHeld, waitlistJoined, shards }] = await Promise.all([
    loadStream(conferenceStream(trigger.conferenceId)),
    seatGuardCounts(trigger.conferenceId),
  ]);
  const conference = existingConference(conferenceRead.state, trigger.conferenceId);
  let free = conference.capacity - seatsHeld;
  if (free <= 0) return 0;
  const rows = await readModelRows<WaitlistRow>(waitlistProjection.name, trigger.conferenceId);
  if (!knowsEveryWaitlisting(rows, waitlistJoined))
    throw waitlistBehind(trigger.conferenceId, waitlistJoined);
  const waiting = waitingInOrder(rows);
  const seatsLeft = new Map(shards.map((shard) => [shard.shard, shard.share - shard.held]));
  const readRegistration = (candidate: WaitlistRow) => {
    const read = loadStream(registrationStream(candidate.registrationId));
    read.catch(() => {}); // awaited in its turn: a failure is that promotion's
    return read;
  };
  let readAhead = waiting[0] && readRegistration(waiting[0]);
  let promoted = 0;
  for (const [index, candidate] of waiting.entries()) {
    if (free <= 0) break;
    if (timeLeft() < PROMOTION_RESERVE_MS)
      throw new DeliverAgainLater(
        `Out of time after ${promoted} promotions in conference ${trigger.conferenceId}; ${free} seats still free`,
      );
    const reading = readAhead ?? readRegistration(candidate);
    const following = waiting[index + 1];
    // The next delegate's read, begun now, only when a seat is left for them after this one.
    readAhead = free > 1 && following ? readRegistration(following) : undefined;
    const registrationRead = await reading;
    const now = new Date().toISOString();
    const command = changeRegistration({
      conferenceId: trigger.conferenceId,
      registrationId: candidate.registrationId,
      command: { type: 'PromoteWaitlistedDelegate', now },
      known: {
        registration: registrationRead,
        conference: conferenceRead,
        freeSeatShards: [...seatsLeft].filter(([, left]) => left > 0).map(([shard]) => shard),
      },
    });
    try {
      const events = await runCommand(command, {
        conferenceId: trigger.conferenceId,
        correlationId: trigger.metadata.correlationId,
        causationId: trigger.eventId,
        actor: 'process:waitlist',
        now,
      });
      const taken = events.find((event) => event.type === 'WaitlistedDelegatePromoted')?.data.seatShard;
      if (taken !== undefined) seatsLeft.set(taken, (seatsLeft.get(taken) ?? 0) - 1);
      promoted++;
      free--;
    } catch (error) {
      if (error instanceof ConflictError || error instanceof GoneError) continue; // promoted, cancelled or erased meanwhile
      if (error instanceof AppendConflictError && error.guard('seats')) break; // the seat went to someone else
      throw error;
    }
  }
  if (promoted > 0)
    logger.info('Promoted waitlisted delegates', { conferenceId: trigger.conferenceId, promoted });
  return promoted;
};

export const handler = busConsumer(
  async (envelope) => {
    for (const generation of await liveGenerations(waitlistProjection.name))
      await runner.apply(envelope, generation);
    if (mayFreeASeat(envelope)) await fillFreeSeats(envelope);
  },
  {
    // The batch's waitlist rows at once, then the free seats of each conference it may have freed seats in
    // filled once: fillFreeSeats reads the seats and the waitlist as they are now, so one call, after every
    // row of the batch, does what one per trigger would (its last trigger is the promotions' cause). A
    // rush's waitlistings each "may free a seat": one check per batch instead of one per waitlisting.
    batch: async (envelopes) => {
      for (const generation of await liveGenerations(waitlistProjection.name))
        await runner.applyBatch(envelopes, generation);
      const lastTrigger = new Map<string, EventEnvelope>();
      for (const envelope of envelopes)
        if (mayFreeASeat(envelope)) lastTrigger.set(envelope.conferenceId, envelope);
      for (const trigger of lastTrigger.values()) await fillFreeSeats(trigger);
    },
  },
);
