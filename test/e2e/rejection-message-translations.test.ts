import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/**
 * Issue 19 item 2 over HTTP against `npm start`: `translations/missing` lists the organizers' rejection
 * messages (`rejections.<registrationId>.message`) under each of the conference's languages they have no
 * text in, known from the delegate counts' read model (the languages only: the text stays sealed), and no
 * more once the registration is erased (its message destroyed with the data key).
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const registrationIds: Record<string, string> = {};

const person = (givenName: string) => ({
  givenName,
  familyName: 'Rejected',
  email: `${givenName.toLowerCase()}.rejected@example.org`,
  country: 'FR',
  city: 'Lyon',
  category: 'civil-society',
  consent: true,
});

/** The rejections' entries of translations/missing, per language, each language's paths sorted. */
const rejectionsMissing = async (): Promise<Record<string, string[]>> => {
  const answer = await call(
    'GET',
    `/conferences/${conferenceId}/translations/missing`,
    undefined,
    organizer(),
  );
  expect(answer.status, answer.text).toBe(200);
  return Object.fromEntries(
    Object.entries(answer.body.missing as Record<string, string[]>).map(([language, paths]) => [
      language,
      paths.filter((path) => path.startsWith('rejections.')).sort(),
    ]),
  );
};
const messagePath = (name: string) => `rejections.${registrationIds[name]}.message`;

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    {
      ...iclc2015,
      capacity: 10,
      languages: ['en', 'fr', 'es'],
      defaultLanguage: 'en',
      registrationPolicy: { 'civil-society': 'moderated' },
    },
    organizer(),
  );
  expect(created.status, created.text).toBe(201);
  conferenceId = created.body.conferenceId;
  for (const name of ['Anne', 'Bruno', 'Chloe', 'Denis']) {
    const answer = await call('POST', `/conferences/${conferenceId}/registrations`, person(name));
    expect(answer.status, answer.text).toBe(201);
    expect(answer.body.status).toBe('pending');
    registrationIds[name] = answer.body.registrationId;
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: translations/missing lists the rejection messages', () => {
  it('lists each message under the conference languages it lacks, a plain string as the default language', async () => {
    const answer = await call(
      'POST',
      `/conferences/${conferenceId}/registration-decisions`,
      {
        decisions: [
          {
            registrationId: registrationIds.Anne,
            decision: 'reject',
            reasonCode: 'not-eligible',
            message: { en: 'This category is for city networks.' },
          },
          {
            registrationId: registrationIds.Bruno,
            decision: 'reject',
            reasonCode: 'duplicate',
            message: {
              en: 'You registered twice.',
              fr: 'Vous vous êtes inscrit deux fois.',
            },
          },
          // A plain string is the text of the default language (en).
          {
            registrationId: registrationIds.Chloe,
            decision: 'reject',
            reasonCode: 'other',
            message: 'The places for civil society are taken.',
          },
          // No message: nothing to translate.
          { registrationId: registrationIds.Denis, decision: 'reject', reasonCode: 'capacity' },
        ],
      },
      organizer(),
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.results.map((result: { status?: string }) => result.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    const expected = {
      en: [],
      fr: [messagePath('Anne'), messagePath('Chloe')].sort(),
      es: [messagePath('Anne'), messagePath('Bruno'), messagePath('Chloe')].sort(),
    };
    const listed = await eventually(async () => {
      const missing = await rejectionsMissing();
      return missing.es?.length === 3 ? missing : undefined;
    }, 20_000);
    expect(listed).toEqual(expected);
    // Only organizers read it.
    expect((await call('GET', `/conferences/${conferenceId}/translations/missing`)).status).toBe(401);
  }, 60_000);

  it('no longer lists the message of an erased registration, once the projection caught up', async () => {
    const erased = await call(
      'POST',
      `/conferences/${conferenceId}/registrations/${registrationIds.Anne}/erase`,
      undefined,
      organizer(),
    );
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toEqual({ registrationId: registrationIds.Anne, status: 'erased' });
    const listed = await eventually(async () => {
      const missing = await rejectionsMissing();
      return missing.es?.includes(messagePath('Anne')) ? undefined : missing;
    }, 20_000);
    expect(listed).toEqual({
      en: [],
      fr: [messagePath('Chloe')],
      es: [messagePath('Bruno'), messagePath('Chloe')].sort(),
    });
  }, 60_000);
});
