import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/**
 * The registration desk's list, search and CSV export end to end: `npm start` in its own process, driven
 * over HTTP only; the CSV read back by csv-parse. The export threshold is lowered (EXPORT_INLINE_LIMIT_BYTES)
 * so that the whole list takes the 303 path of a body over 5 MB, while a filtered one stays inline.
 */
let server: RunningServer;
const INLINE_LIMIT = 2_500;

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${server.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  // Decoded keeping a byte order mark, which the CSV carries.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  const json = /json/.test(response.headers.get('content-type') ?? '');
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: json && text ? JSON.parse(text) : undefined,
  };
};
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const people = [
  { givenName: 'Ana María', familyName: 'Pérez', organization: 'Ciudad de México', country: 'MX' },
  {
    givenName: 'Jürgen',
    familyName: 'Müller',
    organization: 'Beijing Municipal Education Commission',
    country: 'CN',
  },
  { givenName: 'Ольга', familyName: 'Смирнова', organization: 'Московский университет', country: 'RU' },
  { givenName: 'Σοφία', familyName: 'Παπαδοπούλου', organization: undefined, country: 'GR' },
  { givenName: 'Seán', familyName: "O'Brien", organization: 'Cork City Council', country: 'IE' },
  { givenName: 'Luis', familyName: 'Núñez', organization: 'Universidad de Sorocaba', country: 'BR' },
  { givenName: 'Mustafa', familyName: 'Çelik', organization: 'Greater Amman Municipality', country: 'JO' },
  { givenName: 'Søren', familyName: 'Østergaard', organization: 'Espoo', country: 'FI' },
];
const categories = ['mayor', 'academic', 'civil-society', 'media'];

let conferenceId: string;
const registered: Array<{ registrationId: string; status: string; manageToken: string; n: number }> = [];
let erasedId: string;

type Row = Record<string, string | null>;
const list = async (query: string) =>
  call('GET', `/conferences/${conferenceId}/registrations?${query}`, undefined, organizer());
