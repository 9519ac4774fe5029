import { eventStore } from '../shared/event-store/stores.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { delegateCountsProjection } from '../shared/projections/projections.js';
import { liveGenerations } from '../shared/projections/read-models.js';
import { dynamoDb, tableNames } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';

const runner = new ProjectionRunner(delegateCountsProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: eventStore(),
});

export const handler = busConsumer(
  async (envelope) => {
    for (const generation of await liveGenerations(delegateCountsProjection.name))
      await runner.apply(envelope, generation);
  },
  {
    // A batch of registrations is one transaction: their rows and the summary's counters summed.
    batch: async (envelopes) => {
      for (const generation of await liveGenerations(delegateCountsProjection.name))
        await runner.applyBatch(envelopes, generation);
    },
  },
);
