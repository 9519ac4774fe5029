import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type Conference,
  conferenceDecider,
  conferenceStreamId,
} from '../../../domain/conference/decider.js';
import type { ConferenceEvent } from '../../../domain/conference/events.js';
import { fold } from '../../../domain/shared/decider.js';
import { notFound } from '../http/errors.js';
import { eventCodec } from '../personal-data/personal-data.js';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { metricNames, metrics } from '../runtime/observability.js';
import { type AppendConflictError, EventStore } from './event-store.js';

/** An append refused because a stream moved on is retried by its caller: one more conflict. */
const countStreamConflict = (error: AppendConflictError): void => {
  if (error.stream && !error.idempotency) metrics.addMetric(metricNames.conflicts, MetricUnit.Count, 1);
};

const stores = new Map<boolean, EventStore>();

const storeOf = (open: boolean): EventStore => {
  let store = stores.get(open);
  if (!store) {
    store = new EventStore({
      client: dynamoDb(),
      tableName: tableNames().events,
      onConflict: countStreamConflict,
      codec: eventCodec(open),
    });
    stores.set(open, store);
  }
  return store;
};

/** The event store as most functions need it: personal data sealed on writes and left sealed on reads. */
export const eventStore = (): EventStore => storeOf(false);

/**
 * The event store for the functions that need a registration's personal data (and have the grant to
 * decrypt its data key): reads come back with the personal part opened, or the erased marker.
 */
export const openedEventStore = (): EventStore => storeOf(true);

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