const everyPage = async (query: string, limit: number) => {
  const rows: Row[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(
      `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.registrations.length).toBeLessThanOrEqual(limit);
    rows.push(...page.body.registrations);
    cursor = page.body.nextCursor;
  } while (cursor);
  return rows;
};

beforeAll(async () => {
  server = await startServer({ EXPORT_INLINE_LIMIT_BYTES: String(INLINE_LIMIT) });
  const created = await call('POST', '/conferences', { ...iclc2015, capacity: 12 }, organizer());
  conferenceId = created.body.conferenceId;
  for (let n = 0; n < 16; n++) {
    const person = people[n % people.length] as (typeof people)[number];
    const answer = await call('POST', `/conferences/${conferenceId}/registrations`, {
      givenName: person.givenName,
      familyName: n < people.length ? person.familyName : `${person.familyName}-Smith`,
      email: `desk.${n}@example.org`,
      country: person.country,
      city: 'Somewhere',
      ...(person.organization ? { organization: person.organization } : {}),
      category: categories[n % categories.length],
      consent: true,
    });
    expect(answer.status).toBe(201);
    registered.push({ ...answer.body, n });
  }
  const seated = registered.filter((r) => r.status === 'registered');
  await call(
    'POST',
    `/conferences/${conferenceId}/registrations/${seated[1]?.registrationId}/check-in`,
    undefined,
    organizer(),
  );
  await call(
    'POST',
    `/conferences/${conferenceId}/registrations/${seated[2]?.registrationId}/cancel`,
    undefined,
    organizer(),
  );
  erasedId = seated[3]?.registrationId as string;
  expect(
    (
      await call(
        'POST',
        `/conferences/${conferenceId}/registrations/${erasedId}/erase`,
        undefined,
        organizer(),
      )
    ).status,
  ).toBe(200);
  // Two seats freed: two of the four waiting are promoted by the waitlist process.
  await eventually(async () => {
    const all = await list('limit=200');
    const statuses = (all.body?.registrations ?? []).map((row: Row) => row.status);
    return all.body?.registrations.length === 15 &&
      statuses.filter((s: string) => s === 'waitlisted').length === 2 &&
      statuses.includes('checked-in') &&
      statuses.includes('cancelled')
      ? true
      : undefined;
  }, 30_000);
}, 150_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('the registration desk: list and search', () => {
  it('lists every registration as read back, and not the erased one', async () => {
    const page = await list('limit=200');
    expect(page.status).toBe(200);
    expect(page.body.nextCursor).toBeUndefined();
    const rows = page.body.registrations as Row[];
    expect(rows.map((row) => row.registrationId)).not.toContain(erasedId);
    const some = registered.find((r) => r.registrationId !== erasedId) as (typeof registered)[number];
    const readBack = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${some.registrationId}`,
      undefined,
      organizer(),
    );
    expect(rows.find((row) => row.registrationId === some.registrationId)).toEqual(readBack.body);
    expect(
      (await call('GET', `/conferences/${conferenceId}/registrations/${erasedId}`, undefined, organizer()))
        .status,
    ).toBe(410);
  });

  it('finds delegates by a few letters of a name or organization, ignoring case and accents', async () => {
    const names = async (q: string) =>
      ((await list(`q=${encodeURIComponent(q)}&limit=200`)).body.registrations as Row[]).map(
        (row) => `${row.givenName} ${row.familyName}`,
      );
    expect(await names('perez')).toEqual(['Ana María Pérez', 'Ana María Pérez-Smith']);
    expect(await names('mu')).toEqual(expect.arrayContaining(['Jürgen Müller', 'Mustafa Çelik']));
    expect((await names('mu')).length).toBe(4);
    expect(await names('beij')).toEqual(['Jürgen Müller', 'Jürgen Müller-Smith']);
    expect(await names('ОЛЬГА смир')).toHaveLength(2);
    expect(await names('celik')).toHaveLength(2);
    expect(await names('desk.4@')).toHaveLength(1);
    expect(await names('desk.3@')).toEqual([]); // erased
    expect(await names('zzz')).toEqual([]);
  });

  it('filters by status, country and category, sorts by family name, and pages with a cursor', async () => {
    const all = (await list('limit=200')).body.registrations as Row[];
    const waitlisted = (await list('status=waitlisted')).body.registrations as Row[];
    expect(waitlisted).toEqual(all.filter((row) => row.status === 'waitlisted'));
    expect(waitlisted).toHaveLength(2);
    const holders = (await list('status=registered,checked-in&limit=200')).body.registrations as Row[];
    expect(holders).toEqual(all.filter((row) => row.status === 'registered' || row.status === 'checked-in'));
    expect((await list('country=CN')).body.registrations.map((row: Row) => row.familyName)).toEqual([
      'Müller',
      'Müller-Smith',
    ]);
    const mayors = (await list('category=mayor&sort=familyName')).body.registrations as Row[];
    expect(mayors.every((row) => row.category === 'mayor')).toBe(true);
    expect(mayors.length).toBe(all.filter((row) => row.category === 'mayor').length);

    const byName = await everyPage('sort=familyName', 4);
    expect(byName).toHaveLength(15);
    const collator = (row: Row) =>
      String(row.familyName)
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ');
    const folded = byName.map(collator);
    expect(folded).toEqual([...folded].sort());
    expect(byName.slice(0, 2).map((row) => row.familyName)).toEqual(['Çelik', 'Çelik-Smith']);
    expect(await everyPage('', 3)).toEqual(all);
    expect(all.map((row) => row.registeredAt)).toEqual([...all.map((row) => row.registeredAt)].sort());
  });

  it('answers bad parameters with 400 problem+json naming them, an unknown conference with 404', async () => {
    const first = await list('limit=2');
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const forged = Buffer.from(JSON.stringify({ v: 1, p: 'AAAAAAAAAAAAAAAAAAAAAA', a: 'r|' })).toString(
      'base64url',
    );
    for (const [query, path] of [
      ['status=erased', 'status'],
      ['status=registered,nope', 'status'],
      ['category=king', 'category'],
      ['country=mx', 'country'],
      ['country=XX', 'country'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['sort=email', 'sort'],
      [`cursor=${forged}`, 'cursor'],
      ['cursor=%25%25', 'cursor'],
      [`country=MX&cursor=${cursor}`, 'cursor'],
    ] as const) {
      const answer = await list(query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(
        answer.body.errors.map((error: { path: string }) => error.path),
        query,
      ).toEqual([path]);
    }
    expect(
      (await call('GET', '/conferences/no-such-conference/registrations', undefined, organizer())).status,
    ).toBe(404);
    expect((await call('GET', `/conferences/${conferenceId}/registrations`)).status).toBe(401);
  });
});

