import { openedEventStore } from '../shared/event-store/stores.js';
import { eventCodec, usePersonalData, useSensitiveData } from '../shared/personal-data/personal-data.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { answersSummaryProjection } from '../shared/projections/projections.js';
import { liveGenerations } from '../shared/projections/read-models.js';
import { dynamoDb, tableNames } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';

// Granted the registrations' personal data and sensitive answers' key (infra/definitions): it reads the
// tallies sealed beside the answers, and writes counts only.
useSensitiveData();
usePersonalData();

const runner = new ProjectionRunner(answersSummaryProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: openedEventStore(),
});

export const handler = busConsumer(
  async (envelope) => {
    const opened = await eventCodec(true).open(envelope);
    for (const generation of await liveGenerations(answersSummaryProjection.name))
      await runner.apply(opened, generation);
  },
  {
    // A batch's rows and the counters they change, summed, in one transaction.
    batch: async (envelopes) => {
      const codec = eventCodec(true);
      const opened = await Promise.all(envelopes.map((envelope) => codec.open(envelope)));
      for (const generation of await liveGenerations(answersSummaryProjection.name))
        await runner.applyBatch(opened, generation);
    },
  },
);
