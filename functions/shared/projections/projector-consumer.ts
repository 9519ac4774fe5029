import type { EventEnvelope } from '../../../domain/events.js';
import type { EventStore } from '../event-store/event-store.js';
import { eventStore } from '../event-store/stores.js';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { busConsumer } from '../runtime/consumer.js';
import { ProjectionRunner, type StreamProjection } from './projection-runner.js';
import { liveGenerations } from './read-models.js';

/**
 * A function granted the events' personal data opens each delivered event (its codec's `open`) and fills
 * gaps from the store that reads them opened. Given by the consumer, so that a projector without that grant
 * bundles no personal-data code (test/infra/personal-data-bundles.test.ts).
 */
export interface OpenedEvents {
  open: (envelope: EventEnvelope) => Promise<EventEnvelope>;
  store: EventStore;
}

/**
 * The consumer of a projection kept in the read models' table: each delivered event, or a delivered batch
 * at once (its rows in as few requests as fit, not a read and a write per event), into every live
 * generation; with `opened`, the events opened first.
 */
export const projectorConsumer = <Row>(projection: StreamProjection<Row>, opened?: OpenedEvents) => {
  const runner = new ProjectionRunner(projection, {
    client: dynamoDb(),
    tableName: tableNames().readModels,
    store: opened?.store ?? eventStore(),
  });
  const open = (envelope: EventEnvelope) => (opened ? opened.open(envelope) : Promise.resolve(envelope));
  return busConsumer(
    async (envelope) => {
      const event = await open(envelope);
      for (const generation of await liveGenerations(projection.name)) await runner.apply(event, generation);
    },
    {
      batch: async (envelopes) => {
        const events = await Promise.all(envelopes.map(open));
        for (const generation of await liveGenerations(projection.name))
          await runner.applyBatch(events, generation);
      },
    },
  );
};
