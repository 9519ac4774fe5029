import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Booking,
  type OccupancyKey,
  occupancyItemKey,
  occupancyUpdate,
} from '../../domain/agenda/occupancy.js';
import { AppendConflictError, EventStore } from '../../functions/shared/event-store/event-store.js';
import { createTestTables, type TestTables } from '../support/tables.js';

/**
 * The occupancy conditions as DynamoDB Local evaluates them: random bookings and moves of sessions in one
 * room-day, each appended with its occupancy guard, are accepted exactly when the slot overlaps no other
 * session's slot held at that moment, and a refusal returns the item naming a session that does overlap.
 */
let tables: TestTables;
let store: EventStore;

beforeAll(async () => {
  tables = await createTestTables('occupancy');
  store = new EventStore({
    client: tables.client,
    tableName: tables.events,
    stateTableName: tables.streamState,
  });
});

afterAll(() => tables.client.destroy());

const time = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const interval = fc
  .tuple(fc.integer({ min: 0, max: 1438 }), fc.integer({ min: 1, max: 240 }))
  .map(([start, length]) => [start, Math.min(1439, start + length)] as [number, number]);

const overlaps = ([a, b]: [number, number], [c, d]: [number, number]) => a < d && c < b;

describe('occupancy guards on DynamoDB Local', () => {
  it('accept a booking or a move exactly when it overlaps no other session held then', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), interval), { minLength: 1, maxLength: 14 }),
        async (steps) => {
          run += 1;
          const key: OccupancyKey = {
            conferenceId: `c${run}`,
            date: '2026-06-01',
            kind: 'room',
            name: 'room 1',
          };
          const held = new Map<string, [number, number]>();
          for (const [session, slot] of steps) {
            const sessionId = `s${session}`;
            const booking = (at: [number, number]): Booking => ({
              sessionId,
              start: time(at[0]),
              end: time(at[1]),
              name: 'Room 1',
            });
            const before = held.get(sessionId);
            const update = occupancyUpdate(key, sessionId, before && booking(before), booking(slot));
            const fits = [...held].every(([other, at]) => other === sessionId || !overlaps(at, slot));
            try {
              await store.append({
                conferenceId: key.conferenceId,
                correlationId: 'occupancy-test',
                now: new Date().toISOString(),
                streams: [],
                guards: [{ op: 'occupy', name: 'occupancy', key: occupancyItemKey(key), update }],
              });
              expect(fits).toBe(true);
              held.set(sessionId, slot);
            } catch (error) {
              if (!(error instanceof AppendConflictError)) throw error;
              expect(fits).toBe(false);
              const stored = error.refusedGuards('occupancy')[0]?.stored ?? {};
              const named = Object.entries(stored)
                .filter(([attribute]) => attribute.startsWith('c_') || attribute.startsWith('u_'))
                .flatMap(([, value]) => (value instanceof Set ? [...value] : [value]))
                .filter((id) => id !== sessionId);
              expect(named.some((id) => overlaps(held.get(String(id)) ?? [0, 0], slot))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
