import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { sensitiveDataExpired } from '../../domain/conference/decider.js';
import { toAnswersSummary } from '../../domain/projections/answers-summary.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { FormField } from '../../domain/registration-form/form.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import {
  eraseSensitiveForRetention,
  registrationsWithSensitiveAnswers,
} from '../../functions/shared/personal-data/retention.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import {
  answersSummaryProjection,
  registrantListProjection,
} from '../../functions/shared/projections/projections.js';
import { readModelPartition, SUMMARY } from '../../functions/shared/projections/read-models.js';
import { signOrganizerToken } from '../../local/signing-key.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { dataKeyItems, storeWithCodec } from '../support/personal-data.js';
import { threeTimesShuffled } from '../support/redeliveries.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * The organizer's registration form (CONTRACT 5.2) through the real handlers, event store, guards and data
 * keys on DynamoDB Local: forms refused by their path, answers checked, a limited option raced, sensitive
 * answers sealed under their own key and shown only to `sensitive-data` and the delegate, the caterer's totals.
 */
const handlers = useRouteHandlers('form', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let sealed: EventStore;
let sensitiveToken: string;

const sensitiveOrganizer = () => ({ authorization: `Bearer ${sensitiveToken}` });

const MARKER = 'MARKER-sensitive-7f3a';

const fields: FormField[] = [
  {
    fieldId: 'diet',
    type: 'single-choice',
    label: 'Dietary needs',
    sensitive: true,
    required: true,
    options: [
      { optionId: 'none', label: 'None' },
      { optionId: 'vegetarian', label: 'Vegetarian' },
      { optionId: 'halal', label: 'Halal' },
      { optionId: 'other', label: 'Other' },
    ],
  },
  {
    fieldId: 'dietOther',
    type: 'text',
    label: 'Which diet?',
    sensitive: true,
    required: true,
    showIf: { fieldId: 'diet', equals: 'other' },
  },
  {
    fieldId: 'visit',
    type: 'single-choice',
    label: 'Field visit',
    options: [
      { optionId: 'xochimilco', label: 'Xochimilco learning community', limit: 40 },
      { optionId: 'centro', label: 'Centro Histórico' },
    ],
  },
  {
    fieldId: 'position',
    type: 'text',
    label: 'Position or title (protocol)',
    categories: ['mayor', 'political-leader'],
  },
  { fieldId: 'guests', type: 'number', label: 'Accompanying persons', min: 0, max: 3 },
];

const createConference = async (extra: Record<string, unknown> = {}) => {
  const created = await call(
    'CreateConference',
    {},
    { body: { ...iclc2015, ...extra }, headers: organizer() },
  );
  expect(created.status).toBe(201);
  return created.body.conferenceId as string;
};

const putForm = (conferenceId: string, body: unknown) =>
  call('PutRegistrationForm', { conferenceId }, { body, headers: organizer() });

const registrationBody = (email: string, answers?: unknown, category = 'mayor') => ({
  givenName: 'Ana',
  familyName: 'Pérez',
  email,
  country: 'MX',
  city: 'Puebla',
  category,
  consent: true,
  ...(answers === undefined ? {} : { answers }),
});

/**
 * Registers as a polite client does: a 503 (the shared machine's DynamoDB Local falling behind) is tried
 * again with the same body after a pause, as its Retry-After asks, until the answer is something else.
 */
const register = async (conferenceId: string, email: string, answers?: unknown, category?: string) => {
  for (let attempt = 0; ; attempt += 1) {
    const result = await call(
      'RegisterDelegate',
      { conferenceId },
      // The same key on every try: a try whose write landed before its answer was lost gets that answer.
      {
        body: registrationBody(email, answers, category),
        headers: { 'idempotency-key': `register-${email}` },
      },
    );
    if (result.status !== 503 || attempt === 30) return result;
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
  }
};

beforeAll(async () => {
  sealed = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
  sensitiveToken = await signOrganizerToken({
    dataDir: handlers.environment.dataDir,
    groups: ['organizers', 'sensitive-data'],
  });
}, 60_000);

describe('PUT and GET .../registration-form', () => {
  it('refuses a form naming an unknown field, a later field (a loop) or repeating an id: 400 naming it', async () => {
    const conferenceId = await createConference();
    const unknown = await putForm(conferenceId, {
      fields: [{ fieldId: 'a', type: 'text', label: 'A', showIf: { fieldId: 'nope', equals: 'x' } }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { path: 'fields.0.showIf.fieldId', message: expect.stringContaining('unknown field nope') },
    ]);
    const loop = await putForm(conferenceId, {
      fields: [
        { fieldId: 'a', type: 'yes-no', label: 'A', showIf: { fieldId: 'b', equals: true } },
        { fieldId: 'b', type: 'yes-no', label: 'B', showIf: { fieldId: 'a', equals: true } },
      ],
    });
    expect(loop.status).toBe(400);
    expect(loop.body.errors[0].path).toBe('fields.0.showIf.fieldId');
    const repeated = await putForm(conferenceId, {
      fields: [
        { fieldId: 'a', type: 'text', label: 'A' },
        { fieldId: 'a', type: 'number', label: 'A again' },
      ],
    });
    expect(repeated.status).toBe(400);
    expect(repeated.body.errors).toEqual([
      { path: 'fields.1.fieldId', message: expect.stringContaining('repeats') },
    ]);
    expect((await call('GetRegistrationForm', { conferenceId })).body).toMatchObject({
      version: 0,
      fields: [],
    });
  });

  it('versions the form, serves its JSON Schema, and keeps a field’s type (409)', async () => {
    const conferenceId = await createConference();
    const put = await putForm(conferenceId, { fields });
    expect(put).toMatchObject({ status: 200, body: { version: 1, fields } });
    expect((await putForm(conferenceId, { fields })).body.version).toBe(1);
    const got = await call('GetRegistrationForm', { conferenceId });
    expect(got.status).toBe(200);
    expect(got.body.version).toBe(1);
    expect(got.body.jsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(got.body.jsonSchema.properties.answers.properties)).toEqual(
      fields.map((f) => f.fieldId),
    );
    const retyped = await putForm(conferenceId, {
      fields: fields.map((field) =>
        field.fieldId === 'guests' ? { ...field, type: 'text', min: undefined, max: undefined } : field,
      ),
    });
    expect(retyped.status).toBe(409);
    const next = await putForm(conferenceId, { fields: fields.slice(0, 4) });
    expect(next.body.version).toBe(2);
  });
});

describe('registering with answers', () => {
  let conferenceId: string;
  beforeAll(async () => {
    conferenceId = await createConference();
    expect((await putForm(conferenceId, { fields })).status).toBe(200);
  });

  it('answers 400 with each answer’s path: missing, wrong type, out of range, hidden, unknown', async () => {
    const response = await register(
      conferenceId,
      'bad@example.org',
      { dietOther: 'x', visit: 'moon', guests: 9, nope: 1, position: 7 },
      'academic',
    );
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'answers.diet',
      'answers.dietOther',
      'answers.guests',
      'answers.nope',
      'answers.position',
      'answers.visit',
    ]);
  });

  it('seals sensitive answers under the second key: read back only by sensitive-data and the delegate', async () => {
    const created = await register(conferenceId, 'ana@example.org', {
      diet: 'other',
      dietOther: MARKER,
      visit: 'centro',
      position: 'Mayor of Puebla',
      guests: 1,
    });
    expect(created.status).toBe(201);
    const { registrationId, manageToken } = created.body;
    const stored = await sealed.load(registrationStreamId(registrationId));
    expect(JSON.stringify(stored)).not.toContain(MARKER);
    expect(JSON.stringify(stored)).not.toContain('Mayor of Puebla');
    expect(stored[0]?.data).toMatchObject({ formVersion: 1, sensitive: expect.stringMatching(/^pd1\./) });

    const read = (headers: Record<string, string>) =>
      call('GetRegistration', { conferenceId, registrationId }, { headers });
    const plain = await read(organizer());
    expect(plain.body.formVersion).toBe(1);
    expect(plain.body.answers).toEqual({ visit: 'centro', position: 'Mayor of Puebla', guests: 1 });
    expect(JSON.stringify(plain.body)).not.toContain(MARKER);
    const sensitive = await read(sensitiveOrganizer());
    expect(sensitive.body.answers).toMatchObject({ diet: 'other', dietOther: MARKER });
    const delegate = await read({ 'x-manage-token': manageToken });
    expect(delegate.body.answers).toMatchObject({ diet: 'other', dietOther: MARKER });

    // The sensitive key, wrapped on the registration's data-key item: destroyed with the registration's erasure.
    const keyItems = async () =>
      (
        await dataKeyItems(
          handlers.environment.tables.client,
          handlers.environment.tables.dataKeys,
          registrationId,
        )
      ).map((item) => unmarshall(item));
    expect((await keyItems()).find((item) => item.sk === 'data-key')?.sensitiveWrappedKey).toBeDefined();
    expect(
      (await call('ErasePersonalData', { conferenceId, registrationId }, { headers: organizer() })).status,
    ).toBe(200);
    expect((await keyItems()).map((item) => Object.keys(item).sort())).toEqual([['erasedAt', 'pk', 'sk']]);
  });
});

