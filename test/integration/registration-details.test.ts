import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { toDelegateCounts } from '../../domain/projections/delegate-counts.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { delegateCountsProjection } from '../../functions/shared/projections/projections.js';
import { readModelPartition, SUMMARY } from '../../functions/shared/projections/read-models.js';
import { iclc2015 } from '../domain/fixtures.js';
import { storeWithCodec } from '../support/personal-data.js';
import { threeTimesShuffled } from '../support/redeliveries.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/** Correcting registrations through the real handlers, event store and guards on DynamoDB Local. */
const handlers = useRouteHandlers('details', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let sealed: EventStore;
let opened: EventStore;

const createConference = async (extra: Record<string, unknown> = {}) => {
  const created = await call(
    'CreateConference',
    {},
    { body: { ...iclc2015, ...extra }, headers: organizer() },
  );
  expect(created.status).toBe(201);
  return created.body.conferenceId as string;
};

const register = async (conferenceId: string, email: string, country = 'MX') => {
  const response = await call(
    'RegisterDelegate',
    { conferenceId },
    {
      body: {
        givenName: 'Ana',
        familyName: 'Perez',
        email,
        country,
        city: 'Mexico City',
        organization: 'Ciudad de México',
        category: 'mayor',
        consent: true,
      },
    },
  );
  expect(response.status).toBe(201);
  return response.body as { registrationId: string; manageToken: string };
};

const details = (
  conferenceId: string,
  registration: { registrationId: string; manageToken: string },
  body: unknown,
  headers: Record<string, string> = { 'x-manage-token': registration.manageToken },
) =>
  call(
    'ChangeRegistrationDetails',
    { conferenceId, registrationId: registration.registrationId },
    { body, headers },
  );

const eventsOf = (registrationId: string, store = sealed) => store.load(registrationStreamId(registrationId));

beforeAll(async () => {
  sealed = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
  opened = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, { open: true });
}, 60_000);

