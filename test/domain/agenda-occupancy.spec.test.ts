import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AgendaCommand,
  type AgendaSession,
  type ConferenceFrame,
  occupancyChanges,
  sessionDecider,
  sessionStreamId,
} from '../../domain/agenda/decider.js';
import type { AgendaEvent, SessionDetails } from '../../domain/agenda/events.js';
import {
  applyOccupancyUpdate,
  type Booking,
  canonicalNodes,
  type OccupancyItem,
  type OccupancyKey,
  occupancyUpdate,
  sessionInTheWay,
} from '../../domain/agenda/occupancy.js';
import { ConflictError, NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { iclc2015 } from './fixtures.js';

const time = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const key: OccupancyKey = { conferenceId: 'c1', date: '2015-09-28', kind: 'room', name: 'sala principal' };
const booking = (sessionId: string, start: number, end: number): Booking => ({
  sessionId,
  start: time(start),
  end: time(end),
  name: 'Sala Principal',
});

/** An interval of minutes [start, end) within one day, start < end. */
const interval = fc
  .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1439 }))
  .map(([a, b]) => (a < b ? [a, b] : [b, Math.min(1439, a + 1) > b ? b : a + 1]) as [number, number])
  .filter(([a, b]) => a < b);

const overlaps = ([a, b]: [number, number], [c, d]: [number, number]) => a < d && c < b;

/** Books each interval that fits, as DynamoDB would: the update applies only when its conditions hold. */
const bookAll = (intervals: [number, number][]) => {
  let item: OccupancyItem = {};
  const booked: [number, number][] = [];
  const bookedIds = new Set<string>();
  intervals.forEach(([start, end], index) => {
    const update = occupancyUpdate(key, `s${index}`, undefined, booking(`s${index}`, start, end));
    if (sessionInTheWay(item, update) === undefined) {
      item = applyOccupancyUpdate(item, update);
      booked.push([start, end]);
      bookedIds.add(`s${index}`);
    }
  });
  return { item, booked, bookedIds };
};

