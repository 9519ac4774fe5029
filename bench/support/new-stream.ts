import type { DomainEvent } from '../../domain/events.js';
import type { StreamRef } from '../../functions/shared/commands/streams.js';
import type { EventStore, Guard } from '../../functions/shared/event-store/event-store.js';

/** Appends a new stream's events with the tip and snapshot the command pipeline writes. */
export const appendNewStream = <State, Event extends DomainEvent>(
  store: EventStore,
  conferenceId: string,
  stream: StreamRef<State, Event>,
  events: Event[],
  guards: Guard[] = [],
) =>
  store.append({
    conferenceId,
    correlationId: 'bench',
    now: new Date().toISOString(),
    streams: [
      {
        streamId: stream.streamId,
        expectedVersion: 0,
        events,
        snapshot: {
          schema: stream.type.snapshot,
          state: events.reduce(stream.type.evolve, stream.type.initialState),
        },
      },
    ],
    guards,
  });
