import { minutesOf } from '../shared/values.js';

/**
 * Who occupies a room or a speaker on one day, kept so that DynamoDB itself can refuse an overlapping
 * booking in the transaction that appends the session's event, without the command reading anything
 * first and without a version that would serialise bookings that do not clash.
 *
 * The minutes of a day (0 to 1439) are the leaves of a segment tree of 2^11 leaves. A booking [start, end)
 * is the union of at most 2 canonical nodes per level; its item holds
 * - `c_<node>` = the session id, for each canonical node of the booking (it "covers" the node), and
 * - `u_<node>` = a set of session ids, for each proper ancestor of those nodes (the session is "under" it).
 * Two bookings A and B overlap exactly when a canonical node of A equals, contains or lies inside one of
 * B's, so A fits when, for each canonical node n of A, neither `c_n` nor `u_n` exists, and for each
 * proper ancestor p of A's nodes, `c_p` does not exist. Those are attribute-existence conditions, which a
 * TransactWriteItems can check: at most 22 canonical nodes and 22 ancestors, whatever the day holds.
 */
const LEVELS = 11;

export type OccupancyKind = 'room' | 'speaker';

/** One room or one speaker (compared case-insensitively) on one day of a conference. */
export interface OccupancyKey {
  conferenceId: string;
  date: string;
  kind: OccupancyKind;
  /** The comparable name (see comparableName). */
  name: string;
}

export const occupancyItemKey = (key: OccupancyKey) =>
  `occupancy#${key.conferenceId}#${key.date}#${key.kind}#${key.name}`;

/** A session's hold on one room-day or speaker-day; `name` as the session spells the room or speaker. */
export interface Booking {
  sessionId: string;
  start: string;
  end: string;
  name: string;
}

/** A condition on one attribute of the item: absent, or (a set) holding only the session itself. */
export interface OccupancyCondition {
  attribute: string;
  holds: 'absent' | 'only-self';
}

/**
 * What one decision does to one occupancy item: the conditions that must hold (none when the session
 * only leaves the item), and the attributes it sets, removes, adds itself to or deletes itself from.
 */
export interface OccupancyUpdate {
  key: OccupancyKey;
  sessionId: string;
  conditions: OccupancyCondition[];
  cover: string[];
  uncover: string[];
  enter: string[];
  leave: string[];
  /** The booking written as `b_<sessionId>` (what a refusal names), or undefined when it is removed. */
  booking?: Booking;
}

export const coverAttribute = (node: string) => `c_${node}`;
export const underAttribute = (node: string) => `u_${node}`;
export const bookingAttribute = (sessionId: string) => `b_${sessionId}`;

/** The canonical nodes whose union is [start, end) in minutes, named `<level>_<index>`. */
export const canonicalNodes = (start: number, end: number): string[] => {
  const nodes: string[] = [];
  let from = start;
  let to = end;
  for (let level = 0; from < to; level++) {
    if (from & 1) nodes.push(`${level}_${from++}`);
    if (to & 1) nodes.push(`${level}_${--to}`);
    from >>= 1;
    to >>= 1;
  }
  return nodes;
};

const parentsOf = (node: string): string[] => {
  const [level, index] = node.split('_').map(Number) as [number, number];
  const parents: string[] = [];
  for (let up = level + 1, at = index >> 1; up <= LEVELS; up++, at >>= 1) parents.push(`${up}_${at}`);
  return parents;
};

interface Footprint {
  covers: Set<string>;
  under: Set<string>;
}

const footprintOf = (booking: Booking | undefined): Footprint => {
  if (!booking) return { covers: new Set(), under: new Set() };
  const covers = canonicalNodes(minutesOf(booking.start), minutesOf(booking.end));
  return { covers: new Set(covers), under: new Set(covers.flatMap(parentsOf)) };
};

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((node) => !b.has(node));

/**
 * The update of one item for a session moving from `before` to `after` (either may be absent). Conditions
 * leave out what the session itself holds: the session's own stream version, checked in the same
 * transaction, guarantees its old booking is still the one in the item.
 */
export const occupancyUpdate = (
  key: OccupancyKey,
  sessionId: string,
  before: Booking | undefined,
  after: Booking | undefined,
): OccupancyUpdate => {
  const old = footprintOf(before);
  const now = footprintOf(after);
  const conditions: OccupancyCondition[] = [];
  for (const node of now.covers) {
    if (!old.covers.has(node)) conditions.push({ attribute: coverAttribute(node), holds: 'absent' });
    conditions.push({ attribute: underAttribute(node), holds: old.under.has(node) ? 'only-self' : 'absent' });
  }
  for (const node of now.under)
    if (!old.covers.has(node)) conditions.push({ attribute: coverAttribute(node), holds: 'absent' });
  return {
    key,
    sessionId,
    conditions,
    cover: [...now.covers].map(coverAttribute),
    uncover: minus(old.covers, now.covers).map(coverAttribute),
    enter: minus(now.under, old.under).map(underAttribute),
    leave: minus(old.under, now.under).map(underAttribute),
    ...(after ? { booking: after } : {}),
  };
};

/** An occupancy item as stored: `c_*` session ids, `u_*` sets of session ids, `b_*` bookings. */
export type OccupancyItem = Record<string, unknown>;

const membersOf = (value: unknown): string[] =>
  value instanceof Set ? [...value].map(String) : Array.isArray(value) ? value.map(String) : [];

/**
 * The session in the way of `update`, or undefined when every condition holds: of several, the one that
 * starts first (then by id), so a refusal names the same session whatever order they were booked in.
 */
export const sessionInTheWay = (item: OccupancyItem, update: OccupancyUpdate): string | undefined => {
  const inTheWay = new Set<string>();
  for (const { attribute, holds } of update.conditions) {
    const value = item[attribute];
    if (value === undefined) continue;
    if (typeof value === 'string') inTheWay.add(value);
    else
      for (const sessionId of membersOf(value))
        if (holds === 'absent' || sessionId !== update.sessionId) inTheWay.add(sessionId);
  }
  const startOf = (sessionId: string) => bookingIn(item, sessionId)?.start ?? '';
  return [...inTheWay].sort((a, b) => startOf(a).localeCompare(startOf(b)) || a.localeCompare(b))[0];
};

/** The item after the update, as DynamoDB applies it (for the pure model of the agenda). */
export const applyOccupancyUpdate = (item: OccupancyItem, update: OccupancyUpdate): OccupancyItem => {
  const next: OccupancyItem = { ...item };
  for (const attribute of update.uncover) delete next[attribute];
  for (const attribute of update.cover) next[attribute] = update.sessionId;
  for (const attribute of update.enter)
    next[attribute] = new Set([...membersOf(next[attribute]), update.sessionId]);
  for (const attribute of update.leave) {
    const members = membersOf(next[attribute]).filter((sessionId) => sessionId !== update.sessionId);
    if (members.length > 0) next[attribute] = new Set(members);
    else delete next[attribute];
  }
  if (update.booking) next[bookingAttribute(update.sessionId)] = update.booking;
  else delete next[bookingAttribute(update.sessionId)];
  return next;
};

/** The booking of a session as the item keeps it, for naming it in a refusal. */
export const bookingIn = (item: OccupancyItem, sessionId: string): Booking | undefined => {
  const booking = item[bookingAttribute(sessionId)];
  if (!booking || typeof booking !== 'object') return undefined;
  const { start, end, name } = booking as Record<string, unknown>;
  return { sessionId, start: String(start), end: String(end), name: String(name) };
};
