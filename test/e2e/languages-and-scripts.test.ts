import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { pdfGlyphs, pdfPagesText } from '../support/pdf-reader.js';

/** CONTRACT 5.4 over HTTP (`npm start`): languages, Latin names, name order, names in any script. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;

const organizer = () => ({ authorization: `Bearer ${server.token}` });

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: six languages, every script', () => {
  let conferenceId: string;
  let li: { registrationId: string; manageToken: string };
  const li明 = {
    givenName: '明',
    familyName: '李',
    latinName: { givenName: 'Ming', familyName: 'Li' },
    email: 'li.ming@example.cn',
    country: 'CN',
    city: '北京',
    organization: '北京市教育委员会',
    category: 'mayor',
    language: 'zh',
    consent: true,
  };

  beforeAll(async () => {
    const created = await call(
      'POST',
      '/conferences',
      {
        ...iclc2015,
        languages: ['es', 'en', 'zh', 'ar'],
        defaultLanguage: 'es',
        editableUntil: '2099-01-01T00:00:00Z',
      },
      organizer(),
    );
    expect(created.status).toBe(201);
    conferenceId = created.body.conferenceId;
  }, 60_000);

  it('reads the conference back with its languages; a conference that names none speaks English', async () => {
    const conference = await call('GET', `/conferences/${conferenceId}`);
    expect(conference.body).toMatchObject({ languages: ['es', 'en', 'zh', 'ar'], defaultLanguage: 'es' });
    const plain = await call('POST', '/conferences', iclc2015, organizer());
    const read = await call('GET', `/conferences/${plain.body.conferenceId}`);
    expect(read.body).toMatchObject({ languages: ['en'], defaultLanguage: 'en' });
    const wrong = await call(
      'POST',
      '/conferences',
      { ...iclc2015, languages: ['es'], defaultLanguage: 'fr' },
      organizer(),
    );
    expect(wrong.status).toBe(400);
  });

  it('refuses a language the conference does not offer, naming those it does', async () => {
    const refused = await call('POST', `/conferences/${conferenceId}/registrations`, {
      ...li明,
      email: 'someone@example.org',
      language: 'ru',
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(refused.text).toContain('es, en, zh, ar');
  });

  it('registers a name in its own script with its Latin name, and reads it back in the delegate’s language and order', async () => {
    const registered = await call('POST', `/conferences/${conferenceId}/registrations`, li明);
    expect(registered.status).toBe(201);
    li = registered.body;
    const read = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${li.registrationId}`,
      undefined,
      {
        'x-manage-token': li.manageToken,
      },
    );
    expect(read.body).toMatchObject({
      givenName: '明',
      familyName: '李',
      latinName: { givenName: 'Ming', familyName: 'Li' },
      language: 'zh',
      nameOrder: 'family-given',
    });
    const ana = await call('POST', `/conferences/${conferenceId}/registrations`, {
      givenName: 'Mehr\u200Cnoush',
      familyName: 'Rezaei',
      email: 'mehrnoush@example.org',
      country: 'IR',
      city: 'Tehran',
      category: 'academic',
      consent: true,
    });
    expect(ana.status).toBe(201);
    const anaRead = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${ana.body.registrationId}`,
      undefined,
      {
        'x-manage-token': ana.body.manageToken,
      },
    );
    // The conference's default language; the ZWNJ kept.
    expect(anaRead.body).toMatchObject({ language: 'es', givenName: 'Mehr\u200Cnoush', latinName: null });
  });

  it('lets the delegate change their language and name order with a correction', async () => {
    const path = `/conferences/${conferenceId}/registrations/${li.registrationId}/details`;
    const changed = await call(
      'POST',
      path,
      { language: 'en', nameOrder: 'given-family' },
      {
        'x-manage-token': li.manageToken,
      },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ language: 'en', nameOrder: 'given-family' });
    const refused = await call('POST', path, { language: 'fr' }, { 'x-manage-token': li.manageToken });
    expect(refused.status).toBe(400);
    const back = await call(
      'POST',
      path,
      { language: 'zh', nameOrder: 'family-given' },
      {
        'x-manage-token': li.manageToken,
      },
    );
    expect(back.status).toBe(200);
  });

  it('finds 李明 written whole in the registrant list, and lists and exports the new fields', async () => {
    const found = await eventually(async () => {
      const page = await call(
        'GET',
        `/conferences/${conferenceId}/registrations?q=${encodeURIComponent('李明')}`,
        undefined,
        organizer(),
      );
      return page.body?.registrations?.length === 1 && page.body.registrations[0].language === 'zh'
        ? page
        : undefined;
    }, 20_000);
    expect(found.body.registrations[0]).toMatchObject({
      registrationId: li.registrationId,
      latinName: { givenName: 'Ming', familyName: 'Li' },
      nameOrder: 'family-given',
    });
    const csv = await call('GET', `/conferences/${conferenceId}/registrations.csv`, undefined, organizer());
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.find((row) => row.registrationId === li.registrationId)).toMatchObject({
      givenName: '明',
      language: 'zh',
      latinGivenName: 'Ming',
      latinFamilyName: 'Li',
      nameOrder: 'family-given',
    });
  });

  it('prints the badge with the name in its own script and order, the Latin name under it, every glyph real', async () => {
    const response = await fetch(
      `${server.apiUrl}/conferences/${conferenceId}/registrations/${li.registrationId}/badge.pdf`,
      {
        headers: { 'x-manage-token': li.manageToken },
      },
    );
    expect(response.status).toBe(200);
    const pdf = new Uint8Array(await response.arrayBuffer());
    const [page = ''] = await pdfPagesText(pdf);
    expect(page).toContain('李明');
    expect(page).toContain('Li Ming');
    expect(page).toContain('北京市教育委员会');
    const [glyphs = []] = await pdfGlyphs(pdf);
    expect(glyphs.filter((glyph) => glyph.unicode === '\u0000')).toEqual([]);
  });

  it('answers 400 to a body that is not UTF-8, and stores nothing with U+FFFD', async () => {
    const body = Buffer.concat([
      Buffer.from('{"givenName":"Jos'),
      Buffer.from([0xe9]), // é in Latin-1: not UTF-8
      Buffer.from(
        '","familyName":"Pérez","email":"jose@example.org","country":"MX","city":"Puebla","category":"academic","consent":true}',
      ),
    ]);
    const response = await fetch(`${server.apiUrl}/conferences/${conferenceId}/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/UTF-8/);
    const fffd = await call('POST', `/conferences/${conferenceId}/registrations`, {
      ...li明,
      givenName: 'Jos\uFFFD',
      email: 'jose@example.org',
    });
    expect(fffd.status).toBe(400);
  });
});
