import { openedEventStore } from '../shared/event-store/stores.js';
import { eventCodec, usePersonalData, useSensitiveData } from '../shared/personal-data/personal-data.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { registrantListProjection } from '../shared/projections/projections.js';
import { liveGenerations, readModelTable } from '../shared/projections/read-models.js';
import { scrubOlderGenerations } from '../shared/projections/registrant-list.js';
import { dynamoDb } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';

// Granted the registrations' personal data (infra/definitions): the list holds names and addresses.
// And the sensitive answers' key: the list keeps them apart, shown only to `sensitive-data` (CONTRACT 5.2).
useSensitiveData();
usePersonalData();

const runner = new ProjectionRunner(registrantListProjection, {
  client: dynamoDb(),
  tableName: readModelTable(registrantListProjection.name),
  // Gaps are filled with events read opened, like the delivered one.
  store: openedEventStore(),
});

export const handler = busConsumer(
  async (envelope) => {
    // The bus carries the personal part sealed; once erased it opens as the erased marker (no row).
    const opened = await eventCodec(true).open(envelope);
    const generations = await liveGenerations(registrantListProjection.name);
    for (const generation of generations) await runner.apply(opened, generation);
    if (opened.type === 'PersonalDataErased')
      await scrubOlderGenerations(opened.conferenceId, opened.streamId, generations);
  },
  {
    // A batch's rows and index entries in as few transactions as fit (up to 100 items each).
    batch: async (envelopes) => {
      const codec = eventCodec(true);
      const opened = await Promise.all(envelopes.map((envelope) => codec.open(envelope)));
      const generations = await liveGenerations(registrantListProjection.name);
      for (const generation of generations) await runner.applyBatch(opened, generation);
      for (const event of opened)
        if (event.type === 'PersonalDataErased')
          await scrubOlderGenerations(event.conferenceId, event.streamId, generations);
    },
  },
);
