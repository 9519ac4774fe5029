/**
 * The seat pool in shards against DynamoDB Local (domain/registration/invariants.ts): the last seats raced
 * by many registrations at once, across shard boundaries: exactly `capacity` seat holders, the rest
 * waitlisted, none waitlisted while a seat was free; every shard within its share, the shares adding up
 * to the capacity; a cancelled seat given back to the shard it was taken from.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { SEAT_SHARDS, seatShardKey, seatsGuardKey } from '../../domain/registration/invariants.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { type OrganizerCalls, organizerCalls, prepareProofEnvironment } from '../proof/harness.js';
import { importRouteHandlers } from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';

let send: OrganizerCalls['send'];
let call: OrganizerCalls['call'];
let store: EventStore;

beforeAll(async () => {
  const harness = await prepareProofEnvironment('seat-shards');
  store = storeWithCodec(harness.tables.client, harness.tables);
  ({ send, call } = organizerCalls(await importRouteHandlers(), harness.organizerToken));
});

const newConference = async (capacity: number) =>
  String(
    (await call('CreateConference', {}, { ...iclc2015, capacity, personalDataRetentionDays: 36_500 }))
      .conferenceId,
  );

/** `count` registrations sent at once; every answer a 201, with its status. */
const registerAtOnce = async (conferenceId: string, count: number) => {
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      send(
        'RegisterDelegate',
        { conferenceId },
        { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
      ),
    ),
  );
  for (const answer of answers) expect(answer.status, answer.text).toBe(201);
  return answers.map((answer) => ({
    registrationId: String(answer.json.registrationId),
    status: String(answer.json.status),
  }));
};

const shards = async (conferenceId: string) => {
  const pool = seatsGuardKey(conferenceId);
  const items = await store.guardItems(Array.from({ length: SEAT_SHARDS }, (_, i) => seatShardKey(pool, i)));
  return Array.from({ length: SEAT_SHARDS }, (_, i) => {
    const item = items.get(seatShardKey(pool, i));
    return { held: Number(item?.held ?? 0), share: Number(item?.share ?? 0) };
  });
};

/** `count` registrations sent `at` a time (the seats filled ahead of a race). */
const registerInWaves = async (conferenceId: string, count: number, at = 8) => {
  const answers: Awaited<ReturnType<typeof registerAtOnce>> = [];
  for (let sent = 0; sent < count; sent += at)
    answers.push(...(await registerAtOnce(conferenceId, Math.min(at, count - sent))));
  return answers;
};

/** The seat holders as the registrations' own streams tell (apart from the shards' counts). */
const holdersOf = async (registrationIds: string[]) =>
  (await Promise.all(registrationIds.map((id) => store.load(registrationStreamId(id))))).filter((events) =>
    ['DelegateRegistered', 'WaitlistedDelegatePromoted'].includes(String(events.at(-1)?.type)),
  ).length;

const expectPool = async (conferenceId: string, capacity: number, holders: number) => {
  const pool = await shards(conferenceId);
  for (const shard of pool) expect(shard.held).toBeLessThanOrEqual(shard.share);
  expect(pool.reduce((sum, shard) => sum + shard.share, 0)).toBe(capacity);
  expect(pool.reduce((sum, shard) => sum + shard.held, 0)).toBe(holders);
};

describe('The seat shards at their boundaries (DynamoDB Local)', () => {
  it('the last seats raced by many: exactly the capacity registered, the rest waitlisted', async () => {
    // More seats than shards: every shard has one or two; the last five are spread over a few shards.
    const capacity = SEAT_SHARDS + 6;
    const conferenceId = await newConference(capacity);
    const first = await registerInWaves(conferenceId, capacity - 5);
    expect(first.every((answer) => answer.status === 'registered')).toBe(true);
    const raced = await registerAtOnce(conferenceId, 24);
    const registered = raced.filter((answer) => answer.status === 'registered').length;
    // None was waitlisted while a seat was free: all five free seats went to the racers.
    expect(registered).toBe(5);
    expect(raced.filter((answer) => answer.status === 'waitlisted')).toHaveLength(19);
    const all = [...first, ...raced].map((answer) => answer.registrationId);
    expect(await holdersOf(all)).toBe(capacity);
    await expectPool(conferenceId, capacity, capacity);
  }, 180_000);

  it('one seat per shard, the last 16 raced by 24: nobody waitlisted while any shard had a seat', async () => {
    const capacity = SEAT_SHARDS;
    const conferenceId = await newConference(capacity);
    const first = await registerInWaves(conferenceId, capacity - 16);
    const raced = await registerAtOnce(conferenceId, 24);
    expect([...first, ...raced].filter((answer) => answer.status === 'registered')).toHaveLength(capacity);
    expect(raced.filter((answer) => answer.status === 'waitlisted')).toHaveLength(8);
    const late = await registerAtOnce(conferenceId, 3);
    expect(late.map((answer) => answer.status)).toEqual(['waitlisted', 'waitlisted', 'waitlisted']);
    await expectPool(conferenceId, capacity, capacity);
  }, 180_000);

  it('fewer seats than shards (most shards have none): exactly the capacity registered', async () => {
    const conferenceId = await newConference(3);
    const answers = await registerAtOnce(conferenceId, 12);
    expect(answers.filter((answer) => answer.status === 'registered')).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 'waitlisted')).toHaveLength(9);
    expect(await holdersOf(answers.map((answer) => answer.registrationId))).toBe(3);
    await expectPool(conferenceId, 3, 3);
  }, 180_000);

  it('a cancelled seat goes back to the shard it was taken from', async () => {
    const conferenceId = await newConference(200);
    const [answer] = await registerAtOnce(conferenceId, 1);
    const registrationId = String(answer?.registrationId);
    const [registered] = await store.load(registrationStreamId(registrationId));
    const shard = Number((registered?.data as { seatShard?: number } | undefined)?.seatShard);
    expect(Number.isInteger(shard)).toBe(true);
    expect((await shards(conferenceId))[shard]?.held).toBe(1);
    await call('CancelRegistration', { conferenceId, registrationId });
    const after = await shards(conferenceId);
    expect(after[shard]?.held).toBe(0);
    expect(after.every((each) => each.held === 0)).toBe(true);
  }, 60_000);
});
