import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/** Organizer texts in several languages, read back negotiated over HTTP on `npm start` (CONTRACT 5.4). */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
let plainConferenceId: string;
let sessionId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const name = {
  es: '2.ª Conferencia Internacional sobre Ciudades del Aprendizaje',
  en: '2nd International Conference on Learning Cities',
  fr: '2e Conférence internationale sur les villes apprenantes',
};
const title = { es: 'Ceremonia de apertura', en: 'Opening ceremony', fr: 'Cérémonie d’ouverture' };

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    { ...iclc2015, name, languages: ['es', 'en', 'fr'], defaultLanguage: 'es' },
    organizer(),
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
  const plain = await call('POST', '/conferences', iclc2015, organizer());
  plainConferenceId = plain.body.conferenceId;
  const scheduled = await call(
    'POST',
    `/conferences/${conferenceId}/sessions`,
    {
      title,
      abstract: { es: 'Bienvenida de la Ciudad de México' },
      type: 'ceremony',
      date: '2015-09-28',
      start: '09:00',
      end: '10:00',
      room: 'Sala Principal',
      speakers: [],
    },
    organizer(),
  );
  expect(scheduled.status).toBe(201);
  sessionId = scheduled.body.sessionId;
  await eventually(async () => {
    const agenda = await call('GET', `/conferences/${conferenceId}/agenda`);
    return agenda.body?.days?.[0]?.sessions?.length === 1 ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

const firstSessionTitle = (agenda: { days: { sessions: { title: string }[] }[] }) =>
  agenda.days[0]?.sessions[0]?.title;

describe('reads in the conference’s languages', () => {
  it('answers ?lang= in that language and says so in Content-Language', async () => {
    const agenda = await call('GET', `/conferences/${conferenceId}/agenda?lang=fr`);
    expect(agenda.status).toBe(200);
    expect(agenda.headers.get('content-language')).toBe('fr');
    expect(firstSessionTitle(agenda.body)).toBe('Cérémonie d’ouverture');
    const conference = await call('GET', `/conferences/${conferenceId}?lang=en`);
    expect(conference.body.name).toBe(name.en);
  });

  it('negotiates Accept-Language by its q-values, and falls back to the default language', async () => {
    const english = await call('GET', `/conferences/${conferenceId}/agenda`, undefined, {
      'accept-language': 'de-DE;q=1, en-GB;q=0.8, fr;q=0.5',
    });
    expect(english.headers.get('content-language')).toBe('en');
    expect(firstSessionTitle(english.body)).toBe('Opening ceremony');
    const none = await call('GET', `/conferences/${conferenceId}/agenda`, undefined, {
      'accept-language': 'de',
    });
    expect(none.headers.get('content-language')).toBe('es');
    expect(firstSessionTitle(none.body)).toBe('Ceremonia de apertura');
  });

  it('a text without the translation asked falls back to the default language’s', async () => {
    const ics = await call('GET', `/conferences/${conferenceId}/agenda.ics?lang=fr`);
    const event = Object.values(ical.sync.parseICS(ics.text)).find(
      (component): component is VEvent => component?.type === 'VEVENT',
    );
    expect(event?.summary).toBe('Cérémonie d’ouverture');
    expect(event?.description).toContain('Bienvenida de la Ciudad de México');
  });

  it('schedule.json takes ?lang= too', async () => {
    const schedule = await call('GET', `/conferences/${conferenceId}/schedule.json?lang=en`);
    expect(schedule.body.schedule.conference.title).toBe(name.en);
    const rooms = schedule.body.schedule.conference.days[0].rooms;
    expect(rooms['Sala Principal'][0].title).toBe('Opening ceremony');
  });

  it('the conference list shows each name in the best of its own languages', async () => {
    const list = await call('GET', '/conferences?lang=fr');
    const names = Object.fromEntries(
      list.body.conferences.map((c: { conferenceId: string; name: string }) => [c.conferenceId, c.name]),
    );
    expect(names[conferenceId]).toBe(name.fr);
    expect(names[plainConferenceId]).toBe(iclc2015.name);
  });

  it('a conference of plain strings reads as before, in English', async () => {
    const conference = await call('GET', `/conferences/${plainConferenceId}`);
    expect(conference.body.name).toBe(iclc2015.name);
    expect(conference.headers.get('content-language')).toBe('en');
  });

  it('lists what lacks a translation, per language', async () => {
    const form = await call(
      'PUT',
      `/conferences/${conferenceId}/registration-form`,
      {
        fields: [
          {
            fieldId: 'diet',
            type: 'single-choice',
            label: { es: 'Dieta', en: 'Diet', fr: 'Régime' },
            options: [{ optionId: 'vegetarian', label: { es: 'Vegetariana', en: 'Vegetarian' } }],
          },
        ],
      },
      organizer(),
    );
    expect(form.status).toBe(200);
    const missing = await call(
      'GET',
      `/conferences/${conferenceId}/translations/missing`,
      undefined,
      organizer(),
    );
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual({
      conferenceId,
      defaultLanguage: 'es',
      languages: ['es', 'en', 'fr'],
      missing: {
        es: [],
        en: [`sessions.${sessionId}.abstract`],
        fr: [`sessions.${sessionId}.abstract`, 'form.diet.options.vegetarian.label'],
      },
    });
    expect((await call('GET', `/conferences/${conferenceId}/translations/missing`)).status).toBe(401);
  });

  it('refuses a language the conference does not offer, and a translation in an unknown language', async () => {
    const asked = await call('GET', `/conferences/${conferenceId}/agenda?lang=de`);
    expect(asked.status).toBe(400);
    expect(asked.body.errors).toEqual([{ path: 'lang', message: 'must be one of es, en, fr' }]);
    const unknownKey = await call(
      'POST',
      `/conferences/${conferenceId}/sessions`,
      {
        title: { es: 'Taller', xx: 'Workshop' },
        type: 'workshop',
        date: '2015-09-28',
        start: '11:00',
        end: '12:00',
        room: 'Sala Principal',
        speakers: [],
      },
      organizer(),
    );
    expect(unknownKey.status).toBe(400);
    expect(JSON.stringify(unknownKey.body.errors)).toContain('title');
  });
});
