import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventCodec } from '../personal-data/codec.js';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { metricNames, metrics } from '../runtime/observability.js';
import { type AppendConflictError, EventStore } from './event-store.js';

/** An append refused because a stream moved on is decided again by the pipeline: one more conflict. */
const countStreamConflict = (error: AppendConflictError): void => {
  if (error.stream && !error.idempotency) metrics.addMetric(metricNames.conflicts, MetricUnit.Count, 1);
};

const stores = new Map<boolean, EventStore>();

let codecOf: ((open: boolean) => EventCodec) | undefined;

/**
 * Given at module scope by the functions that seal or open personal data (`usePersonalData`), so that
 * only their bundles carry KMS and the key caches. Without it the store writes events that hold no
 * personal data and reads personal parts sealed, as they are stored.
 */
export const supplyEventCodec = (codec: (open: boolean) => EventCodec): void => {
  if (codecOf === codec) return;
  codecOf = codec;
  stores.clear();
};

/** Whether this function was given the personal-data codec. */
export const personalDataCodecSupplied = (): boolean => codecOf !== undefined;

const storeOf = (open: boolean): EventStore => {
  let store = stores.get(open);
  if (!store) {
    store = new EventStore({
      client: dynamoDb(),
      tableName: tableNames().events,
      stateTableName: tableNames().streamState,
      onConflict: countStreamConflict,
      ...(codecOf ? { codec: codecOf(open) } : {}),
    });
    stores.set(open, store);
  }
  return store;
};

/**
 * The event store of the functions, on their tables and client (one per execution environment):
 * personal data sealed on every write and left sealed on reads.
 */
export const eventStore = (): EventStore => storeOf(false);

/**
 * The event store for the functions that need a registration's personal data (and have the grant to
 * decrypt its data key): reads come back with the personal part opened, or the erased marker.
 */
export const openedEventStore = (): EventStore => {
  if (!codecOf)
    throw new Error('Reading personal data needs the personal-data codec: call usePersonalData()');
  return storeOf(true);
};