describe('POST .../details on DynamoDB Local', () => {
  let conferenceId: string;
  beforeAll(async () => {
    conferenceId = await createConference({ editableUntil: '2099-01-01T00:00:00Z' });
  });

  it('changes the email and moves the guard with it: the old address may register again, the new one not', async () => {
    const ana = await register(conferenceId, 'ana.old@example.org');
    const changed = await details(conferenceId, ana, { email: 'Ana.New@example.org', familyName: 'Pérez' });
    expect(changed).toMatchObject({
      status: 200,
      body: {
        registrationId: ana.registrationId,
        status: 'registered',
        email: 'Ana.New@example.org',
        familyName: 'Pérez',
        givenName: 'Ana',
      },
    });
    const read = await call(
      'GetRegistration',
      { conferenceId, registrationId: ana.registrationId },
      { headers: { 'x-manage-token': ana.manageToken } },
    );
    expect(read.body).toEqual(changed.body);

    expect(
      (await call('RegisterDelegate', { conferenceId }, { body: registrationBody('ana.new@EXAMPLE.org') }))
        .status,
    ).toBe(409);
    expect(
      (await call('RegisterDelegate', { conferenceId }, { body: registrationBody('ana.old@example.org') }))
        .status,
    ).toBe(201);

    // Stored and published, the change is sealed; opened, it holds only what changed and the new guard key.
    const [, stored] = await eventsOf(ana.registrationId);
    expect(stored?.type).toBe('DelegateDetailsChanged');
    expect(JSON.stringify(stored)).not.toMatch(/Ana\.New|Pérez/);
    expect(stored?.data).toMatchObject({
      changedBy: 'delegate',
      previous: { country: 'MX', category: 'mayor' },
    });
    const [, open] = await eventsOf(ana.registrationId, opened);
    expect(Object.keys((open?.data as { personal: object } | undefined)?.personal ?? {}).sort()).toEqual([
      'email',
      'emailKey',
      'familyName',
    ]);
  });

  it('refuses an email active elsewhere in the conference (409), appending nothing', async () => {
    const bob = await register(conferenceId, 'bob@example.org');
    await register(conferenceId, 'carla@example.org');
    const before = (await eventsOf(bob.registrationId)).length;
    const taken = await details(conferenceId, bob, { email: 'CARLA@example.org' });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toMatch(/already has an active registration/);
    expect(await eventsOf(bob.registrationId)).toHaveLength(before);
  });

  it('lets one of two registrations racing for the same new address have it', async () => {
    const first = await register(conferenceId, 'race1@example.org');
    const second = await register(conferenceId, 'race2@example.org');
    const answers = await Promise.all([
      details(conferenceId, first, { email: 'winner@example.org' }),
      details(conferenceId, second, { email: 'winner@example.org' }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
  });

  it('answers bad bodies with 400 naming the field, and nothing appended', async () => {
    const dora = await register(conferenceId, 'dora@example.org');
    const nothing = await details(conferenceId, dora, { givenName: 'Ana', country: 'MX' });
    expect(nothing.status).toBe(400);
    expect(nothing.body.errors.map((error: { path: string }) => error.path)).toEqual([
      'givenName',
      'country',
    ]);
    const invalid = await details(conferenceId, dora, { country: 'Mexico', manageToken: 'x' });
    expect(invalid.status).toBe(400);
    const paths = new Set(invalid.body.errors.map((error: { path: string }) => error.path));
    expect([...paths].sort()).toEqual(['(body)', 'country']);
    expect(JSON.stringify(invalid.body.errors)).toMatch(/manageToken/);
    expect((await details(conferenceId, dora, {})).status).toBe(400);
    expect(await eventsOf(dora.registrationId)).toHaveLength(1);
  });

  it('needs the registration’s own manage token, refuses a cancelled registration (409) and an erased one (410)', async () => {
    const emil = await register(conferenceId, 'emil@example.org');
    const other = await register(conferenceId, 'other@example.org');
    expect((await details(conferenceId, emil, { city: 'Puebla' }, {})).status).toBe(401);
    expect(
      (await details(conferenceId, emil, { city: 'Puebla' }, { 'x-manage-token': other.manageToken })).status,
    ).toBe(403);
    const path = { conferenceId, registrationId: emil.registrationId };
    expect(
      (await call('CancelRegistration', path, { headers: { 'x-manage-token': emil.manageToken } })).status,
    ).toBe(200);
    const cancelled = await details(conferenceId, emil, { city: 'Puebla' });
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.detail).toMatch(/cancelled/);
    expect((await call('ErasePersonalData', path, { headers: organizer() })).status).toBe(200);
    expect((await details(conferenceId, emil, { city: 'Puebla' }, organizer())).status).toBe(410);
  });

  it('closes delegates’ changes after editableUntil, but not an organizer’s', async () => {
    const closed = await createConference({ editableUntil: '2015-09-25T00:00:00-05:00' });
    const fay = await register(closed, 'fay@example.org');
    const refused = await details(closed, fay, { city: 'Puebla' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/Changes closed at 2015-09-25T00:00:00-05:00/);
    const byOrganizer = await details(closed, fay, { city: 'Puebla', category: 'academic' }, organizer());
    expect(byOrganizer).toMatchObject({ status: 200, body: { city: 'Puebla', category: 'academic' } });
  });
});

describe('Delegate counts follow country and category changes, exactly under redelivery', () => {
  it('moves seat holders between countries and categories, whatever the order and number of deliveries', async () => {
    const conferenceId = await createConference({ editableUntil: '2099-01-01T00:00:00Z' });
    const people = [];
    for (let n = 0; n < 6; n++)
      people.push(await register(conferenceId, `count${n}@example.org`, n % 2 ? 'FI' : 'MX'));
    // Two move country (MX→KR and FI→KR), one changes category twice, one changes only its name.
    expect((await details(conferenceId, people[0] as never, { country: 'KR' })).status).toBe(200);
    expect(
      (await details(conferenceId, people[1] as never, { country: 'KR', category: 'academic' })).status,
    ).toBe(200);
    expect((await details(conferenceId, people[2] as never, { category: 'media' })).status).toBe(200);
    expect((await details(conferenceId, people[2] as never, { category: 'academic' })).status).toBe(200);
    expect((await details(conferenceId, people[3] as never, { givenName: 'Anna' })).status).toBe(200);

    const history: EventEnvelope[] = [
      ...(await sealed.load(`conference-${conferenceId}`)),
      ...(await Promise.all(people.map((person) => eventsOf(person.registrationId)))).flat(),
    ];
    const runner = new ProjectionRunner(delegateCountsProjection as never, {
      client: handlers.environment.tables.client,
      tableName: handlers.environment.tables.readModels,
      store: sealed,
    });
    const deliveries = threeTimesShuffled(history, 11);
    for (let i = 0; i < deliveries.length; i += 4)
      await Promise.all(deliveries.slice(i, i + 4).map((event) => runner.apply(event, 7)));
    const { Item } = await handlers.environment.tables.client.send(
      new GetItemCommand({
        TableName: handlers.environment.tables.readModels,
        Key: marshall({ pk: readModelPartition('delegate-counts', 7, conferenceId), sk: SUMMARY }),
        ConsistentRead: true,
      }),
    );
    const counts = toDelegateCounts(conferenceId, 600, Item ? unmarshall(Item) : {});
    expect(counts).toMatchObject({
      registered: 6,
      countries: 3,
      byCountry: { FI: 2, KR: 2, MX: 2 },
      byCategory: { academic: 2, mayor: 4 },
    });
  });
});

const registrationBody = (email: string) => ({
  givenName: 'Someone',
  familyName: 'Else',
  email,
  country: 'MX',
  city: 'Mexico City',
  category: 'other',
  consent: true,
});
