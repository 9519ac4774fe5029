import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { agendaDecider, sessionStreamId } from '../../domain/agenda/decider.js';
import type { AgendaEvent } from '../../domain/agenda/events.js';
import { conferenceDecider, conferenceStreamId } from '../../domain/conference/decider.js';
import {
  currentSchemaVersion,
  type DomainEvent,
  type EventEnvelope,
  validateEvent,
} from '../../domain/events.js';
import {
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import { carriesPlainPersonalData, type RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { fullJitter } from '../../functions/shared/resilience/policy.js';
import { conference as iclc2015, sessions } from '../../local/demo/iclc2015.js';
import { delegateBody } from './delegates.js';

/** A seeded generator of numbers in [0, 1) (pure-rand), so that every run writes the same kind of history. */
const random = (seed: number) => {
  const generator = xoroshiro128plus(seed);
  return () => uniformFloat64(generator);
};

export interface History {
  conferenceId: string;
  /** Every stream's events in version order, the conference and agenda streams first. */
  streams: EventEnvelope[][];
  events: number;
  registrations: number;
}

/**
 * One conference (ICLC 2015 with its demo agenda) and registrations with realistic life cycles until
 * `events` events are reached, each decided by the deciders from the state before it: most delegates
 * get a seat, the rest wait; many check in; some cancel; some of the waiting are promoted.
 */
export const registrationHistory = (
  target: number,
  seed = 2015,
  options: {
    /**
     * `opaque` (default): the personal part an opaque string, as if sealed, for benches that never open it;
     * `plain`: the personal part as the deciders made it, to be sealed with real data keys by the caller.
     */
    personal?: 'opaque' | 'plain';
  } = {},
): History => {
  const opaque = (options.personal ?? 'opaque') === 'opaque';
  const next = random(seed);
  const conferenceId = randomUUID();
  let clock = Date.UTC(2015, 2, 1, 12, 0, 0);
  const tick = () => {
    clock += 1_000;
    return new Date(clock).toISOString();
  };
  const envelopes = (streamId: string, events: DomainEvent[], times: string[]): EventEnvelope[] =>
    events.map((event, index) => {
      const valid = validateEvent(event);
      return {
        eventId: randomUUID(),
        type: valid.type,
        streamId,
        version: index + 1,
        conferenceId,
        occurredAt: times[index] ?? tick(),
        // `opaque`: stored as if sealed, the personal part an opaque string (a bench that never opens it).
        data:
          opaque && carriesPlainPersonalData(valid) ? { ...valid.data, personal: 'pd1.1.bench' } : valid.data,
        metadata: {
          correlationId: randomUUID(),
          actor: 'bench',
          schemaVersion: currentSchemaVersion(valid.type),
        },
      } as EventEnvelope;
    });

  const registrationsWanted = Math.max(1, Math.round(target / 2.2));
  const details = { ...iclc2015, capacity: Math.max(1, Math.floor(registrationsWanted * 0.8)) };
  const created = conferenceDecider.decide(
    { type: 'CreateConference', conferenceId, details },
    conferenceDecider.initialState,
  );
  const streams: EventEnvelope[][] = [envelopes(conferenceStreamId(conferenceId), created, [tick()])];
  let events = 1;

  const frame = { conferenceId, ...details };
  const agenda: AgendaEvent[] = [];
  for (const session of sessions) {
    if (events + agenda.length >= target) break;
    try {
      agenda.push(
        ...agendaDecider.decide(
          { type: 'ScheduleSession', sessionId: randomUUID(), conference: frame, session },
          fold(agendaDecider, agenda),
        ),
      );
    } catch {
      // a clash in the demo program: leave that session out
    }
  }
  // Each session is a stream of its own (one SessionScheduled each).
  for (const scheduled of agenda)
    streams.push(envelopes(sessionStreamId(scheduled.data.sessionId), [scheduled], [tick()]));
  events += agenda.length;

  let seatsHeld = 0;
  let registrations = 0;
  while (events < target) {
    const registrationId = randomUUID();
    const seatAvailable = seatsHeld < details.capacity;
    const commands: Array<(now: string) => RegistrationCommand> = [
      (now) => ({
        type: 'RegisterDelegate',
        registrationId,
        conferenceId,
        delegate: (({ consent: _consent, ...delegate }) => delegate)(delegateBody(registrations, 'rebuild')),
        emailKey: `bench-${registrationId}`,
        manageTokenHash: 'bench',
        seatAvailable,
        now,
      }),
    ];
    const r = next();
    if (seatAvailable) {
      seatsHeld++;
      if (r < 0.8) {
        commands.push((now) => ({ type: 'CheckInDelegate', now }));
        if (next() < 0.1) commands.push((now) => ({ type: 'CancelRegistration', by: 'organizer', now }));
      } else if (r < 0.95) commands.push((now) => ({ type: 'CancelRegistration', by: 'delegate', now }));
    } else if (r < 0.6 && seatsHeld < details.capacity) {
      seatsHeld++; // a seat freed up by a cancellation
      commands.push((now) => ({ type: 'PromoteWaitlistedDelegate', now }));
      if (next() < 0.8) commands.push((now) => ({ type: 'CheckInDelegate', now }));
    } else if (r < 0.85) commands.push((now) => ({ type: 'CancelRegistration', by: 'delegate', now }));

    const decided: RegistrationEvent[] = [];
    const times: string[] = [];
    for (const command of commands.slice(0, Math.max(1, target - events))) {
      const now = tick();
      const produced = registrationDecider.decide(command(now), fold(registrationDecider, decided));
      decided.push(...produced);
      times.push(...produced.map(() => now));
    }
    const last = decided.at(-1);
    if (last?.type === 'RegistrationCancelled' && last.data.previousStatus !== 'waitlisted') seatsHeld--;
    streams.push(envelopes(registrationStreamId(registrationId), decided, times));
    events += decided.length;
    registrations++;
  }
  return { conferenceId, streams, events, registrations };
};

/** The event item as EventStore.append writes it: the envelope under its stream key and `kind`. */
export const eventItem = (envelope: EventEnvelope): Record<string, unknown> => ({
  pk: envelope.streamId,
  sk: envelope.version,
  kind: 'event',
  ...envelope,
  ...(envelope.type === 'ConferenceCreated' ? { catalog: 'conference' } : {}),
});

/** Puts items with BatchWriteItem, 25 a request, `concurrency` requests at a time, retrying the unprocessed. */
export const batchPut = async (
  client: DynamoDBClient,
  tableName: string,
  items: Iterable<Record<string, unknown>>,
  { concurrency = 8, onWritten }: { concurrency?: number; onWritten?: (count: number) => void } = {},
): Promise<number> => {
  const batches: WriteRequest[][] = [];
  let batch: WriteRequest[] = [];
  for (const item of items) {
    batch.push({ PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } });
    if (batch.length === 25) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  let written = 0;
  let nextBatch = 0;
  const worker = async () => {
    for (;;) {
      let requests = batches[nextBatch++];
      if (!requests) return;
      for (let attempt = 1; requests.length > 0; attempt++) {
        const result: BatchWriteItemCommandOutput = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
        );
        const unprocessed: WriteRequest[] = result.UnprocessedItems?.[tableName] ?? [];
        written += requests.length - unprocessed.length;
        onWritten?.(written);
        requests = unprocessed;
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, fullJitter(attempt)));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return written;
};