describe('the registration desk: CSV export', () => {
  const csvRows = (text: string) =>
    parse(text, { columns: true, bom: true, skip_empty_lines: false, relax_column_count: false }) as Record<
      string,
      string
    >[];
  const asCsv = (row: Row) =>
    Object.fromEntries(
      [
        'registrationId',
        'conferenceId',
        'status',
        'givenName',
        'familyName',
        'email',
        'country',
        'city',
        'organization',
        'category',
        'registeredAt',
        'checkedInAt',
        'cancelledAt',
      ]
        .map((column) => [column, row[column] ?? ''])
        .concat([
          ['language', row.language ?? ''],
          ['latinGivenName', (row.latinName as { givenName?: string } | null)?.givenName ?? ''],
          ['latinFamilyName', (row.latinName as { familyName?: string } | null)?.familyName ?? ''],
          ['nameOrder', row.nameOrder ?? ''],
          ['consentToPublish', String(row.consentToPublish ?? '')],
          ['delegationId', row.delegationId ?? ''],
          ['delegationName', row.delegationName ?? ''],
        ]),
    );

  it('answers a small export inline: RFC 4180, UTF-8, a header row, every field of each registration', async () => {
    const answer = await call(
      'GET',
      `/conferences/${conferenceId}/registrations.csv?country=CN`,
      undefined,
      organizer(),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(answer.text.split('\r\n')[0]).toBe(
      // The columns of v1, then the delegate's language, Latin name and name order (CONTRACT 5.4), then
      // the consent to be listed and the delegation (CONTRACT 5.3).
      '\uFEFFregistrationId,conferenceId,status,givenName,familyName,email,country,city,organization,category,registeredAt,checkedInAt,cancelledAt,language,latinGivenName,latinFamilyName,nameOrder,consentToPublish,delegationId,delegationName',
    );
    const listed = (await list('country=CN')).body.registrations as Row[];
    expect(csvRows(answer.text)).toEqual(listed.map(asCsv));
    expect(csvRows(answer.text).map((row) => row.organization)).toEqual([
      'Beijing Municipal Education Commission',
      'Beijing Municipal Education Commission',
    ]);
  });

  it('answers one over the size limit with 303 and a random link that works without credentials', async () => {
    const answer = await call(
      'GET',
      `/conferences/${conferenceId}/registrations.csv?sort=familyName`,
      undefined,
      organizer(),
    );
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location') as string;
    expect(new URL(location).pathname).toMatch(/^\/exports\/[A-Za-z0-9_-]{43}\/ICLC2015-registrations\.csv$/);
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await file.text();
    expect(Buffer.byteLength(text)).toBeGreaterThan(INLINE_LIMIT);
    const listed = (await list('sort=familyName&limit=200')).body.registrations as Row[];
    expect(csvRows(text)).toEqual(listed.map(asCsv));
    expect(text).not.toContain(erasedId);
    // Another folder of the same name is not found: the path is the secret.
    const guessed = new URL(location);
    guessed.pathname = `/exports/${'A'.repeat(43)}/ICLC2015-registrations.csv`;
    expect((await fetch(guessed)).status).toBe(404);
  });

  it('takes the filters of the list but no limit or cursor, and checks them the same way', async () => {
    for (const [query, path] of [
      ['limit=5', 'limit'],
      ['status=nope', 'status'],
      ['category=x', 'category'],
    ] as const) {
      const answer = await call(
        'GET',
        `/conferences/${conferenceId}/registrations.csv?${query}`,
        undefined,
        organizer(),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual([path]);
    }
    expect(
      (await call('GET', '/conferences/no-such-conference/registrations.csv', undefined, organizer())).status,
    ).toBe(404);
    expect((await call('GET', `/conferences/${conferenceId}/registrations.csv`)).status).toBe(401);
  });
});
