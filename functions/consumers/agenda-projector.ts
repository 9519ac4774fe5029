import { dynamoDb, tableNames } from '../shared/config.js';
import { busConsumer } from '../shared/consumer.js';
import { ProjectionRunner } from '../shared/projection-runner.js';
import { agendaProjection } from '../shared/projections.js';
import { liveGenerations } from '../shared/read-models.js';
import { eventStore } from '../shared/stores.js';

const runner = new ProjectionRunner(agendaProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: eventStore(),
});

export const handler = busConsumer(async (envelope) => {
  for (const generation of await liveGenerations(agendaProjection.name))
    await runner.apply(envelope, generation);
});
