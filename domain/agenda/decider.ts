import type { Conference } from '../conference/decider.js';
import type { Room } from '../conference/events.js';
import { type Decider, unreachable } from '../shared/decider.js';
import { ConflictError, type FieldError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import { comparableName, minutesOf } from '../shared/values.js';
import type { AgendaEvent, SessionDetails, Slot, SlotChange, Speaker } from './events.js';
import {
  applyOccupancyUpdate,
  type Booking,
  bookingIn,
  type OccupancyItem,
  type OccupancyKey,
  type OccupancyUpdate,
  occupancyItemKey,
  occupancyUpdate,
  sessionInTheWay,
} from './occupancy.js';

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
 * The agenda as a whole: every session of a conference, in the order scheduled. It is the model the
 * rules are stated on (and the read side's shape); the system never loads it whole. Each session is its
 * own stream (`session-<sessionId>`, see sessionDecider), and the clashes between sessions are held by
 * occupancy items (see occupancy.ts) that DynamoDB checks in the transaction of the session's event.
 */
export interface AgendaState {
  sessions: AgendaSession[];
}

/** One session's stream: its events only, so a booking never waits for another session's. */
export const sessionStreamId = (sessionId: string) => `session-${sessionId}`;

/** A session's stream folds to the session (with its conference), or to null before it is scheduled. */
export type SessionState = (AgendaSession & { conferenceId: string }) | null;

export const findSession = (agenda: AgendaState, sessionId: string): AgendaSession | undefined =>
  agenda.sessions.find((session) => session.sessionId === sessionId);

const existingSession = (session: SessionState, sessionId: string): AgendaSession => {
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

const sameSlot = (a: Slot, b: Slot) =>
  a.date === b.date && a.start === b.start && a.end === b.end && a.room === b.room;

const definedFields = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;

/**
 * The decisions on one session's stream: the rules of days, hours, rooms and reschedules. Clashes with
 * other sessions are not decided here but by the occupancy updates of the decision (occupancyChanges),
 * which the append makes conditional.
 */
export const sessionDecider: Decider<AgendaCommand, AgendaEvent, SessionState> = {
  initialState: null,

  decide(command, current) {
    switch (command.type) {
      case 'ScheduleSession': {
        const { sessionId, conference, session } = command;
        if (current) throw new ConflictError(`Session ${sessionId} already exists`);
        const slot = validSlot(session, conference, speakersListedTwice(session.speakers));
        return [
          {
            type: 'SessionScheduled',
            data: { sessionId, conferenceId: conference.conferenceId, ...session, room: slot.room },
          },
        ];
      }
      case 'RescheduleSession': {
        const { sessionId, conference, change } = command;
        const session = existingSession(current, sessionId);
        if (session.status === 'cancelled') throw new ConflictError(`Session ${sessionId} is cancelled`);
        if (Object.values(change).every((value) => value === undefined))
          throw new InvalidCommandError('Nothing to reschedule', [
            { path: '(body)', message: 'must name at least one of date, start, end, room' },
          ]);
        const slotNow = { date: session.date, start: session.start, end: session.end, room: session.room };
        const slot = validSlot({ ...slotNow, ...definedFields(change) }, conference);
        if (sameSlot(slot, slotNow)) return [];
        return [{ type: 'SessionRescheduled', data: { sessionId, ...slot, sequence: session.sequence + 1 } }];
      }
      case 'CancelSession': {
        const session = existingSession(current, command.sessionId);
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

  evolve(session, event) {
    switch (event.type) {
      case 'SessionScheduled':
        return { ...event.data, status: 'scheduled', sequence: 0 };
      case 'SessionRescheduled': {
        if (!session) return session;
        const { sessionId: _sessionId, sequence, ...slot } = event.data;
        return { ...session, ...slot, sequence };
      }
      case 'SessionCancelled':
        if (!session) return session;
        return { ...session, status: 'cancelled', cancelledAt: event.data.cancelledAt };
      default:
        return unreachable(event);
    }
  },
};

/** The room-day and speaker-days a session holds while it is scheduled, by item key. */
const holdsOf = (
  conferenceId: string,
  session: AgendaSession | null,
): Map<string, [OccupancyKey, Booking]> => {
  const holds = new Map<string, [OccupancyKey, Booking]>();
  if (!session || session.status === 'cancelled') return holds;
  const { sessionId, date, start, end } = session;
  const hold = (kind: OccupancyKey['kind'], name: string) => {
    const key: OccupancyKey = { conferenceId, date, kind, name: comparableName(name) };
    holds.set(occupancyItemKey(key), [key, { sessionId, start, end, name }]);
  };
  hold('room', session.room);
  for (const speaker of session.speakers) hold('speaker', speaker.name);
  return holds;
};

const sameBooking = (a: Booking | undefined, b: Booking | undefined) =>
  a?.start === b?.start && a?.end === b?.end && a?.name === b?.name;

/**
 * What a session's move from `before` to `after` does to the occupancy items: the room first, then the
 * speakers, each item once (a reschedule within one day updates it in place). Items it keeps as they were
 * are left out.
 */
export const occupancyChanges = (
  conferenceId: string,
  sessionId: string,
  before: AgendaSession | null,
  after: AgendaSession | null,
): OccupancyUpdate[] => {
  const old = holdsOf(conferenceId, before);
  const now = holdsOf(conferenceId, after);
  const updates: OccupancyUpdate[] = [];
  for (const itemKey of new Set([...now.keys(), ...old.keys()])) {
    const [key, booking] = now.get(itemKey) ?? old.get(itemKey) ?? [];
    if (!key || !booking) continue;
    const from = old.get(itemKey)?.[1];
    const to = now.get(itemKey)?.[1];
    if (sameBooking(from, to)) continue;
    updates.push(occupancyUpdate(key, sessionId, from, to));
  }
  return updates;
};

/** The 409 of an update that an occupancy item refused: who is in the way, and when. */
export const clashError = (update: OccupancyUpdate, item: OccupancyItem): ConflictError => {
  const otherId = sessionInTheWay(item, update) ?? 'unknown';
  const other = bookingIn(item, otherId);
  const when = other ? `${update.key.date} ${other.start}–${other.end}` : update.key.date;
  return update.key.kind === 'room'
    ? new ConflictError(
        `Room ${other?.name ?? update.booking?.name} is taken by session ${otherId} (${when})`,
      )
    : new ConflictError(
        `Speaker ${other?.name ?? update.booking?.name} is in session ${otherId} then (${when})`,
      );
};

const withSession = (agenda: AgendaState, session: AgendaSession): AgendaState => ({
  sessions: agenda.sessions.map((each) => (each.sessionId === session.sessionId ? session : each)),
});

/**
 * The agenda's rules over the whole agenda, as one decider: the session's own decision, then its
 * occupancy updates checked against the items every other session's bookings make, by the same
 * conditions the event store hands to DynamoDB. What a command sees, in one function.
 */
export const agendaDecider: Decider<AgendaCommand, AgendaEvent, AgendaState> = {
  initialState: { sessions: [] },

  decide(command, agenda) {
    const found = findSession(agenda, command.sessionId);
    const current = found ? { ...found, conferenceId: '' } : null;
    const events = sessionDecider.decide(command, current);
    const after = events.reduce(sessionDecider.evolve, current);
    // A cancellation only leaves its items: it cannot clash.
    if (command.type === 'CancelSession') return events;
    const { conferenceId } = command.conference;
    const items = new Map<string, OccupancyItem>();
    for (const other of agenda.sessions)
      for (const update of occupancyChanges(conferenceId, other.sessionId, null, other)) {
        const itemKey = occupancyItemKey(update.key);
        items.set(itemKey, applyOccupancyUpdate(items.get(itemKey) ?? {}, update));
      }
    for (const update of occupancyChanges(conferenceId, command.sessionId, current, after)) {
      const item = items.get(occupancyItemKey(update.key)) ?? {};
      if (sessionInTheWay(item, update) !== undefined) throw clashError(update, item);
    }
    return events;
  },

  evolve(agenda, event) {
    const found = findSession(agenda, event.data.sessionId);
    const current = found ? { ...found, conferenceId: '' } : null;
    const evolved = sessionDecider.evolve(current, event);
    if (!evolved) return agenda;
    const { conferenceId: _conferenceId, ...session } = evolved;
    return found ? withSession(agenda, session) : { sessions: [...agenda.sessions, session] };
  },
};
