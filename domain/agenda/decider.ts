import type { Conference } from '../conference/decider.js';
import type { Room } from '../conference/events.js';
import { type Decider, unreachable } from '../shared/decider.js';
import { ConflictError, type FieldError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import { comparableName, minutesOf } from '../shared/values.js';
import type { AgendaEvent, SessionDetails, Slot, SlotChange, Speaker } from './events.js';

/** What every session must fit in: the conference's days, daily hours and rooms. */
export type ConferenceFrame = Pick<
  Conference,
  'conferenceId' | 'startDate' | 'endDate' | 'dailyStart' | 'dailyEnd' | 'rooms'
>;

export type AgendaCommand =
  | { type: 'ScheduleSession'; sessionId: string; conference: ConferenceFrame; session: SessionDetails }
  | { type: 'RescheduleSession'; sessionId: string; conference: ConferenceFrame; change: SlotChange }
  | { type: 'CancelSession'; sessionId: string; now: string };

export type SessionStatus = 'scheduled' | 'cancelled';

export type AgendaSession = SessionDetails & {
  sessionId: string;
  status: SessionStatus;
  /** How often the session was rescheduled: the SEQUENCE of its calendar entry. */
  sequence: number;
  cancelledAt?: string;
};

/**
 * The whole agenda of one conference is one consistency boundary (stream `agenda-<conferenceId>`): room
 * and speaker clashes are decided against every session, and the stream's version serialises bookings.
 * Sessions are kept in the order they were scheduled.
 */
export interface AgendaState {
  sessions: AgendaSession[];
}

export const agendaStreamId = (conferenceId: string) => `agenda-${conferenceId}`;

export const findSession = (agenda: AgendaState, sessionId: string): AgendaSession | undefined =>
  agenda.sessions.find((session) => session.sessionId === sessionId);

const existingSession = (agenda: AgendaState, sessionId: string): AgendaSession => {
  const session = findSession(agenda, sessionId);
  if (!session) throw new NotFoundError(`No session ${sessionId} in the agenda`);
  return session;
};

const roomNamed = (conference: ConferenceFrame, name: string): Room | undefined =>
  conference.rooms.find((room) => comparableName(room.name) === comparableName(name));

const slotViolations = (slot: Slot, conference: ConferenceFrame): FieldError[] => {
  const errors: FieldError[] = [];
  if (slot.date < conference.startDate || slot.date > conference.endDate)
    errors.push({
      path: 'date',
      message: `must be a day of the conference, ${conference.startDate} to ${conference.endDate}`,
    });
  if (minutesOf(slot.start) < minutesOf(conference.dailyStart))
    errors.push({
      path: 'start',
      message: `must not be before the conference's day starts (${conference.dailyStart})`,
    });
  if (minutesOf(slot.end) > minutesOf(conference.dailyEnd))
    errors.push({
      path: 'end',
      message: `must not be after the conference's day ends (${conference.dailyEnd})`,
    });
  if (minutesOf(slot.end) <= minutesOf(slot.start))
    errors.push({ path: 'end', message: 'must be after start' });
  if (!roomNamed(conference, slot.room))
    errors.push({
      path: 'room',
      message: `must be one of the conference's rooms: ${conference.rooms.map((room) => room.name).join(', ')}`,
    });
  return errors;
};

const speakersListedTwice = (speakers: readonly Speaker[]): FieldError[] => {
  const seen = new Set<string>();
  return speakers.flatMap((speaker, index) => {
    const name = comparableName(speaker.name);
    if (seen.has(name)) return [{ path: `speakers.${index}.name`, message: 'is listed twice' }];
    seen.add(name);
    return [];
  });
};

/** The slot with the room spelled as the conference spells it; throws when the slot breaks a rule. */
const validSlot = (slot: Slot, conference: ConferenceFrame, extraErrors: FieldError[] = []): Slot => {
  const errors = [...slotViolations(slot, conference), ...extraErrors];
  const room = roomNamed(conference, slot.room);
  if (errors.length > 0 || !room)
    throw new InvalidCommandError('The session does not fit the conference', errors);
  return { ...slot, room: room.name };
};

/** Half-open intervals [start, end): a session ending at 10:00 and one starting at 10:00 do not overlap. */
const overlaps = (a: Slot, b: Slot): boolean =>
  a.date === b.date && minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end);

