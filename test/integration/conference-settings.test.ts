/**
 * Conference settings against DynamoDB Local (CONTRACT section 4.2): a lowering of capacity raced by
 * registrations never leaves more seat holders than the capacity; a raised capacity promotes the
 * longest-waiting delegates exactly once, however the events reach the waitlist process; registrations
 * outside the window are refused; the retention follows a changed `personalDataRetentionDays`.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { conferenceStreamId } from '../../domain/conference/decider.js';
import type { EventEnvelope } from '../../domain/events.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { SEAT_SHARDS, seatShardKey, seatsGuardKey } from '../../domain/registration/invariants.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import {
  expectProblem,
  type OrganizerCalls,
  organizerCalls,
  prepareProofEnvironment,
} from '../proof/harness.js';
import { deliverAlone, type SqsConsumer } from '../support/bus-events.js';
import { importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';
import { shuffled } from '../support/redeliveries.js';

let send: OrganizerCalls['send'];
let call: OrganizerCalls['call'];
let waitlistProcess: SqsConsumer;
let store: EventStore;

beforeAll(async () => {
  const harness = await prepareProofEnvironment('conference-settings');
  store = storeWithCodec(harness.tables.client, harness.tables);
  ({ send, call } = organizerCalls(await importRouteHandlers(), harness.organizerToken));
  waitlistProcess = await importHandler<SqsConsumer>('functions/consumers/waitlist-process.ts');
});

/** Every conference of this file keeps its personal data a century, but for the retention test's own. */
const newConference = async (settings: Record<string, unknown> = {}) =>
  String(
    (await call('CreateConference', {}, { ...iclc2015, personalDataRetentionDays: 36_500, ...settings }))
      .conferenceId,
  );