describe('a limited option', () => {
  it('gives 40 places to 60 registering at once, then 409 naming it; leaving frees a place', async () => {
    const conferenceId = await createConference({ capacity: 1000 });
    expect((await putForm(conferenceId, { fields })).status).toBe(200);
    const answers = { diet: 'none', visit: 'xochimilco' };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => register(conferenceId, `racer${i}@example.org`, answers)),
    );
    const statuses = results.map((result) => result.status);
    if (statuses.some((status) => status !== 201 && status !== 409))
      throw new Error(JSON.stringify(results.filter((r) => r.status !== 201).map((r) => r.body)));
    expect(statuses.filter((status) => status === 201)).toHaveLength(40);
    expect(statuses.filter((status) => status === 409)).toHaveLength(20);
    const refused = results.find((result) => result.status === 409);
    expect(
      results.filter((result) => result.status === 409).every((r) => r.body.detail.includes('xochimilco')),
    ).toBe(true);
    expect(refused?.body.detail).toContain('xochimilco');
    expect((await register(conferenceId, 'late@example.org', answers)).status).toBe(409);
    // Another option of the same field is not limited.
    expect(
      (await register(conferenceId, 'other@example.org', { diet: 'none', visit: 'centro' })).status,
    ).toBe(201);

    const holders = results.filter((result) => result.status === 201).map((result) => result.body);
    const [first, second, third] = holders as { registrationId: string; manageToken: string }[];
    if (!first || !second || !third) throw new Error('no holders');
    // Cancelled: one place back.
    await call(
      'CancelRegistration',
      { conferenceId, registrationId: first.registrationId },
      { headers: organizer() },
    );
    expect((await register(conferenceId, 'after-cancel@example.org', answers)).status).toBe(201);
    expect((await register(conferenceId, 'after-cancel2@example.org', answers)).status).toBe(409);
    // Erased: one place back.
    await call(
      'ErasePersonalData',
      { conferenceId, registrationId: second.registrationId },
      { headers: organizer() },
    );
    expect((await register(conferenceId, 'after-erase@example.org', answers)).status).toBe(201);
    // A correction that changes the choice: one place back; a correction into the full option: 409.
    const moved = await call(
      'ChangeRegistrationDetails',
      { conferenceId, registrationId: third.registrationId },
      { body: { answers: { diet: 'none', visit: 'centro' } }, headers: organizer() },
    );
    expect(moved.status).toBe(200);
    expect(moved.body.answers).toEqual({ visit: 'centro' });
    expect((await register(conferenceId, 'after-move@example.org', answers)).status).toBe(201);
    const back = await call(
      'ChangeRegistrationDetails',
      { conferenceId, registrationId: third.registrationId },
      { body: { answers }, headers: organizer() },
    );
    expect(back.status).toBe(409);
    expect(back.body.detail).toContain('xochimilco');
  }, 240_000);
});

