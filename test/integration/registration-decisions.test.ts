/**
 * Bulk decisions on moderated registrations (CONTRACT 5.3) against DynamoDB Local, through the route
 * handlers: pending registrations hold no seat; one request approves and rejects many, each on its own (one
 * not pending among them is its own 409); approvals racing for the last seat take it once, the seat guard
 * deciding; an Idempotency-Key's retry answers the same and decides nothing twice; a pending delegate
 * cancels (no seat freed) and is erased, as is a rejected one.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { SEAT_SHARDS, seatShardKey, seatsGuardKey } from '../../domain/registration/invariants.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import {
  expectProblem,
  invoke,
  type OrganizerCalls,
  organizerCalls,
  prepareProofEnvironment,
  routeNamed,
} from '../proof/harness.js';
import { deliverAlone, type SqsConsumer } from '../support/bus-events.js';
import { type Handler, importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';

let send: OrganizerCalls['send'];
let call: OrganizerCalls['call'];
let store: EventStore;
let openedStore: EventStore;
let handlers: Record<string, Handler>;
let organizerToken: string;
let waitlistProcess: SqsConsumer;

beforeAll(async () => {
  const harness = await prepareProofEnvironment('registration-decisions');
  store = storeWithCodec(harness.tables.client, harness.tables);
  openedStore = storeWithCodec(harness.tables.client, harness.tables, { open: true });
  handlers = await importRouteHandlers();
  organizerToken = harness.organizerToken;
  ({ send, call } = organizerCalls(handlers, organizerToken));
  waitlistProcess = await importHandler<SqsConsumer>('functions/consumers/waitlist-process.ts');
});

const newConference = async (capacity: number) =>
  String(
    (
      await call(
        'CreateConference',
        {},
        { ...iclc2015, capacity, registrationPolicy: { 'civil-society': 'moderated' } },
      )
    ).conferenceId,
  );

const register = async (conferenceId: string, category: 'civil-society' | 'mayor', email?: string) => {
  const answer = await send(
    'RegisterDelegate',
    { conferenceId },
    { ...delegate, category, email: email ?? `${randomUUID()}@example.org`, consent: true },
  );
  expect(answer.status, answer.text).toBe(201);
  return { registrationId: String(answer.json.registrationId), status: String(answer.json.status) };
};

const decide = (conferenceId: string, decisions: unknown[], headers: Record<string, string> = {}) =>
  invoke(
    handlers.DecideRegistrations as Handler,
    routeNamed('DecideRegistrations'),
    { conferenceId },
    { body: { decisions }, headers: { authorization: `Bearer ${organizerToken}`, ...headers } },
  );

const statusOf = async (conferenceId: string, registrationId: string) =>
  (await call('GetRegistration', { conferenceId, registrationId })).status;

const seatsHeld = async (conferenceId: string) => {
  const pool = seatsGuardKey(conferenceId);
  const items = await store.guardItems(Array.from({ length: SEAT_SHARDS }, (_, i) => seatShardKey(pool, i)));
  return [...items.values()].reduce((sum, item) => sum + Number(item.held ?? 0), 0);
};

const typesOf = async (registrationId: string) =>
  (await store.load(registrationStreamId(registrationId))).map((event) => event.type);

describe('Moderated registrations decided in bulk (DynamoDB Local)', () => {
  it('decides each on its own: approvals take seats, a rejection frees the address, one not pending is its 409', async () => {
    const conferenceId = await newConference(10);
    const open = await register(conferenceId, 'mayor');
    expect(open.status).toBe('registered');
    const pending = [];
    for (let index = 0; index < 4; index++) pending.push(await register(conferenceId, 'civil-society'));
    expect(pending.map((registration) => registration.status)).toEqual(Array(4).fill('pending'));
    // Pending holds no seat: only the open category's registration does.
    expect(await seatsHeld(conferenceId)).toBe(1);
    const [a, b, c, d] = pending.map((registration) => registration.registrationId) as [
      string,
      string,
      string,
      string,
    ];
    const unknown = randomUUID();

    const answer = await decide(conferenceId, [
      { registrationId: a, decision: 'approve' },
      { registrationId: open.registrationId, decision: 'approve' },
      { registrationId: b, decision: 'reject', reasonCode: 'not-eligible', message: { en: 'Cities only.' } },
      { registrationId: unknown, decision: 'approve' },
      { registrationId: c, decision: 'approve' },
    ]);
    expect(answer.status, answer.text).toBe(200);
    const results = answer.json.results as Record<string, unknown>[];
    expect(results.map((result) => result.registrationId)).toEqual([a, open.registrationId, b, unknown, c]);
    expect(results[0]).toEqual({ registrationId: a, status: 'registered' });
    expect(results[1]).toMatchObject({ problem: { status: 409, title: 'Conflict' } });
    expect(JSON.stringify(results[1])).toMatch(/not pending/);
    expect(results[2]).toEqual({ registrationId: b, status: 'rejected' });
    expect(results[3]).toMatchObject({ problem: { status: 404 } });
    expect(results[4]).toEqual({ registrationId: c, status: 'registered' });

    expect(await statusOf(conferenceId, a)).toBe('registered');
    expect(await statusOf(conferenceId, b)).toBe('rejected');
    expect(await statusOf(conferenceId, d)).toBe('pending');
    expect(await statusOf(conferenceId, open.registrationId)).toBe('registered');
    expect(await seatsHeld(conferenceId)).toBe(3);
    // The rejected delegate's address is free again (the email guard was released with the rejection).
    const rejectedEvents = await store.load(registrationStreamId(b));
    expect(rejectedEvents.at(-1)).toMatchObject({
      type: 'RegistrationRejected',
      data: { reasonCode: 'not-eligible' },
    });
    // Sealed as stored: the message is personal data, never in plaintext; it opens with the data key.
    expect(rejectedEvents.at(-1)?.data).toMatchObject({ personal: expect.any(String) });
    expect(JSON.stringify(rejectedEvents)).not.toContain('Cities only.');
    const opened = await openedStore.load(registrationStreamId(b));
    expect(opened.at(-1)?.data).toMatchObject({ personal: { message: { en: 'Cities only.' } } });
  });

  it("names a message's languages in plaintext: a plain string in the conference's default language, a map its keys", async () => {
    const conferenceId = String(
      (
        await call(
          'CreateConference',
          {},
          {
            ...iclc2015,
            capacity: 10,
            languages: ['en', 'fr', 'es'],
            defaultLanguage: 'es',
            registrationPolicy: { 'civil-society': 'moderated' },
          },
        )
      ).conferenceId,
    );
    const [plain, map, none] = [
      await register(conferenceId, 'civil-society'),
      await register(conferenceId, 'civil-society'),
      await register(conferenceId, 'civil-society'),
    ].map((registration) => registration.registrationId) as [string, string, string];
    const answer = await decide(conferenceId, [
      { registrationId: plain, decision: 'reject', reasonCode: 'other', message: 'Solo ciudades.' },
      {
        registrationId: map,
        decision: 'reject',
        reasonCode: 'other',
        message: { fr: 'Seulement des villes.', en: 'Cities only.' },
      },
      { registrationId: none, decision: 'reject', reasonCode: 'other' },
    ]);
    expect(answer.status, answer.text).toBe(200);
    const rejection = async (registrationId: string) =>
      (await store.load(registrationStreamId(registrationId))).at(-1)?.data as Record<string, unknown>;
    expect((await rejection(plain)).messageLanguages).toEqual(['es']);
    expect((await rejection(map)).messageLanguages).toEqual(['en', 'fr']);
    expect(await rejection(none)).not.toHaveProperty('messageLanguages');
    expect(JSON.stringify(await rejection(plain))).not.toContain('Solo ciudades.');
  });

  it('gives the last seat to one of two approvals racing for it; the other waits from its approval', async () => {
    for (let round = 0; round < 3; round++) {
      const conferenceId = await newConference(2);
      await register(conferenceId, 'mayor');
      const first = await register(conferenceId, 'civil-society');
      const second = await register(conferenceId, 'civil-society');
      const answers = await Promise.all([
        decide(conferenceId, [{ registrationId: first.registrationId, decision: 'approve' }]),
        decide(conferenceId, [{ registrationId: second.registrationId, decision: 'approve' }]),
      ]);
      const statuses = answers.map((answer) => {
        expect(answer.status, answer.text).toBe(200);
        return String((answer.json.results as { status: string }[])[0]?.status);
      });
      expect(statuses.sort()).toEqual(['registered', 'waitlisted']);
      expect(await seatsHeld(conferenceId)).toBe(2);
    }
  });

  it('races approvals inside one request for fewer seats than approvals: never more holders than the capacity', async () => {
    const conferenceId = await newConference(5);
    const pending = await Promise.all(
      Array.from({ length: 12 }, () => register(conferenceId, 'civil-society')),
    );
    const answer = await decide(
      conferenceId,
      pending.map(({ registrationId }) => ({ registrationId, decision: 'approve' })),
    );
    expect(answer.status, answer.text).toBe(200);
    const statuses = (answer.json.results as { status: string }[]).map((result) => result.status);
    expect(statuses, answer.text).not.toContain(undefined);
    expect(statuses.filter((status) => status === 'registered')).toHaveLength(5);
    expect(statuses.filter((status) => status === 'waitlisted')).toHaveLength(7);
    expect(await seatsHeld(conferenceId)).toBe(5);
  });

  it('answers a retry under the same Idempotency-Key as the first time and decides nothing twice', async () => {
    const conferenceId = await newConference(10);
    const one = await register(conferenceId, 'civil-society');
    const two = await register(conferenceId, 'civil-society');
    const body = [
      { registrationId: one.registrationId, decision: 'approve' },
      { registrationId: two.registrationId, decision: 'reject', reasonCode: 'duplicate' },
    ];
    const headers = { 'idempotency-key': `decide-${randomUUID()}` };
    const first = await decide(conferenceId, body, headers);
    const again = await decide(conferenceId, body, headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await typesOf(one.registrationId)).toEqual(['RegistrationPending', 'RegistrationApproved']);
    expect(await typesOf(two.registrationId)).toEqual(['RegistrationPending', 'RegistrationRejected']);
    // The same key with another body: 422.
    expectProblem(await decide(conferenceId, body.slice(0, 1), headers), 422);
  });

  it('answers the decisions a first run made, when a retry comes after a run that stopped halfway', async () => {
    const conferenceId = await newConference(10);
    const one = await register(conferenceId, 'civil-society');
    const two = await register(conferenceId, 'civil-society');
    const key = `halfway-${randomUUID()}`;
    const decisions = [
      { registrationId: one.registrationId, decision: 'approve' },
      { registrationId: two.registrationId, decision: 'approve' },
    ];
    // A first run under the key that decided only the first (a request of the first alone stores that
    // part under the same key and name, as a run cut short after it would have).
    const { idempotencyKeys, IDEMPOTENCY_SECRET_PURPOSE } = await import(
      '../../functions/shared/event-store/idempotency.js'
    );
    const { serverSecrets } = await import('../../functions/shared/personal-data/server-secrets.js');
    const path = `/conferences/${conferenceId}/registration-decisions`;
    const keys = idempotencyKeys(
      await serverSecrets().secret(IDEMPOTENCY_SECRET_PURPOSE),
      key,
      `POST ${path}`,
    );
    expect(keys.storageKey).toMatch(/^idempotency#/);
    const full = await decide(conferenceId, decisions, { 'idempotency-key': key });
    expect((full.json.results as { status: string }[]).map((result) => result.status)).toEqual([
      'registered',
      'registered',
    ]);
    // Without the whole answer stored (as if the run stopped before storing it), a retry replays each part.
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    const { marshall } = await import('@aws-sdk/util-dynamodb');
    const { tableNames, dynamoDb } = await import('../../functions/shared/runtime/config.js');
    await dynamoDb().send(
      new DeleteItemCommand({
        TableName: tableNames().streamState,
        Key: marshall({ pk: keys.storageKey, sk: 0 }),
      }),
    );
    const retry = await decide(conferenceId, decisions, { 'idempotency-key': key });
    expect(retry.json).toEqual(full.json);
    expect(await typesOf(one.registrationId)).toEqual(['RegistrationPending', 'RegistrationApproved']);
  });

  it('refuses a malformed body, none or more than 500 decisions with 400', async () => {
    const conferenceId = await newConference(10);
    expectProblem(await decide(conferenceId, []), 400);
    const many = Array.from({ length: 501 }, () => ({ registrationId: randomUUID(), decision: 'approve' }));
    expectProblem(await decide(conferenceId, many), 400);
    expectProblem(await decide(conferenceId, [{ registrationId: 'x', decision: 'reject' }]), 400);
    expectProblem(await decide(randomUUID(), [{ registrationId: 'x', decision: 'approve' }]), 404);
    const anonymous = await invoke(
      handlers.DecideRegistrations as Handler,
      routeNamed('DecideRegistrations'),
      { conferenceId },
      { body: { decisions: [{ registrationId: 'x', decision: 'approve' }] } },
    );
    expectProblem(anonymous, 401);
  });

  it('lets a pending delegate cancel (no seat freed, the address free again) and erases pending and rejected ones', async () => {
    const conferenceId = await newConference(10);
    const email = `${randomUUID()}@example.org`;
    const pending = await register(conferenceId, 'civil-society', email);
    await call('CancelRegistration', { conferenceId, registrationId: pending.registrationId });
    expect(await statusOf(conferenceId, pending.registrationId)).toBe('cancelled');
    expect(await seatsHeld(conferenceId)).toBe(0);
    // The address may register again.
    const again = await register(conferenceId, 'civil-society', email);
    expect(again.status).toBe('pending');
    // Erased while pending.
    await call('ErasePersonalData', { conferenceId, registrationId: again.registrationId });
    expectProblem(await send('GetRegistration', { conferenceId, registrationId: again.registrationId }), 410);
    // Erased once rejected.
    const rejected = await register(conferenceId, 'civil-society');
    await decide(conferenceId, [
      { registrationId: rejected.registrationId, decision: 'reject', reasonCode: 'other', message: 'Sorry.' },
    ]);
    await call('ErasePersonalData', { conferenceId, registrationId: rejected.registrationId });
    expectProblem(
      await send('GetRegistration', { conferenceId, registrationId: rejected.registrationId }),
      410,
    );
    expect(await typesOf(rejected.registrationId)).toEqual([
      'RegistrationPending',
      'RegistrationRejected',
      'PersonalDataErased',
    ]);
    expect(await seatsHeld(conferenceId)).toBe(0);
  });

  it('puts an approval into the waitlist from its approval on: a delegate who waited before it gets the freed seat first', async () => {
    const conferenceId = await newConference(1);
    const seated = await register(conferenceId, 'mayor');
    // Registered first, but pending: it waits for nothing until approved.
    const moderated = await register(conferenceId, 'civil-society');
    const waiting = await register(conferenceId, 'mayor');
    expect([seated.status, moderated.status, waiting.status]).toEqual([
      'registered',
      'pending',
      'waitlisted',
    ]);
    const approval = await decide(conferenceId, [
      { registrationId: moderated.registrationId, decision: 'approve' },
    ]);
    expect(approval.json.results).toEqual([
      { registrationId: moderated.registrationId, status: 'waitlisted' },
    ]);

    // The waitlist process hears every event of the three, then the cancellation of the seat.
    const deliver = async (registrationId: string) => {
      for (const event of await store.load(registrationStreamId(registrationId)))
        expect(
          await deliverAlone(waitlistProcess, event, {
            queue: 'decisions-waitlist',
            functionName: 'WaitlistProcess',
          }),
        ).toEqual([]);
    };
    await deliver(seated.registrationId);
    await deliver(moderated.registrationId);
    await deliver(waiting.registrationId);
    await call('CancelRegistration', { conferenceId, registrationId: seated.registrationId });
    const cancellation = (await store.load(registrationStreamId(seated.registrationId))).at(-1);
    if (!cancellation) throw new Error('no cancellation');
    expect(
      await deliverAlone(waitlistProcess, cancellation, {
        queue: 'decisions-waitlist',
        functionName: 'WaitlistProcess',
      }),
    ).toEqual([]);
    expect(await statusOf(conferenceId, waiting.registrationId)).toBe('registered');
    expect(await statusOf(conferenceId, moderated.registrationId)).toBe('waitlisted');
  });
});
