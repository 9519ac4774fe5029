import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOrganizerToken } from '../../local/signing-key.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/**
 * CONTRACT 5.2 over HTTP on `npm start`, checked from outside: the served JSON Schema against the
 * server's verdicts on random bodies, the caterer's totals through the real event pipeline, and sensitive
 * answers seen with and without the group `sensitive-data`.
 */
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
let sensitiveToken: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const MARKER = 'E2E-SENSITIVE-MARKER';
const fields = [
  {
    fieldId: 'diet',
    type: 'single-choice',
    label: 'Dietary needs',
    required: true,
    sensitive: true,
    options: ['none', 'vegetarian', 'halal', 'other'].map((optionId) => ({ optionId, label: optionId })),
  },
  {
    fieldId: 'dietOther',
    type: 'text',
    label: 'Which?',
    required: true,
    sensitive: true,
    maxLength: 40,
    showIf: { fieldId: 'diet', equals: 'other' },
  },
  { fieldId: 'interpreting', type: 'yes-no', label: 'Interpretation needed?' },
  {
    fieldId: 'languages',
    type: 'multi-choice',
    label: 'Into',
    options: ['ar', 'fr', 'zh'].map((optionId) => ({ optionId, label: optionId })),
    showIf: { all: [{ fieldId: 'interpreting', equals: true }] },
  },
  { fieldId: 'position', type: 'text', label: 'Position', categories: ['mayor', 'political-leader'] },
  { fieldId: 'guests', type: 'number', label: 'Guests', min: 0, max: 2 },
];

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  sensitiveToken = await signOrganizerToken({
    dataDir: server.dataDir,
    groups: ['organizers', 'sensitive-data'],
  });
  conferenceId = (await call('POST', '/conferences', { ...iclc2015, capacity: 500 }, organizer())).body
    .conferenceId;
  const put = await call('PUT', `/conferences/${conferenceId}/registration-form`, { fields }, organizer());
  expect(put.status, put.text).toBe(200);
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

/** Fitting answers, then one of them made wrong, dropped, hidden or unknown (or none changed). */
const fitting: Record<string, unknown> = {
  diet: 'vegetarian',
  interpreting: true,
  languages: ['fr'],
  guests: 1,
};
const changes: Array<(answers: Record<string, unknown>) => void> = [
  () => {},
  (a) => {
    a.diet = 'other';
    a.dietOther = 'No shellfish';
  },
  (a) => {
    a.diet = 'other';
  },
  (a) => {
    a.dietOther = MARKER;
  },
  (a) => {
    a.diet = 'fish';
  },
  (a) => {
    delete a.diet;
  },
  (a) => {
    a.interpreting = false;
  },
  (a) => {
    a.languages = ['de'];
  },
  (a) => {
    a.languages = [];
  },
  (a) => {
    a.guests = 3;
  },
  (a) => {
    a.guests = 1.5;
  },
  (a) => {
    a.position = 'Mayor';
  },
  (a) => {
    a.unknown = 'x';
  },
];
const answersArb = fc.nat(changes.length - 1).map((n) => {
  const answers = structuredClone(fitting);
  changes[n]?.(answers);
  return answers;
});

describe('npm start: the registration form', () => {
  it('serves a JSON Schema that agrees with the server’s verdict on random bodies', async () => {
    const form = await call('GET', `/conferences/${conferenceId}/registration-form`);
    expect(form.status).toBe(200);
    const ajv = new Ajv2020({ strictTypes: false });
    addFormats(ajv);
    const validate = ajv.compile(form.body.jsonSchema);
    const bodies = fc.sample(
      fc.record({ category: fc.constantFrom('mayor', 'academic', 'media'), answers: answersArb }),
      { numRuns: 40, seed: 2015 },
    );
    const verdicts = { accepted: 0, refused: 0 };
    for (const [n, { category, answers }] of bodies.entries()) {
      const body = {
        givenName: 'Ana',
        familyName: `Schema${n}`,
        email: `schema.${n}@example.org`,
        country: 'MX',
        city: 'Puebla',
        category,
        consent: true,
        answers,
      };
      const answer = await call('POST', `/conferences/${conferenceId}/registrations`, body);
      expect([201, 400], answer.text).toContain(answer.status);
      expect(validate(body), `${JSON.stringify(body)}: server ${answer.status} ${answer.text}`).toBe(
        answer.status === 201,
      );
      verdicts[answer.status === 201 ? 'accepted' : 'refused'] += 1;
      if (answer.status === 400)
        for (const error of answer.body.errors) expect(error.path).toMatch(/^answers(\.\w+)?$/);
    }
    expect(verdicts.accepted).toBeGreaterThan(0);
    expect(verdicts.refused).toBeGreaterThan(0);
  }, 180_000);

  it('gives the caterer’s totals, and sensitive answers one by one only to sensitive-data and the delegate', async () => {
    const other = await call('POST', `/conferences/${conferenceId}/registrations`, {
      givenName: 'Bo',
      familyName: 'Totals',
      email: 'bo.totals@example.org',
      country: 'FI',
      city: 'Espoo',
      category: 'academic',
      consent: true,
      answers: { diet: 'other', dietOther: MARKER },
    });
    expect(other.status, other.text).toBe(201);
    const { registrationId, manageToken } = other.body;
    const path = `/conferences/${conferenceId}/registrations/${registrationId}`;
    const plain = await call('GET', path, undefined, organizer());
    expect(plain.body.answers ?? {}).not.toHaveProperty('diet');
    expect(plain.text).not.toContain(MARKER);
    const withGroup = await call('GET', path, undefined, { authorization: `Bearer ${sensitiveToken}` });
    expect(withGroup.body.answers).toMatchObject({ diet: 'other', dietOther: MARKER });
    const own = await call('GET', path, undefined, { 'x-manage-token': manageToken });
    expect(own.body.answers).toMatchObject({ diet: 'other', dietOther: MARKER });
    // A correction answers with the registration read back as GET reads it, for the same caller.
    const corrected = await call(
      'POST',
      `${path}/details`,
      { city: 'Vantaa' },
      { 'x-manage-token': manageToken },
    );
    expect(corrected.status, corrected.text).toBe(200);
    expect(corrected.body).toMatchObject({ city: 'Vantaa', answers: { diet: 'other', dietOther: MARKER } });
    const byOrganizer = await call('POST', `${path}/details`, { city: 'Espoo' }, organizer());
    expect(byOrganizer.status, byOrganizer.text).toBe(200);
    expect(byOrganizer.body.city).toBe('Espoo');
    expect(byOrganizer.text).not.toContain(MARKER);

    // The totals count every active registration's answers, sensitive ones too, never naming one.
    const counts = await eventually(async () => {
      const delegates = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      const summary = await call(
        'GET',
        `/conferences/${conferenceId}/answers-summary`,
        undefined,
        organizer(),
      );
      const diet = summary.body?.fields?.find((field: { fieldId: string }) => field.fieldId === 'diet');
      const total = delegates.body.registered + delegates.body.waitlisted;
      return diet && diet.answered === total
        ? { diet, summary: summary.body, text: summary.text }
        : undefined;
    }, 30_000);
    const options = counts.diet.options as Record<string, number>;
    expect(Object.values(options).reduce((a, b) => a + b, 0)).toBe(counts.diet.answered);
    expect(options.other).toBeGreaterThanOrEqual(1);
    expect(counts.text).not.toContain(MARKER);
    expect((await call('GET', `/conferences/${conferenceId}/answers-summary`)).status).toBe(401);
  }, 120_000);
});
