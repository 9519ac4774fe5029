import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type Conference,
  conferenceDecider,
  conferenceStreamId,
} from '../../../domain/conference/decider.js';
import type { ConferenceEvent } from '../../../domain/conference/events.js';
import { fold } from '../../../domain/shared/decider.js';
import { notFound } from '../http/errors.js';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { metricNames, metrics } from '../runtime/observability.js';
import { type AppendConflictError, EventStore } from './event-store.js';

/** An append refused because a stream moved on is retried by its caller: one more conflict. */
const countStreamConflict = (error: AppendConflictError): void => {
  if (error.stream && !error.idempotency) metrics.addMetric(metricNames.conflicts, MetricUnit.Count, 1);
};

let store: EventStore | undefined;

export const eventStore = (): EventStore => {
  store ??= new EventStore({
    client: dynamoDb(),
    tableName: tableNames().events,
    onConflict: countStreamConflict,
  });
  return store;
};

const conferences = new Map<string, Conference>();

/** A conference never changes once created, so each execution environment reads it once. */
export const loadConference = async (conferenceId: string): Promise<Conference> => {
  const cached = conferences.get(conferenceId);
  if (cached) return cached;
  const events = (await eventStore().load(conferenceStreamId(conferenceId))) as ConferenceEvent[];
  const state = fold(conferenceDecider, events);
  if (state.status === 'none') throw notFound(`No conference ${conferenceId}`);
  const { status: _status, ...conference } = state;
  conferences.set(conferenceId, conference);
  return conference;
};
