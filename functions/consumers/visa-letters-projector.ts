import { visaLetterStreamId } from '../../domain/visa-letter/decider.js';
import { openedEventStore } from '../shared/event-store/stores.js';
import { eventCodec, usePersonalData } from '../shared/personal-data/personal-data.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { visaLettersProjection } from '../shared/projections/projections.js';
import { liveGenerations, readModelTable } from '../shared/projections/read-models.js';
import { dynamoDb } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';

// Granted the registrations' personal data (infra/definitions): the list shows names and nationalities.
usePersonalData();

const runner = new ProjectionRunner(visaLettersProjection, {
  client: dynamoDb(),
  tableName: readModelTable(visaLettersProjection.name),
  store: openedEventStore(),
});

export const handler = busConsumer(
  async (sealed) => {
    const envelope = await eventCodec(true).open(sealed);
    for (const generation of await liveGenerations(visaLettersProjection.name)) {
      await runner.apply(envelope, generation);
      // The letter is in a stream of its own: its row goes with the registration's personal data.
      if (envelope.type === 'PersonalDataErased')
        await runner.close(
          visaLetterStreamId(envelope.data.registrationId),
          envelope.conferenceId,
          generation,
        );
    }
  },
  {
    // A batch's rows (and their lookups) in as few transactions as fit; then the erased ones' letters closed.
    batch: async (sealed) => {
      const codec = eventCodec(true);
      const envelopes = await Promise.all(sealed.map((envelope) => codec.open(envelope)));
      for (const generation of await liveGenerations(visaLettersProjection.name)) {
        await runner.applyBatch(envelopes, generation);
        for (const envelope of envelopes)
          if (envelope.type === 'PersonalDataErased')
            await runner.close(
              visaLetterStreamId(envelope.data.registrationId),
              envelope.conferenceId,
              generation,
            );
      }
    },
  },
);
