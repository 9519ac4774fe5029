import { dynamoDb, tableNames } from '../shared/config.js';
import { busConsumer } from '../shared/consumer.js';
import { ProjectionRunner } from '../shared/projection-runner.js';
import { delegateCountsProjection } from '../shared/projections.js';
import { liveGenerations } from '../shared/read-models.js';
import { eventStore } from '../shared/stores.js';

const runner = new ProjectionRunner(delegateCountsProjection, {
  client: dynamoDb(),
  tableName: tableNames().readModels,
  store: eventStore(),
});

export const handler = busConsumer(async (envelope) => {
  for (const generation of await liveGenerations(delegateCountsProjection.name))
    await runner.apply(envelope, generation);
});