describe('Occupancy of a room or a speaker on one day', () => {
  it('splits an interval of minutes into canonical nodes that cover it exactly', () => {
    fc.assert(
      fc.property(interval, ([start, end]) => {
        const minutes = canonicalNodes(start, end).flatMap((node) => {
          const [level, index] = node.split('_').map(Number) as [number, number];
          return Array.from({ length: 2 ** level }, (_, offset) => index * 2 ** level + offset);
        });
        expect(minutes.sort((a, b) => a - b)).toEqual(
          Array.from({ length: end - start }, (_, offset) => start + offset),
        );
        expect(canonicalNodes(start, end).length).toBeLessThanOrEqual(22);
      }),
    );
  });

  it('refuses a booking exactly when it overlaps one already booked, naming that one', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 12 }), interval, (earlier, next) => {
        const { item, booked } = bookAll(earlier);
        const update = occupancyUpdate(key, 'next', undefined, booking('next', ...next));
        const inTheWay = sessionInTheWay(item, update);
        expect(inTheWay !== undefined).toBe(booked.some((other) => overlaps(other, next)));
        if (inTheWay !== undefined) {
          const index = Number(inTheWay.slice(1));
          expect(overlaps(earlier[index] as [number, number], next)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('lets a session move within its own item, refusing only the others it would overlap', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 10 }), interval, interval, (others, from, to) => {
        const { item, booked, bookedIds } = bookAll([from, ...others]);
        const move = occupancyUpdate(key, 's0', booking('s0', ...from), booking('s0', ...to));
        const inTheWay = sessionInTheWay(item, move);
        const othersBooked = booked.slice(1);
        expect(inTheWay !== undefined).toBe(othersBooked.some((other) => overlaps(other, to)));
        expect(inTheWay).not.toBe('s0');
        if (inTheWay === undefined) {
          // After the move the item is what booking `to` and then the same others from scratch gives.
          let fresh = applyOccupancyUpdate({}, occupancyUpdate(key, 's0', undefined, booking('s0', ...to)));
          others.forEach((other, index) => {
            const id = `s${index + 1}`;
            if (!bookedIds.has(id)) return;
            fresh = applyOccupancyUpdate(fresh, occupancyUpdate(key, id, undefined, booking(id, ...other)));
          });
          expect(applyOccupancyUpdate(item, move)).toEqual(fresh);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no trace of a session that leaves the item', () => {
    const { item } = bookAll([[600, 660]]);
    const left = applyOccupancyUpdate(item, occupancyUpdate(key, 's0', booking('s0', 600, 660), undefined));
    expect(left).toEqual({});
    expect(occupancyUpdate(key, 's0', booking('s0', 600, 660), undefined).conditions).toEqual([]);
  });

  it('holds a full day of back-to-back one-minute sessions in one room', () => {
    const minutes = Array.from({ length: 1439 }, (_, minute) => [minute, minute + 1] as [number, number]);
    const { booked } = bookAll([...minutes, [0, 1439]]);
    expect(booked).toEqual(minutes);
  });
});

const conference: ConferenceFrame = { conferenceId: 'c1', ...iclc2015 };
const now = '2015-09-20T12:00:00.000Z';
const details: SessionDetails = {
  title: 'Opening plenary',
  type: 'plenary',
  date: '2015-09-28',
  start: '10:00',
  end: '11:00',
  room: 'Sala Principal',
  speakers: [{ name: 'Irina Bokova' }, { name: 'Arne Carlsen' }],
};
const scheduled: AgendaEvent = {
  type: 'SessionScheduled',
  data: { sessionId: 's1', conferenceId: 'c1', ...details },
};
const reschedule = (
  change: Extract<AgendaCommand, { type: 'RescheduleSession' }>['change'],
): AgendaCommand => ({
  type: 'RescheduleSession',
  sessionId: 's1',
  conference,
  change,
});

describe('Session decider (one stream per session)', () => {
  const given = deciderSpec(sessionDecider);

  it('keeps each session in a stream of its own', () => {
    expect(sessionStreamId('s1')).toBe('session-s1');
  });

  it('schedules, reschedules and cancels one session without knowing any other', () => {
    given().when({ type: 'ScheduleSession', sessionId: 's1', conference, session: details }).then(scheduled);
    given(scheduled)
      .when(reschedule({ start: '12:00', end: '13:00' }))
      .then({
        type: 'SessionRescheduled',
        data: {
          sessionId: 's1',
          date: '2015-09-28',
          start: '12:00',
          end: '13:00',
          room: 'Sala Principal',
          sequence: 1,
        },
      });
    given(scheduled)
      .when({ type: 'CancelSession', sessionId: 's1', now })
      .then({ type: 'SessionCancelled', data: { sessionId: 's1', cancelledAt: now } });
  });

  it('refuses a second schedule of the same stream, and what it does not know', () => {
    given(scheduled)
      .when({ type: 'ScheduleSession', sessionId: 's1', conference, session: details })
      .thenThrows(ConflictError, /already exists/);
    given()
      .when(reschedule({ start: '12:00' }))
      .thenThrows(NotFoundError);
    given().when({ type: 'CancelSession', sessionId: 's1', now }).thenThrows(NotFoundError);
  });
});

describe('Occupancy changes of a decision', () => {
  const session = [scheduled].reduce(sessionDecider.evolve, null) as AgendaSession;
  const keysOf = (updates: ReturnType<typeof occupancyChanges>) =>
    updates.map((update) => `${update.key.date} ${update.key.kind} ${update.key.name}`);

  it('a new session takes its room and each speaker on its day, room first', () => {
    const updates = occupancyChanges('c1', 's1', null, session);
    expect(keysOf(updates)).toEqual([
      '2015-09-28 room sala principal',
      '2015-09-28 speaker irina bokova',
      '2015-09-28 speaker arne carlsen',
    ]);
    expect(updates.every((update) => update.conditions.length > 0)).toBe(true);
  });

  it('a reschedule without a date updates the same items of its day in place', () => {
    const moved = { ...session, start: '10:30', end: '11:30', sequence: 1 };
    const updates = occupancyChanges('c1', 's1', session, moved);
    expect(keysOf(updates)).toEqual(keysOf(occupancyChanges('c1', 's1', null, session)));
    expect(updates.every((update) => update.booking?.start === '10:30')).toBe(true);
  });

  it('a move to another room leaves the speakers’ items alone', () => {
    const moved = { ...session, room: 'Sala Manuel M. Ponce', sequence: 1 };
    expect(keysOf(occupancyChanges('c1', 's1', session, moved))).toEqual([
      '2015-09-28 room sala manuel m. ponce',
      '2015-09-28 room sala principal',
    ]);
  });

  it('a move to another day leaves the old day’s items and takes the new day’s', () => {
    const moved = { ...session, date: '2015-09-29', sequence: 1 };
    const updates = occupancyChanges('c1', 's1', session, moved);
    expect(updates.filter((update) => update.key.date === '2015-09-28').every((u) => !u.booking)).toBe(true);
    expect(updates.filter((update) => update.key.date === '2015-09-29')).toHaveLength(3);
  });

  it('a cancellation leaves every item without a condition', () => {
    const cancelled = { ...session, status: 'cancelled' as const };
    const updates = occupancyChanges('c1', 's1', session, cancelled);
    expect(updates).toHaveLength(3);
    expect(updates.every((update) => update.conditions.length === 0 && !update.booking)).toBe(true);
  });
});
