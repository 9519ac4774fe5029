import type { EventEnvelope } from '../../domain/events.js';
import { invitationStreamId } from '../../domain/invitation/decider.js';
import { openedEventStore } from '../shared/event-store/stores.js';
import { eventCodec, usePersonalData } from '../shared/personal-data/personal-data.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { invitationsProjection } from '../shared/projections/projections.js';
import { liveGenerations, readModelTable } from '../shared/projections/read-models.js';
import { dynamoDb } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';

// Granted the invitations' personal data (infra/definitions): the list shows the invitees' addresses.
usePersonalData();

const runner = new ProjectionRunner(invitationsProjection, {
  client: dynamoDb(),
  tableName: readModelTable(invitationsProjection.name),
  store: openedEventStore(),
});

/** The erasure of a registration made from an invitation erases the invitee's data: its row goes too. */
const closeInvitationOfErased = async (envelope: EventEnvelope, generation: number) => {
  if (envelope.type === 'PersonalDataErased' && envelope.data.invitationId)
    await runner.close(invitationStreamId(envelope.data.invitationId), envelope.conferenceId, generation);
};

export const handler = busConsumer(
  async (sealed) => {
    const envelope = await eventCodec(true).open(sealed);
    for (const generation of await liveGenerations(invitationsProjection.name)) {
      if (envelope.type === 'PersonalDataErased') await closeInvitationOfErased(envelope, generation);
      else await runner.apply(envelope, generation);
    }
  },
  {
    // A batch's rows in as few requests as fit (not a read and a write per event); then the rows of the
    // invitations whose registrations were erased closed, as one by one.
    batch: async (sealed) => {
      const codec = eventCodec(true);
      const envelopes = await Promise.all(sealed.map((envelope) => codec.open(envelope)));
      const applied = envelopes.filter((envelope) => envelope.type !== 'PersonalDataErased');
      for (const generation of await liveGenerations(invitationsProjection.name)) {
        await runner.applyBatch(applied, generation);
        for (const envelope of envelopes) await closeInvitationOfErased(envelope, generation);
      }
    },
  },
);
