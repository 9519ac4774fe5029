import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { EventEnvelope } from '../../domain/events.js';
import { mayFreeASeat, type WaitlistRow, waitingInOrder } from '../../domain/projections/waitlist.js';
import { seatsGuardKey } from '../../domain/registration/invariants.js';
import { ConflictError, GoneError } from '../../domain/shared/errors.js';
import { SEATS_HELD } from '../shared/commands/command.js';
import { changeRegistration } from '../shared/commands/registrations.js';
import { AppendConflictError } from '../shared/event-store/event-store.js';
import { eventStore, loadConference } from '../shared/event-store/stores.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { waitlistProjection } from '../shared/projections/projections.js';
import { readModelRows } from '../shared/projections/read-model-rows.js';
import { liveGenerations } from '../shared/projections/read-models.js';
import { dynamoDb, tableNames } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';
import { logger } from '../shared/runtime/observability.js';

const runner = new ProjectionRunner(waitlistProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: eventStore(),
});

const seatsHeld = async (conferenceId: string): Promise<number> => {
  const { Item } = await dynamoDb().send(
    new GetItemCommand({
      TableName: tableNames().events,
      Key: marshall({ pk: seatsGuardKey(conferenceId), sk: 0 }),
      ConsistentRead: true,
    }),
  );
  const held = Item ? unmarshall(Item)[SEATS_HELD] : 0;
  return typeof held === 'number' ? held : 0;
};

/**
 * Gives each free seat to the longest-waiting delegate, by issuing PromoteWaitlistedDelegate commands.
 * Each promotion takes a seat through the seat guard in its own append, so however often or
 * concurrently this runs, no more delegates hold seats than the capacity, and a delegate is promoted once.
 */
const fillFreeSeats = async (trigger: EventEnvelope): Promise<number> => {
  const conference = await loadConference(trigger.conferenceId);
  let free = conference.capacity - (await seatsHeld(trigger.conferenceId));
  if (free <= 0) return 0;
  const waiting = waitingInOrder(
    await readModelRows<WaitlistRow>(waitlistProjection.name, trigger.conferenceId),
  );
  let promoted = 0;
  for (const candidate of waiting) {
    if (free <= 0) break;
    try {
      await changeRegistration({
        conferenceId: trigger.conferenceId,
        registrationId: candidate.registrationId,
        command: (now) => ({ type: 'PromoteWaitlistedDelegate', now }),
        personal: 'sealed',
        metadata: {
          correlationId: trigger.metadata.correlationId,
          causationId: trigger.eventId,
          actor: 'process:waitlist',
        },
      });
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

export const handler = busConsumer(async (envelope) => {
  for (const generation of await liveGenerations(waitlistProjection.name))
    await runner.apply(envelope, generation);
  if (mayFreeASeat(envelope)) await fillFreeSeats(envelope);
});
