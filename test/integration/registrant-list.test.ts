import { randomUUID } from 'node:crypto';
import {
  DeleteTableCommand,
  QueryCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  type RegistrantFilters,
  type RegistrantRow,
  type RegistrantSort,
  rowMatchesFilters,
  sortKeyOf,
} from '../../domain/projections/registrant-list.js';
import {
  personalDataOf,
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { nameOrderOf } from '../../domain/shared/names.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { type EventCodec, personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys } from '../../functions/shared/personal-data/data-keys.js';
import { keyService } from '../../functions/shared/personal-data/key-service.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { registrantListProjection } from '../../functions/shared/projections/projections.js';
import { readModelPartition } from '../../functions/shared/projections/read-models.js';
import { rebuild } from '../../functions/shared/projections/rebuild.js';
import {
  allRegistrants,
  InvalidCursorError,
  type RegistrantListSource,
  registrantPage,
} from '../../functions/shared/projections/registrant-list.js';
import { personalReadModelsTable, type TableDefinition } from '../../infra/definitions/tables.js';
import { createTables } from '../../local/create-tables.js';
import { rebuildRecreatedReadModels } from '../../local/rebuild-recreated.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { threeTimesShuffled } from '../support/redeliveries.js';
import { appendConference } from '../support/seed.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
let store: EventStore;
let openedStore: EventStore;
let codec: EventCodec;
let runner: ProjectionRunner<RegistrantRow>;
const conferenceId = randomUUID();
const streams: string[] = [];

const people: Array<[string, string, string | undefined]> = [
  ['Ana María', 'Pérez', 'Ciudad de México'],
  ['Jürgen', 'Müller', 'Beijing Municipal Education Commission'],
  ['Ольга', 'Смирнова', 'Московский городской университет'],
  ['Σοφία', 'Παπαδοπούλου', 'Δήμος Αθηναίων'],
  ['Seán', "O'Brien", 'Cork City Council'],
  ['Søren', 'Østergaard', undefined],
  ['Zoë', 'Çelik', 'Amman Institute'],
  ['Luis', 'Núñez', 'Universidad de Sorocaba'],
];
const countries = ['MX', 'DE', 'RU', 'GR', 'IE', 'DK', 'JO', 'PY'];
const categories = ['mayor', 'academic', 'civil-society', 'media'] as const;
const at = (minute: number) => new Date(Date.UTC(2015, 8, 1, 8, minute)).toISOString();

/** 48 registrations through the deciders: promoted, checked in, cancelled, and five erased. */
const writeHistory = async () => {
  await appendConference(store, conferenceId, { now: at(0) });
  for (let i = 0; i < 48; i++) {
    const registrationId = randomUUID();
    const [givenName, familyName, organization] = people[i % people.length] as [string, string, string?];
    const email = `d${i}x.${familyName.length}@example.org`;
    const first: RegistrationCommand = {
      type: 'RegisterDelegate',
      registrationId,
      conferenceId,
      delegate: {
        givenName,
        familyName: i < 8 ? familyName : `${familyName} ${i}`,
        email,
        country: countries[i % countries.length] as string,
        city: 'Somewhere',
        ...(organization ? { organization } : {}),
        category: categories[i % categories.length] ?? 'other',
      },
      emailKey: testEmailKey(email),
      manageTokenHash: 'h',
      seatAvailable: i % 5 !== 0,
      now: at(i + 1),
    };
    const later: RegistrationCommand[] = [];
    if (i % 10 === 0) later.push({ type: 'PromoteWaitlistedDelegate', now: at(i + 2) });
    if (i % 3 === 1) later.push({ type: 'CheckInDelegate', now: at(i + 2) });
    if (i % 7 === 2) later.push({ type: 'CancelRegistration', by: 'delegate', now: at(i + 3) });
    if (i % 9 === 4) later.push({ type: 'ErasePersonalData', by: 'delegate', now: at(i + 4) });
    const events: RegistrationEvent[] = registrationDecider.decide(first, fold(registrationDecider, []));
    await store.append({
      conferenceId,
      correlationId: 'seed',
      now: at(i + 1),
      streams: [{ streamId: registrationStreamId(registrationId), expectedVersion: 0, events }],
    });
    // One command per append, as the routes do (an erasure destroys the key with its event).
    for (const command of later) {
      const state = fold(registrationDecider, events);
      // A check-in of a delegate still waiting is refused, as the route would: left out.
      if (command.type === 'CheckInDelegate' && state.status !== 'registered') continue;
      const decided = registrationDecider.decide(command, state);
      await store.append({
        conferenceId,
        correlationId: 'seed',
        now: command.now,
        streams: [
          {
            streamId: registrationStreamId(registrationId),
            expectedVersion: events.length,
            events: decided,
          },
        ],
      });
      events.push(...decided);
    }
    streams.push(registrationStreamId(registrationId));
  }
};

/** What the bus delivers: every stored event, sealed as stored, which the projector opens. */
const deliveries = async (): Promise<EventEnvelope[]> =>
  (await Promise.all(streams.map((streamId) => store.load(streamId)))).flat();

/** The registrations as GET of each would read them back, computed from the opened streams. */
const readBack = async (): Promise<RegistrantRow[]> => {
  const rows: RegistrantRow[] = [];
  for (const streamId of streams) {
    const events = (await openedStore.load(streamId)) as unknown as RegistrationEvent[];
    const state = fold(registrationDecider, events);
    const personal = personalDataOf(events);
    if (state.status === 'none' || state.status === 'erased' || !personal || personal === 'erased') continue;
    rows.push({
      registrationId: state.registrationId,
      conferenceId,
      status: state.status,
      givenName: personal.givenName,
      familyName: personal.familyName,
      email: personal.email,
      country: state.country,
      city: personal.city,
      organization: personal.organization ?? null,
      category: state.category,
      registeredAt: state.registeredAt,
      language: personal.language ?? 'en',
      latinName: personal.latinName ?? null,
      nameOrder: nameOrderOf(personal),
      consentToPublish: personal.consentToPublish === true,
      ...(state.delegationId ? { delegationId: state.delegationId } : {}),
      ...(state.checkedInAt ? { checkedInAt: state.checkedInAt } : {}),
      ...(state.cancelledAt ? { cancelledAt: state.cancelledAt } : {}),
    });
  }
  return rows;
};

/** Every item of a generation of the list, by its key with the generation left out. */
const generationItems = async (generation: number) => {
  const prefix = readModelPartition(registrantListProjection.name, generation, conferenceId);
  const items = new Map<string, Record<string, unknown>>();
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await tables.client.send(
      new ScanCommand({
        TableName: tables.personalReadModels,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const raw of page.Items ?? []) {
      const { pk, sk, ...item } = unmarshall(raw);
      if (String(pk).startsWith(prefix)) items.set(`${String(pk).slice(prefix.length)} ${sk}`, item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const source = (generation: number): RegistrantListSource => ({
  client: tables.client,
  tableName: tables.personalReadModels,
  generation,
});

const expected = (rows: RegistrantRow[], filters: RegistrantFilters, sort: RegistrantSort) =>
  rows
    .filter((row) => rowMatchesFilters(row, filters))
    .sort((a, b) => (sortKeyOf(a, sort) < sortKeyOf(b, sort) ? -1 : 1));

const everyPage = async (
  generation: number,
  filters: RegistrantFilters,
  sort: RegistrantSort,
  limit: number,
) => {
  const rows: RegistrantRow[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await registrantPage(
      conferenceId,
      { filters, sort, limit, ...(cursor ? { cursor } : {}) },
      source(generation),
    );
    expect(page.registrations.length).toBeLessThanOrEqual(limit);
    rows.push(...page.registrations);
    cursor = page.nextCursor;
    if (!cursor) return rows;
  }
  throw new Error('more than 100 pages');
};

beforeAll(async () => {
  tables = await createTestTables('registrant-list');
  store = storeWithCodec(tables.client, tables);
  const dataKeys = new DataKeys({
    client: tables.client,
    tableName: tables.dataKeys,
    keyService: () => keyService(),
  });
  codec = personalDataCodec({ dataKeys, open: true });
  openedStore = storeWithCodec(tables.client, tables, { open: true });
  runner = new ProjectionRunner(registrantListProjection, {
    client: tables.client,
    tableName: tables.personalReadModels,
    store: openedStore,
  });
  await writeHistory();
  for (const event of await deliveries()) await runner.apply(await codec.open(event), 1);
}, 120_000);

describe('Registrant list projection (DynamoDB Local)', () => {
  it('holds every registration as read back, and none of the erased ones', async () => {
    const rows = await readBack();
    expect(rows.length).toBe(43);
    const listed = [];
    for await (const row of allRegistrants(conferenceId, {}, { source: source(1) })) listed.push(row);
    expect(listed).toEqual(expected(rows, {}, 'registeredAt'));
    expect(new Set(rows.map((row) => row.status))).toEqual(
      new Set(['registered', 'waitlisted', 'checked-in', 'cancelled']),
    );
  });

  it('is the same, item for item, when every event arrives three times, shuffled and concurrently', async () => {
    const events = await deliveries();
    const shuffled = threeTimesShuffled(events, 2015);
    const outcomes = { applied: 0, duplicate: 0, ignored: 0 };
    for (let i = 0; i < shuffled.length; i += 6)
      for (const outcome of await Promise.all(
        shuffled.slice(i, i + 6).map(async (event) => runner.apply(await codec.open(event), 7)),
      ))
        outcomes[outcome]++;
    expect(outcomes.duplicate).toBeGreaterThan(events.length);
    const inOrder = await generationItems(1);
    expect(inOrder.size).toBeGreaterThan(48 * 10);
    expect(await generationItems(7)).toEqual(inOrder);
  });

  it('is the same, item for item, when the redeliveries come in batches of 10, four batches at a time (applyBatch)', async () => {
    const events = await deliveries();
    const shuffled = threeTimesShuffled(events, 2026);
    const batches: EventEnvelope[][] = [];
    for (let i = 0; i < shuffled.length; i += 10) batches.push(shuffled.slice(i, i + 10));
    const outcomes = { applied: 0, duplicate: 0, ignored: 0 };
    for (let i = 0; i < batches.length; i += 4)
      for (const outcome of await Promise.all(
        batches
          .slice(i, i + 4)
          .map(async (batch) =>
            runner.applyBatch(await Promise.all(batch.map((event) => codec.open(event))), 8),
          ),
      )) {
        outcomes.applied += outcome.applied;
        outcomes.duplicate += outcome.duplicate;
        outcomes.ignored += outcome.ignored;
      }
    expect(outcomes.applied + outcomes.duplicate + outcomes.ignored).toBe(shuffled.length);
    expect(outcomes.duplicate).toBeGreaterThan(events.length);
    const inOrder = await generationItems(1);
    expect(inOrder.size).toBeGreaterThan(48 * 10);
    expect(await generationItems(8)).toEqual(inOrder);
  });

  it('keeps nothing of an erased registration but its checkpoint, in no item', async () => {
    const erasedStreams: string[] = [];
    for (const streamId of streams) {
      const events = (await openedStore.load(streamId)) as unknown as RegistrationEvent[];
      if (events.some((event) => event.type === 'PersonalDataErased')) erasedStreams.push(streamId);
    }
    expect(erasedStreams.length).toBe(5);
    // Erase one more now, after the list was built: its row and every index entry go.
    const live = streams.find((streamId) => !erasedStreams.includes(streamId)) as string;
    const events = (await openedStore.load(live)) as unknown as RegistrationEvent[];
    const personal = personalDataOf(events);
    if (!personal || personal === 'erased') throw new Error('expected a live registration');
    const registrationId = live.slice('registration-'.length);
    const before = await generationItems(1);
    expect([...before.keys()].filter((key) => key.endsWith(registrationId)).length).toBeGreaterThan(10);
    const decided = registrationDecider.decide(
      { type: 'ErasePersonalData', by: 'organizer', now: at(200) },
      fold(registrationDecider, events),
    );
    const appended = await store.append({
      conferenceId,
      correlationId: 'erase',
      now: at(200),
      streams: [{ streamId: live, expectedVersion: events.length, events: decided }],
    });
    for (const event of appended) await runner.apply(await codec.open(event), 1);
    const after = await generationItems(1);
    const left = [...after.entries()].filter(([key]) => key.includes(registrationId));
    expect(left).toEqual([[` stream#${live}`, { version: events.length + decided.length, state: null }]]);
    const text = JSON.stringify([...after.entries()]);
    expect(text).not.toContain(personal.email);
    // The five erased in the history: only their checkpoints.
    for (const streamId of erasedStreams) {
      const id = streamId.slice('registration-'.length);
      const items = [...after.entries()].filter(([key]) => key.includes(id));
      expect(items).toHaveLength(1);
      expect(items[0]?.[1]).toMatchObject({ state: null });
    }
  });

  it.each<[RegistrantFilters, RegistrantSort, number]>([
    [{}, 'registeredAt', 7],
    [{}, 'familyName', 5],
    [{ q: 'perez' }, 'registeredAt', 2],
    [{ q: 'mu' }, 'familyName', 3],
    [{ q: 'beij' }, 'registeredAt', 50],
    [{ q: 'ольга' }, 'registeredAt', 1],
    [{ q: 'παπα' }, 'familyName', 2],
    [{ q: "o'b" }, 'registeredAt', 3],
    [{ q: 'ana pé' }, 'registeredAt', 2],
    [{ q: 'e' }, 'familyName', 4],
    // The delegation is a filter here (the search picks the dimension), read through the family-name index.
    [{ q: 'mü', delegationId: 'no-such-delegation' }, 'familyName', 5],
    [{ statuses: ['waitlisted'] }, 'registeredAt', 2],
    [{ statuses: ['registered', 'checked-in'] }, 'familyName', 6],
    [{ country: 'MX', statuses: ['cancelled', 'checked-in'] }, 'registeredAt', 1],
    [{ category: 'mayor' }, 'familyName', 4],
    [{ category: 'academic', q: 'jü', statuses: ['checked-in'] }, 'registeredAt', 1],
    [{ country: 'FI' }, 'registeredAt', 10],
  ])(
    'pages through %j by %s, %i a page, exactly as the rows filtered and sorted',
    async (filters, sort, limit) => {
      const want = expected(await readBack(), filters, sort);
      const got = await everyPage(1, filters, sort, limit);
      expect(got.map((row) => row.registrationId)).toEqual(want.map((row) => row.registrationId));
      expect(got).toEqual(want);
    },
  );

  it('finds by a few letters ignoring case and accents', async () => {
    const names = async (q: string) =>
      (
        await registrantPage(conferenceId, { filters: { q }, sort: 'familyName', limit: 200 }, source(1))
      ).registrations.map((row) => row.familyName.split(' ')[0]);
    expect(new Set(await names('perez'))).toEqual(new Set(['Pérez']));
    expect(new Set(await names('MU'))).toEqual(new Set(['Müller']));
    expect(new Set(await names('beij'))).toEqual(new Set(['Müller']));
    expect(new Set(await names('nunez'))).toEqual(new Set(['Núñez']));
    expect(await names('zzz')).toEqual([]);
  });

  it('refuses a cursor of another query, and one not made by it', async () => {
    const first = await registrantPage(
      conferenceId,
      { filters: {}, sort: 'registeredAt', limit: 3 },
      source(1),
    );
    expect(first.nextCursor).toBeDefined();
    const cursor = first.nextCursor as string;
    await expect(
      registrantPage(
        conferenceId,
        { filters: { country: 'MX' }, sort: 'registeredAt', limit: 3, cursor },
        source(1),
      ),
    ).rejects.toThrow(InvalidCursorError);
    await expect(
      registrantPage(conferenceId, { filters: {}, sort: 'familyName', limit: 3, cursor }, source(1)),
    ).rejects.toThrow(InvalidCursorError);
    const forged = Buffer.from(JSON.stringify({ v: 1, p: 'x', a: 'r|' })).toString('base64url');
    for (const bad of ['%%%', 'bm90IGpzb24', forged, `${cursor}x`])
      await expect(
        registrantPage(conferenceId, { filters: {}, sort: 'registeredAt', limit: 3, cursor: bad }, source(1)),
      ).rejects.toThrow(InvalidCursorError);
  });

  it('is rebuilt from the event store into a new generation equal to the live one', async () => {
    const result = await rebuild({
      client: tables.client,
      tables,
      projections: [registrantListProjection],
      codec,
      pointerSettleMs: 0,
      pageSize: 11,
    });
    const generation = result.changes[0]?.generation as number;
    expect(generation).toBeGreaterThan(1);
    expect(await generationItems(generation)).toEqual(await generationItems(1));
    await expect(
      rebuild({
        client: tables.client,
        tables: {
          events: tables.events,
          readModels: tables.readModels,
          personalReadModels: tables.personalReadModels,
        },
        projections: [registrantListProjection],
        pointerSettleMs: 0,
      }),
    ).rejects.toThrow(/data keys/);
    // Without a codec given, one on the data keys table with the runtime's key service.
    const again = await rebuild({
      client: tables.client,
      tables,
      projections: [registrantListProjection],
      pointerSettleMs: 0,
    });
    expect(await generationItems(again.changes[0]?.generation as number)).toEqual(await generationItems(1));
    // The index partitions are keyed by generation too.
    const { Count } = await tables.client.send(
      new QueryCommand({
        TableName: tables.personalReadModels,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': { S: `${readModelPartition(registrantListProjection.name, generation, conferenceId)}#all` },
        },
      }),
    );
    // One entry per registration serves both orders (the familyName one through the local index).
    expect(Count).toBe((await readBack()).length);
  });

  // Last: it replaces the table the tests above read.
  it('is rebuilt into its table recreated at start, when the table of before lacks the local index', async () => {
    const { client, prefix } = tables;
    await client.send(new DeleteTableCommand({ TableName: tables.personalReadModels }));
    const before = { ...personalReadModelsTable, localSecondaryIndexes: [] };
    await createTables(client, { prefix, definitions: [before] });
    await expect(createTables(client, { prefix, definitions: [personalReadModelsTable] })).rejects.toThrow(
      /local index familyNameOrder is missing/,
    );

    const recreated: TableDefinition[] = [];
    const reasons: string[] = [];
    await createTables(client, {
      prefix,
      definitions: [personalReadModelsTable],
      onRecreated: (definition, problems) => {
        recreated.push(definition);
        reasons.push(...problems);
      },
    });
    expect(recreated).toEqual([personalReadModelsTable]);
    expect(reasons).toEqual(['local index familyNameOrder is missing']);
    const lines: string[] = [];
    const result = await rebuildRecreatedReadModels({
      client,
      tables,
      recreated,
      log: (line) => lines.push(line),
    });
    expect(lines.at(-1)).toMatch(/^Rebuilt visa-letters, registrant-list, invitations: \d+ events/);

    const want = expected(await readBack(), {}, 'familyName');
    const rebuilt = result?.changes.find((change) => change.projection === registrantListProjection.name);
    const got = await everyPage(rebuilt?.generation ?? 0, {}, 'familyName', 5);
    expect(got.map((row) => row.registrationId)).toEqual(want.map((row) => row.registrationId));
  });
});