describe('answers-summary', () => {
  it('counts every field per option, sensitive ones too, exactly under redelivery', async () => {
    const conferenceId = await createConference();
    expect((await putForm(conferenceId, { fields })).status).toBe(200);
    const diets = ['vegetarian', 'vegetarian', 'halal', 'none', 'vegetarian', 'other'];
    const ids: string[] = [];
    for (const [i, diet] of diets.entries()) {
      const created = await register(conferenceId, `eater${i}@example.org`, {
        diet,
        guests: i % 2,
        ...(diet === 'other' ? { dietOther: MARKER } : {}),
      });
      expect(created.status).toBe(201);
      ids.push(created.body.registrationId);
    }
    await call(
      'CancelRegistration',
      { conferenceId, registrationId: ids[4] as string },
      { headers: organizer() },
    );
    const opened = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
      openSensitive: true,
    });
    const history = (await Promise.all(ids.map((id) => opened.load(registrationStreamId(id))))).flat();
    const runner = new ProjectionRunner(answersSummaryProjection as never, {
      client: handlers.environment.tables.client,
      tableName: handlers.environment.tables.readModels,
      store: opened,
    });
    const deliveries = threeTimesShuffled(history, 17);
    for (let i = 0; i < deliveries.length; i += 4)
      await Promise.all(deliveries.slice(i, i + 4).map((event) => runner.apply(event, 3)));
    const { Item } = await handlers.environment.tables.client.send(
      new GetItemCommand({
        TableName: handlers.environment.tables.readModels,
        Key: marshall({ pk: readModelPartition('answers-summary', 3, conferenceId), sk: SUMMARY }),
        ConsistentRead: true,
      }),
    );
    const summary = toAnswersSummary({ version: 1, fields, fieldTypes: {} }, Item ? unmarshall(Item) : {});
    expect(summary.fields.find((field) => field.fieldId === 'diet')).toEqual({
      fieldId: 'diet',
      answered: 5,
      options: { none: 1, vegetarian: 2, halal: 1, other: 1 },
    });
    expect(summary.fields.find((field) => field.fieldId === 'dietOther')).toEqual({
      fieldId: 'dietOther',
      answered: 1,
    });
    expect(summary.fields.find((field) => field.fieldId === 'guests')).toEqual({
      fieldId: 'guests',
      answered: 5,
      total: 3,
    });
    // The read model holds counts, never a free-text answer.
    expect(JSON.stringify(Item)).not.toContain(MARKER);
  }, 120_000);
});

