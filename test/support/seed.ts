import { conferenceDecider, conferenceStreamId } from '../../domain/conference/decider.js';
import type { ConferenceDetails } from '../../domain/conference/events.js';
import type { EventEnvelope } from '../../domain/events.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { iclc2015 } from '../domain/fixtures.js';

/** Creates a conference through its decider and the event store, as the command would; returns its events. */
export const appendConference = (
  store: EventStore,
  conferenceId: string,
  options: { now: string; correlationId?: string; details?: ConferenceDetails },
): Promise<EventEnvelope[]> =>
  store.append({
    conferenceId,
    correlationId: options.correlationId ?? 'seed',
    now: options.now,
    streams: [
      {
        streamId: conferenceStreamId(conferenceId),
        expectedVersion: 0,
        events: conferenceDecider.decide(
          { type: 'CreateConference', conferenceId, details: options.details ?? iclc2015 },
          conferenceDecider.initialState,
        ),
      },
    ],
  });
