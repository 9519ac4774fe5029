import {
  type AgendaCommand,
  clashError,
  occupancyChanges,
  type SessionState,
  sessionDecider,
  sessionStreamId,
} from '../../../domain/agenda/decider.js';
import type { AgendaEvent } from '../../../domain/agenda/events.js';
import { occupancyItemKey } from '../../../domain/agenda/occupancy.js';
import { type AwardsState, awardDecider, awardsStreamId } from '../../../domain/award/decider.js';
import type { AwardEvent } from '../../../domain/award/events.js';
import type { Conference } from '../../../domain/conference/decider.js';
import {
  type AgendaReadModel,
  type AgendaRow,
  agendaReadModelOf,
} from '../../../domain/projections/agenda.js';
import { fold } from '../../../domain/shared/decider.js';
import { AppendConflictError, type IdempotencyWrite } from '../event-store/event-store.js';
import { eventStore, loadConference } from '../event-store/stores.js';
import { agendaProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { retryOnStreamConflict } from './command.js';

export interface Loaded<State> {
  state: State;
  /** The stream's version: the expected version of the next append. */
  version: number;
}

/** A session's own stream, folded; a session of another conference is none of this one's. */
export const loadSession = async (conferenceId: string, sessionId: string): Promise<Loaded<SessionState>> => {
  const envelopes = await eventStore().load(sessionStreamId(sessionId));
  if (envelopes.some((envelope) => envelope.conferenceId !== conferenceId))
    return { state: sessionDecider.initialState, version: envelopes.length };
  return { state: fold(sessionDecider, envelopes as AgendaEvent[]), version: envelopes.length };
};

export const loadAwards = async (conferenceId: string): Promise<Loaded<AwardsState>> => {
  const events = (await eventStore().load(awardsStreamId(conferenceId))) as AwardEvent[];
  return { state: fold(awardDecider, events), version: events.length };
};

export interface AgendaChange {
  conferenceId: string;
  command: AgendaCommand;
  metadata: { correlationId: string; actor?: string; now: string };
  idempotency?: IdempotencyWrite;
  /** The session's stream as already read (with the conference, at once); the first try uses it. */
  loaded?: Loaded<SessionState>;
}

const OCCUPANCY = 'occupancy';

/**
 * Load → decide → append on one session's stream, with its room-day and speaker-day occupancy updates in
 * the same transaction: DynamoDB refuses it exactly when the new slot overlaps another session's in that
 * room or for that speaker, and the refused item names the session in the way (409). Bookings that do
 * not clash touch no common condition, so they never refuse each other, and no command reads more than
 * the session's own stream: a new session reads nothing (its stream cannot exist yet; the append's
 * version check holds that), a reschedule or cancellation reads its stream once.
 */
export const changeSession = ({ conferenceId, command, metadata, idempotency, loaded }: AgendaChange) => {
  let preloaded = loaded;
  return retryOnStreamConflict(`Session ${command.sessionId}`, async () => {
    const { state, version } =
      command.type === 'ScheduleSession'
        ? { state: sessionDecider.initialState, version: 0 }
        : (preloaded ?? (await loadSession(conferenceId, command.sessionId)));
    preloaded = undefined;
    const events = sessionDecider.decide(command, state);
    if (events.length === 0) return events;
    const after = events.reduce(sessionDecider.evolve, state);
    const updates = occupancyChanges(conferenceId, command.sessionId, state, after);
    try {
      await eventStore().append({
        ...metadata,
        conferenceId,
        streams: [{ streamId: sessionStreamId(command.sessionId), expectedVersion: version, events }],
        guards: updates.map((update) => ({
          op: 'occupy' as const,
          name: OCCUPANCY,
          key: occupancyItemKey(update.key),
          update,
        })),
        idempotency,
      });
    } catch (error) {
      if (!(error instanceof AppendConflictError) || error.stream || error.idempotency) throw error;
      const refused = error.guards(OCCUPANCY);
      // The room first, then the speakers, as the updates are ordered.
      const first = updates.find((update) => refused.some((r) => r.key === occupancyItemKey(update.key)));
      const stored = refused.find((r) => first && r.key === occupancyItemKey(first.key))?.stored;
      if (first) throw clashError(first, stored ?? {});
      throw error;
    }
    return events;
  });
};

/**
 * The agenda read model of a conference. Until the projection has seen the conference, the conference is
 * read from the event store (404 when there is none), so a new conference shows its empty days at once.
 */
export const readAgenda = async (
  conferenceId: string,
): Promise<AgendaReadModel & { conference: Conference }> => {
  const model = agendaReadModelOf(await readModelRows<AgendaRow>(agendaProjection.name, conferenceId));
  return { ...model, conference: model.conference ?? (await loadConference(conferenceId)) };
};
