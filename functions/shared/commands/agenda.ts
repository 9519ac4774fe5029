import {
  type AgendaCommand,
  clashError,
  occupancyChanges,
  type SessionState,
  sessionDecider,
} from '../../../domain/agenda/decider.js';
import { type OccupancyUpdate, occupancyItemKey } from '../../../domain/agenda/occupancy.js';
import type { Conference } from '../../../domain/conference/decider.js';
import {
  type AgendaReadModel,
  type AgendaRow,
  agendaReadModelOf,
} from '../../../domain/projections/agenda.js';
import { agendaProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { existingConference, loadConference } from './conference.js';
import { defineCommand, newStream } from './pipeline.js';
import { conferenceStream, sessionStream } from './streams.js';

const OCCUPANCY = 'occupancy';

/** The session's state if it is a session of this conference; a session of another one is none of its. */
export const sessionOf = (state: SessionState, conferenceId: string): SessionState =>
  state?.conferenceId === conferenceId ? state : null;

/**
 * A change to one session (schedule, reschedule, cancel) on its own stream, with its room-day and
 * speaker-day occupancy updates as guards of the same transaction: DynamoDB refuses it exactly when the
 * new slot overlaps another session's in that room or for that speaker, and the refused item names the
 * session in the way (409). Bookings that do not clash share no condition, so they never refuse each
 * other, and a command reads at most its session's tip and the conference's (once per environment): a
 * new session reads nothing (its stream is new), a cancellation does not need the conference.
 * `command` is given the conference when it needs it (its days, hours and rooms), or is the command.
 */
export const changeSession = (
  conferenceId: string,
  sessionId: string,
  command: AgendaCommand | ((conference: Conference) => AgendaCommand),
  options: { isNew?: boolean } = {},
) => {
  let updates: OccupancyUpdate[] = [];
  return defineCommand({
    subject: `Session ${sessionId}`,
    reads: {
      conference: typeof command === 'function' ? conferenceStream(conferenceId) : undefined,
      session: options.isNew ? newStream(sessionStream(sessionId)) : sessionStream(sessionId),
    },
    decide: (streams) => {
      const decided =
        typeof command === 'function'
          ? command(existingConference(streams.conference ?? { status: 'none' }, conferenceId))
          : command;
      const current = sessionOf(streams.session, conferenceId);
      const events = sessionDecider.decide(decided, current);
      updates = occupancyChanges(
        conferenceId,
        sessionId,
        current,
        events.reduce(sessionDecider.evolve, current),
      );
      return {
        append: [{ to: 'session', events }],
        guards: updates.map((update) => ({
          op: 'occupy' as const,
          name: OCCUPANCY,
          key: occupancyItemKey(update.key),
          update,
        })),
        result: events,
      };
    },
    guardRefused: (guards, error) => {
      if (!guards.includes(OCCUPANCY)) return undefined;
      const refused = error.refusedGuards(OCCUPANCY);
      // The room first, then the speakers, as the updates are ordered.
      const first = updates.find((update) => refused.some((r) => r.key === occupancyItemKey(update.key)));
      const stored = refused.find((r) => first && r.key === occupancyItemKey(first.key))?.stored;
      if (first) throw clashError(first, stored ?? {});
      return undefined;
    },
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
