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

export const handler = busConsumer(async (sealed) => {
  const envelope = await eventCodec(true).open(sealed);
  for (const generation of await liveGenerations(invitationsProjection.name)) {
    // The erasure of a registration made from an invitation erases the invitee's data: its row goes too.
    if (envelope.type === 'PersonalDataErased') {
      if (envelope.data.invitationId)
        await runner.close(invitationStreamId(envelope.data.invitationId), envelope.conferenceId, generation);
      continue;
    }
    await runner.apply(envelope, generation);
  }
});