describe('the sensitive answers’ own retention', () => {
  it('destroys their key after sensitiveDataRetentionDays and keeps the rest of the registration', async () => {
    const conferenceId = await createConference({
      personalDataRetentionDays: 36_500,
      sensitiveDataRetentionDays: 2,
    });
    expect((await putForm(conferenceId, { fields })).status).toBe(200);
    const created = await register(conferenceId, 'kept@example.org', {
      diet: 'other',
      dietOther: MARKER,
      visit: 'centro',
    });
    expect(created.status).toBe(201);
    const { registrationId, manageToken } = created.body;
    const withoutSensitive = await register(conferenceId, 'plain@example.org', { diet: 'none' });
    // The answers-summary rows say who still has sensitive answers: the retention visits only those.
    const opened = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
      openSensitive: true,
    });
    const runner = new ProjectionRunner(answersSummaryProjection as never, {
      client: handlers.environment.tables.client,
      tableName: handlers.environment.tables.readModels,
      store: opened,
    });
    const project = async (id: string) => {
      for (const event of await opened.load(registrationStreamId(id))) await runner.apply(event, 1);
    };
    await project(registrationId);
    await project(withoutSensitive.body.registrationId);
    expect(sensitiveDataExpired({ ...iclc2015, sensitiveDataRetentionDays: 2 }, '2015-10-01')).toBe(false);
    expect(sensitiveDataExpired({ ...iclc2015, sensitiveDataRetentionDays: 2 }, '2015-10-02')).toBe(true);
    const due = await registrationsWithSensitiveAnswers(conferenceId);
    expect(due.sort()).toEqual([registrationId, withoutSensitive.body.registrationId].sort());
    for (const id of due)
      expect(await eraseSensitiveForRetention(conferenceId, id, 'test-retention')).toBe('erased');
    expect(await eraseSensitiveForRetention(conferenceId, registrationId, 'test-retention')).toBe(
      'already-erased',
    );

    const read = await call(
      'GetRegistration',
      { conferenceId, registrationId },
      { headers: { 'x-manage-token': manageToken } },
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      givenName: 'Ana',
      email: 'kept@example.org',
      answers: { visit: 'centro' },
    });
    expect(read.body.answers).not.toHaveProperty('diet');
    expect(JSON.stringify(read.body)).not.toContain(MARKER);
    const keys = async (sk: string) =>
      (
        await handlers.environment.tables.client.send(
          new GetItemCommand({
            TableName: handlers.environment.tables.dataKeys,
            Key: marshall({ pk: registrationId, sk }),
            ConsistentRead: true,
          }),
        )
      ).Item;
    expect(await keys('sensitive-key')).toBeUndefined();
    expect(await keys('sensitive-erased')).toBeDefined();
    // The data key stays; the sensitive key's wrapped form made with it is gone from its item.
    expect(await keys('data-key')).toMatchObject({ wrappedKey: expect.anything() });
    expect(await keys('data-key')).not.toHaveProperty('sensitiveWrappedKey');
    expect(await keys('data-key')).not.toHaveProperty('sensitiveMasterKeyId');
    // Read with the sensitive key asked for (a new environment: no key cached), the stored events open
    // as erased: nothing is left to read.
    const fresh = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
      openSensitive: true,
    });
    const [first] = await fresh.load(registrationStreamId(registrationId));
    expect(first?.data).toMatchObject({
      sensitive: { unavailable: 'erased' },
      personal: { email: 'kept@example.org' },
    });
    for (const event of await fresh.load(registrationStreamId(registrationId))) await runner.apply(event, 1);
    for (const event of await fresh.load(registrationStreamId(withoutSensitive.body.registrationId)))
      await runner.apply(event, 1);
    expect(await registrationsWithSensitiveAnswers(conferenceId)).toEqual([]);
  }, 120_000);
});