const registerAnswer = (conferenceId: string) =>
  send(
    'RegisterDelegate',
    { conferenceId },
    { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
  );

const register = async (conferenceId: string) => {
  const answer = await registerAnswer(conferenceId);
  expect(answer.status, answer.text).toBe(201);
  return { registrationId: String(answer.json.registrationId), status: String(answer.json.status) };
};

const changeSettings = (conferenceId: string, body: unknown) =>
  send('ChangeConferenceSettings', { conferenceId }, body);

const statusOf = async (conferenceId: string, registrationId: string) =>
  String((await call('GetRegistration', { conferenceId, registrationId })).status);

/** The seats held: the sum over the seat pool's shards. */
const seatsHeld = async (conferenceId: string) => {
  const pool = seatsGuardKey(conferenceId);
  const shards = await store.guardItems(Array.from({ length: SEAT_SHARDS }, (_, i) => seatShardKey(pool, i)));
  return [...shards.values()].reduce((sum, shard) => sum + Number(shard.held ?? 0), 0);
};

const conferenceEvents = (conferenceId: string) => store.load(conferenceStreamId(conferenceId));

/** Whether the waitlist process took the event (SQS would not deliver it again). */
const deliver = async (envelope: EventEnvelope): Promise<boolean> =>
  (
    await deliverAlone(waitlistProcess, envelope, {
      queue: 'conference-settings',
      functionName: 'WaitlistProcess',
    })
  ).length === 0;

/**
 * Delivers every event of the streams `times` times in a shuffled order, as SQS may; a delivery the
 * process fails (it waits for a waitlisting still on its way) goes back to the end of the queue. Events
 * the process's own commands append are delivered too, until nothing new is stored.
 */
const deliverShuffled = async (streamIds: string[], times: number, seed: number) => {
  const delivered = new Set<string>();
  for (let round = 0; round < 10; round++) {
    const events = (await Promise.all(streamIds.map((id) => store.load(id)))).flat();
    const fresh = events.filter((event) => !delivered.has(event.eventId));
    if (fresh.length === 0) return;
    for (const event of fresh) delivered.add(event.eventId);
    const queue = shuffled(
      fresh.flatMap((event) => Array.from({ length: times }, () => event)),
      seed + round,
    );
    for (let attempts = 0; queue.length > 0; attempts++) {
      expect(attempts, 'the process kept failing deliveries').toBeLessThan(500);
      const next = queue.shift() as EventEnvelope;
      if (!(await deliver(next))) queue.push(next);
    }
  }
  throw new Error('the process kept appending events');
};

describe('Lowering capacity (DynamoDB Local)', () => {
  it('is 409 below the seats held, saying how many, and appends nothing; down to them it is 200', async () => {
    const conferenceId = await newConference({ capacity: 5 });
    for (let i = 0; i < 3; i++) expect((await register(conferenceId)).status).toBe('registered');
    const before = await conferenceEvents(conferenceId);

    const refused = await changeSettings(conferenceId, { capacity: 2 });
    expectProblem(refused, 409);
    expect(refused.json.detail).toMatch(/\b3 seats are held\b/);
    expect(await conferenceEvents(conferenceId)).toEqual(before);

    const lowered = await changeSettings(conferenceId, { capacity: 3 });
    expect(lowered.status, lowered.text).toBe(200);
    expect(lowered.json.capacity).toBe(3);
    expect((await register(conferenceId)).status).toBe('waitlisted');
    expect(await seatsHeld(conferenceId)).toBe(3);
    const events = await conferenceEvents(conferenceId);
    expect(events.map((event) => event.type)).toEqual(['ConferenceCreated', 'ConferenceSettingsChanged']);
    expect(events[1]?.data).toEqual({ conferenceId, changedAt: expect.any(String), capacity: 3 });
  });

  it('raced by registrations, never leaves more seat holders than the capacity it ends with', async () => {
    const outcomes: number[] = [];
    for (let round = 0; round < 9; round++) {
      const conferenceId = await newConference({ capacity: 20 });
      for (let i = 0; i < 4; i++) await register(conferenceId);
      // 16 registrations started a few milliseconds apart race one lowering to 10, sent after `round * 2`
      // of them: it lands while they read the old capacity, take seats with it, or are past it. In the last
      // round it is sent once all of them were answered: however fast the machine, one round comes too late.
      const registrations: ReturnType<typeof registerAnswer>[] = [];
      let lowering: ReturnType<typeof changeSettings> | undefined;
      for (let i = 0; i < 16; i++) {
        if (i === round * 2) lowering = changeSettings(conferenceId, { capacity: 10 });
        registrations.push(registerAnswer(conferenceId));
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const answers = await Promise.all(registrations);
      lowering ??= changeSettings(conferenceId, { capacity: 10 });
      const lowered = await (lowering as ReturnType<typeof changeSettings>);
      outcomes.push(lowered.status);
      for (const answer of answers) expect(answer.status, answer.text).toBe(201);

      const capacity = Number((await call('GetConference', { conferenceId })).capacity);
      expect(capacity).toBe(lowered.status === 200 ? 10 : 20);
      if (lowered.status !== 200) {
        expectProblem(lowered, 409);
        const held = Number(/(\d+) seats are held/.exec(String(lowered.json.detail))?.[1]);
        expect(held).toBeGreaterThan(10);
      }
      // Every registration's own stream, folded: the seat holders, counted apart from the guard.
      const ids = answers.map((answer) => String(answer.json.registrationId));
      const last = (await Promise.all(ids.map((id) => store.load(registrationStreamId(id))))).map(
        (events) => events.at(-1)?.type,
      );
      const holders = 4 + last.filter((type) => type === 'DelegateRegistered').length;
      expect(holders, `round ${round}: ${lowered.status}`).toBeLessThanOrEqual(capacity);
      expect(await seatsHeld(conferenceId)).toBe(holders);
      // 20 delegates for at most 20 seats: a lowered capacity is filled to the brim, no further.
      if (lowered.status === 200) expect(holders).toBe(10);
    }
    // Both sides of the race were run: lowerings that held and lowerings that came too late.
    expect(new Set(outcomes), `outcomes ${outcomes.join(', ')}`).toEqual(new Set([200, 409]));
    // Six rounds of a conference's 64 seat shards written, locked and waited on: slow on a loaded machine.
  }, 120_000);
});

describe('Raising capacity (DynamoDB Local)', () => {
  it('promotes the longest-waiting delegates to the new seats, once, whatever the delivery', async () => {
    for (const seed of [1, 2, 3]) {
      const conferenceId = await newConference({ capacity: 2 });
      const registrations: string[] = [];
      for (let i = 0; i < 6; i++) registrations.push((await register(conferenceId)).registrationId);
      const waiting = registrations.slice(2);
      for (const id of waiting) expect(await statusOf(conferenceId, id)).toBe('waitlisted');

      const raised = await changeSettings(conferenceId, { capacity: 5 });
      expect(raised.status, raised.text).toBe(200);
      // Each event three times, shuffled: the settings change may arrive before the waitlistings.
      await deliverShuffled(
        [conferenceStreamId(conferenceId), ...registrations.map(registrationStreamId)],
        3,
        seed,
      );

      expect(await Promise.all(waiting.map((id) => statusOf(conferenceId, id)))).toEqual([
        'registered',
        'registered',
        'registered',
        'waitlisted',
      ]);
      const promotions = (await Promise.all(registrations.map((id) => store.load(registrationStreamId(id)))))
        .flat()
        .filter((event) => event.type === 'WaitlistedDelegatePromoted');
      expect(promotions.map((event) => event.data.registrationId)).toEqual(waiting.slice(0, 3));
      expect(await seatsHeld(conferenceId)).toBe(5);
      expect(promotions.every((event) => event.metadata.causationId !== undefined)).toBe(true);
    }
  });

  it('promotes nobody when the capacity is lowered, or when a change leaves capacity alone', async () => {
    const conferenceId = await newConference({ capacity: 3 });
    const registrations: string[] = [];
    for (let i = 0; i < 4; i++) registrations.push((await register(conferenceId)).registrationId);
    expect((await changeSettings(conferenceId, { editableUntil: '2015-09-25T00:00:00Z' })).status).toBe(200);
    await deliverShuffled(
      [conferenceStreamId(conferenceId), ...registrations.map(registrationStreamId)],
      2,
      7,
    );
    expect(await statusOf(conferenceId, registrations[3] ?? '')).toBe('waitlisted');
    expect(await seatsHeld(conferenceId)).toBe(3);
  });
});

describe('Settings that are refused (DynamoDB Local)', () => {
  it('answers 400 naming the field, and appends nothing', async () => {
    const conferenceId = await newConference({
      registrationOpensAt: '2015-03-01T00:00:00Z',
      registrationClosesAt: '2015-09-20T00:00:00Z',
    });
    const before = await conferenceEvents(conferenceId);
    const cases: Array<[unknown, string]> = [
      [{}, '(body)'],
      [{ capacity: iclc2015.capacity }, 'capacity'],
      [{ venue: 'Zócalo' }, 'venue'],
      [{ capacity: 0 }, 'capacity'],
      [{ registrationClosesAt: '2015-02-01T00:00:00Z' }, 'registrationClosesAt'],
      [{ registrationOpensAt: '2015-10-01T00:00:00Z' }, 'registrationOpensAt'],
      [{ rooms: [{ name: 'Sala Nueva' }] }, 'rooms'],
    ];
    for (const [body, path] of cases) {
      const answer = await changeSettings(conferenceId, body);
      expectProblem(answer, 400);
      expect(
        (answer.json.errors as Array<{ path: string }>).map((error) => error.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const removed = await changeSettings(conferenceId, { rooms: [{ name: 'Sala Nueva' }] });
    for (const room of iclc2015.rooms) expect(removed.text).toContain(room.name);
    expectProblem(await changeSettings('nope', { capacity: 10 }), 404);
    expect(await conferenceEvents(conferenceId)).toEqual(before);
  });
});

describe('The registration window (DynamoDB Local)', () => {
  it('refuses registrations before it opens and after it closes with 409 saying when, as changed', async () => {
    const opensAt = new Date(Date.now() + 86_400_000).toISOString();
    const conferenceId = await newConference({ registrationOpensAt: opensAt });
    const early = await registerAnswer(conferenceId);
    expectProblem(early, 409);
    expect(early.json.detail).toBe(`Registration is not open yet: it opens at ${opensAt}`);

    const now = Date.now();
    const opened = await changeSettings(conferenceId, {
      registrationOpensAt: new Date(now - 86_400_000).toISOString(),
    });
    expect(opened.status, opened.text).toBe(200);
    expect((await register(conferenceId)).status).toBe('registered');

    const closesAt = new Date(now - 60_000).toISOString();
    expect((await changeSettings(conferenceId, { registrationClosesAt: closesAt })).status).toBe(200);
    const late = await registerAnswer(conferenceId);
    expectProblem(late, 409);
    expect(late.json.detail).toBe(`Registration is closed: it closed at ${closesAt}`);
    expect(await seatsHeld(conferenceId)).toBe(1);
  });
});

describe('Retention and the conference list after a settings change (DynamoDB Local)', () => {
  it('lists the current values and erases by the changed personalDataRetentionDays', async () => {
    const conferenceId = await newConference({ acronym: 'RETAIN' });
    const { registrationId } = await register(conferenceId);
    // The retention finds a conference's registrations in the waitlist process's rows.
    for (const event of await store.load(registrationStreamId(registrationId)))
      expect(await deliver(event)).toBe(true);
    const { catalogedConferences } = await import('../../functions/shared/event-store/catalog.js');
    const { eraseExpiredRegistrations } = await import('../../functions/shared/personal-data/retention.js');
    const today = '2100-01-01';
    const run = () => eraseExpiredRegistrations({ today, correlationId: randomUUID() });

    expect((await run()).conferencesDue).toBe(0);
    const changed = await changeSettings(conferenceId, { personalDataRetentionDays: 30, capacity: 700 });
    expect(changed.status, changed.text).toBe(200);
    const listed = (await catalogedConferences()).find(
      (conference) => conference.conferenceId === conferenceId,
    );
    expect(listed).toMatchObject({ personalDataRetentionDays: 30, capacity: 700, acronym: 'RETAIN' });
    expect(changed.json).toEqual(listed);

    const result = await run();
    expect(result).toMatchObject({ conferencesDue: 1, erased: 1, failed: [] });
    const read = await send('GetRegistration', { conferenceId, registrationId });
    expectProblem(read, 410);
  });
});