/** Refuses a slot whose room or speakers are taken by another session that is not cancelled. */
const assertNoClash = (agenda: AgendaState, sessionId: string, slot: Slot, speakers: readonly Speaker[]) => {
  const speakerNames = new Set(speakers.map((speaker) => comparableName(speaker.name)));
  for (const other of agenda.sessions) {
    if (other.sessionId === sessionId || other.status === 'cancelled' || !overlaps(slot, other)) continue;
    const when = `${other.date} ${other.start}–${other.end}`;
    if (comparableName(other.room) === comparableName(slot.room))
      throw new ConflictError(`Room ${other.room} is taken by session ${other.sessionId} (${when})`);
    const shared = other.speakers.find((speaker) => speakerNames.has(comparableName(speaker.name)));
    if (shared)
      throw new ConflictError(`Speaker ${shared.name} is in session ${other.sessionId} then (${when})`);
  }
};

const sameSlot = (a: Slot, b: Slot) =>
  a.date === b.date && a.start === b.start && a.end === b.end && a.room === b.room;

const definedFields = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;

const withSession = (
  agenda: AgendaState,
  sessionId: string,
  change: (session: AgendaSession) => AgendaSession,
) => ({
  sessions: agenda.sessions.map((session) => (session.sessionId === sessionId ? change(session) : session)),
});

export const agendaDecider: Decider<AgendaCommand, AgendaEvent, AgendaState> = {
  initialState: { sessions: [] },

  decide(command, agenda) {
    switch (command.type) {
      case 'ScheduleSession': {
        const { sessionId, conference, session } = command;
        if (findSession(agenda, sessionId)) throw new ConflictError(`Session ${sessionId} already exists`);
        const slot = validSlot(session, conference, speakersListedTwice(session.speakers));
        assertNoClash(agenda, sessionId, slot, session.speakers);
        return [
          {
            type: 'SessionScheduled',
            data: { sessionId, conferenceId: conference.conferenceId, ...session, room: slot.room },
          },
        ];
      }
      case 'RescheduleSession': {
        const { sessionId, conference, change } = command;
        const session = existingSession(agenda, sessionId);
        if (session.status === 'cancelled') throw new ConflictError(`Session ${sessionId} is cancelled`);
        if (Object.values(change).every((value) => value === undefined))
          throw new InvalidCommandError('Nothing to reschedule', [
            { path: '(body)', message: 'must name at least one of date, start, end, room' },
          ]);
        const current = { date: session.date, start: session.start, end: session.end, room: session.room };
        const slot = validSlot({ ...current, ...definedFields(change) }, conference);
        if (sameSlot(slot, current)) return [];
        assertNoClash(agenda, sessionId, slot, session.speakers);
        return [{ type: 'SessionRescheduled', data: { sessionId, ...slot, sequence: session.sequence + 1 } }];
      }
      case 'CancelSession': {
        const session = existingSession(agenda, command.sessionId);
        if (session.status === 'cancelled')
          throw new ConflictError(`Session ${command.sessionId} is already cancelled`);
        return [
          { type: 'SessionCancelled', data: { sessionId: command.sessionId, cancelledAt: command.now } },
        ];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(agenda, event) {
    switch (event.type) {
      case 'SessionScheduled': {
        const { conferenceId: _conferenceId, ...session } = event.data;
        return { sessions: [...agenda.sessions, { ...session, status: 'scheduled', sequence: 0 }] };
      }
      case 'SessionRescheduled': {
        const { sessionId, sequence, ...slot } = event.data;
        return withSession(agenda, sessionId, (session) => ({ ...session, ...slot, sequence }));
      }
      case 'SessionCancelled':
        return withSession(agenda, event.data.sessionId, (session) => ({
          ...session,
          status: 'cancelled',
          cancelledAt: event.data.cancelledAt,
        }));
      default:
        return unreachable(event);
    }
  },
};
