import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { metricNames, metrics } from '../runtime/observability.js';
import { type AppendConflictError, EventStore } from './event-store.js';

/** An append refused because a stream moved on is decided again by the pipeline: one more conflict. */
const countStreamConflict = (error: AppendConflictError): void => {
  if (error.stream && !error.idempotency) metrics.addMetric(metricNames.conflicts, MetricUnit.Count, 1);
};

let store: EventStore | undefined;

/** The event store of the functions, on their tables and client (one per execution environment). */
export const eventStore = (): EventStore => {
  store ??= new EventStore({
    client: dynamoDb(),
    tableName: tableNames().events,
    stateTableName: tableNames().streamState,
    onConflict: countStreamConflict,
  });
  return store;
};
