import { eventStore } from '../shared/event-store/stores.js';
import { ProjectionRunner } from '../shared/projections/projection-runner.js';
import { agendaProjection } from '../shared/projections/projections.js';
import { liveGenerations } from '../shared/projections/read-models.js';
import { dynamoDb, tableNames } from '../shared/runtime/config.js';
import { busConsumer } from '../shared/runtime/consumer.js';

const runner = new ProjectionRunner(agendaProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: eventStore(),
});

export const handler = busConsumer(
  async (envelope) => {
    for (const generation of await liveGenerations(agendaProjection.name))
      await runner.apply(envelope, generation);
  },
  {
    // A batch's rows in as few requests as fit, not a read and a write per event.
    batch: async (envelopes) => {
      for (const generation of await liveGenerations(agendaProjection.name))
        await runner.applyBatch(envelopes, generation);
    },
  },
);