describe('the registrant list and its CSV', () => {
  it('carry formVersion and the answers; sensitive ones (and their columns) only for sensitive-data', async () => {
    const conferenceId = await createConference();
    expect((await putForm(conferenceId, { fields })).status).toBe(200);
    const created = await register(conferenceId, 'listed@example.org', {
      diet: 'other',
      dietOther: MARKER,
      visit: 'centro',
      position: 'Alcaldesa',
      guests: 2,
    });
    expect(created.status).toBe(201);
    const opened = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
      openSensitive: true,
    });
    // The registrant list holds plaintext personal data: its read models are in their own table.
    const runner = new ProjectionRunner(registrantListProjection as never, {
      client: handlers.environment.tables.client,
      tableName: handlers.environment.tables.personalReadModels,
      store: opened,
    });
    for (const event of await opened.load(registrationStreamId(created.body.registrationId)))
      await runner.apply(event, 1);

    const list = (headers: Record<string, string>) =>
      call('ListRegistrations', { conferenceId }, { headers });
    const plain = (await list(organizer())).body.registrations;
    expect(plain).toEqual([
      expect.objectContaining({
        formVersion: 1,
        answers: { visit: 'centro', position: 'Alcaldesa', guests: 2 },
      }),
    ]);
    expect(JSON.stringify(plain)).not.toContain(MARKER);
    const sensitive = (await list(sensitiveOrganizer())).body.registrations;
    expect(sensitive[0].answers).toMatchObject({ diet: 'other', dietOther: MARKER, visit: 'centro' });

    const csv = async (headers: Record<string, string>) => {
      const { handler } = await import('../../functions/http/export-registrations.js');
      const result = await handler(
        httpEvent('GET', '/csv', { pathParameters: { conferenceId }, headers }),
        lambdaContext('ExportRegistrations'),
      );
      expect(result.statusCode).toBe(200);
      return parse(String(result.body), { bom: true }) as string[][];
    };
    const [header, row] = await csv(organizer());
    expect(header?.slice(-3)).toEqual([
      'Field visit',
      'Position or title (protocol)',
      'Accompanying persons',
    ]);
    expect(header).not.toContain('Dietary needs');
    expect(row?.slice(-3)).toEqual(['centro', 'Alcaldesa', '2']);
    expect(JSON.stringify(row)).not.toContain(MARKER);
    const [fullHeader, fullRow] = await csv(sensitiveOrganizer());
    expect(fullHeader?.slice(-5)).toEqual([
      'Dietary needs',
      'Which diet?',
      'Field visit',
      'Position or title (protocol)',
      'Accompanying persons',
    ]);
    expect(fullRow?.slice(-5)).toEqual(['other', MARKER, 'centro', 'Alcaldesa', '2']);
  }, 120_000);
});
