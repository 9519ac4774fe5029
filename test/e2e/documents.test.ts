import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';

/** CONTRACT 5.5 end to end over HTTP: documents made in the background, followed, fetched and read back. */
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

const people = [
  { givenName: 'Ana', familyName: 'Pérez', email: 'ana@example.org', country: 'MX' },
  { givenName: 'Иван', familyName: 'Петров', email: 'ivan@example.org', country: 'RU' },
  { givenName: 'Ελένη', familyName: 'Νικολάου', email: 'eleni@example.org', country: 'GR' },
  { givenName: 'Kwame', familyName: 'Mensah', email: 'kwame@example.org', country: 'GH' },
  { givenName: 'Li', familyName: 'Wei', email: 'li@example.org', country: 'CN' },
  { givenName: 'Sofía', familyName: 'Gómez', email: 'sofia@example.org', country: 'AR' },
];
const CAPACITY = 4;

describe('npm start: documents in the background', () => {
  let conferenceId: string;
  const documents = () => `/conferences/${conferenceId}/documents`;

  const start = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await call('POST', documents(), body, { ...organizer(), ...headers });
    expect(response.status, response.text).toBe(202);
    expect(response.body.documentId).toMatch(/^[\w-]{1,64}$/);
    return response.body.documentId as string;
  };
  /** Polls the status until it is no longer running; records every progress seen. */
  const finished = async (documentId: string) => {
    const seen: Array<{ done: number; total: number; status: string }> = [];
    const status = await eventually(async () => {
      const response = await call('GET', `${documents()}/${documentId}`, undefined, organizer());
      expect(response.status).toBe(200);
      seen.push(response.body);
      return response.body.status === 'running' ? undefined : response.body;
    }, 60_000);
    return { status, seen };
  };
  const fetchFile = async (location: string) => {
    const response = await fetch(location);
    expect(response.status).toBe(200);
    return new Uint8Array(await response.arrayBuffer());
  };

  beforeAll(async () => {
    const created = await call('POST', '/conferences', { ...iclc2015, capacity: CAPACITY }, organizer());
    expect(created.status).toBe(201);
    conferenceId = created.body.conferenceId;
    for (const person of people) {
      const response = await call('POST', `/conferences/${conferenceId}/registrations`, {
        ...person,
        city: 'Somewhere',
        category: 'academic',
        organization: 'City Council',
        consent: true,
      });
      expect(response.status).toBe(201);
    }
    // The registrant list is a projection: wait until it lists everyone.
    await eventually(async () => {
      const list = await call(
        'GET',
        `/conferences/${conferenceId}/registrations?limit=50`,
        undefined,
        organizer(),
      );
      return list.body?.registrations?.length === people.length ? true : undefined;
    }, 30_000);
  }, 90_000);

  it('makes the badges of every seat holder, with progress, into a PDF that pdf.js reads', async () => {
    const documentId = await start({ kind: 'badges' });
    const { status } = await finished(documentId);
    expect(status).toMatchObject({
      documentId,
      kind: 'badges',
      status: 'done',
      done: CAPACITY,
      total: CAPACITY,
    });
    expect(Date.parse(status.expiresAt) - Date.now()).toBeGreaterThan(15 * 60 * 1000);
    const pdf = await fetchFile(status.location);
    const pages = await pdfPagesText(pdf);
    expect(pages).toHaveLength(CAPACITY);
    expect(pages.join('\n')).toContain('Ana');
    expect(pages.join('\n')).toContain('Иван');
    // The first seat holders registered: the fifth and sixth wait and have no badge.
    expect(pages.join('\n')).not.toContain('Wei');
    const code = await decodeQrOnPage(pdf, 1);
    expect(code).toMatch(/^[\w-]+\.[\w-]+$/);
  }, 90_000);

  it('makes the registrations CSV of every registration, read back by csv-parse', async () => {
    const { status } = await finished(await start({ kind: 'registrations-csv' }));
    expect(status).toMatchObject({ status: 'done', done: people.length, total: people.length });
    const text = new TextDecoder().decode(await fetchFile(status.location));
    const rows = parse(text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => row.email).sort()).toEqual(people.map((person) => person.email).sort());
    expect(rows.filter((row) => row.status === 'waitlisted')).toHaveLength(people.length - CAPACITY);
    const filtered = await finished(await start({ kind: 'registrations-csv', filter: { country: 'RU' } }));
    const only = parse(new TextDecoder().decode(await fetchFile(filtered.status.location)), {
      bom: true,
      columns: true,
    }) as Array<Record<string, string>>;
    expect(only.map((row) => row.familyName)).toEqual(['Петров']);
    expect(filtered.status.total).toBe(1);
  }, 90_000);

  it('takes the filter as the registrant list does: a search without accents finds Pérez', async () => {
    const { status } = await finished(await start({ kind: 'badges', filter: { q: 'perez' } }));
    expect(status).toMatchObject({ status: 'done', total: 1 });
    expect((await pdfPagesText(await fetchFile(status.location))).join(' ')).toContain('Pérez');
  }, 60_000);

  it('answers a filter that selects nobody with an empty document: done, total 0', async () => {
    const badges = await finished(await start({ kind: 'badges', filter: { country: 'JP' } }));
    expect(badges.status).toMatchObject({ status: 'done', done: 0, total: 0 });
    const pages = await pdfPagesText(await fetchFile(badges.status.location));
    expect(pages).toEqual(['No seat holder matches the filters.']);
    const csv = await finished(await start({ kind: 'registrations-csv', filter: { delegationId: 'd-1' } }));
    expect(csv.status).toMatchObject({ status: 'done', total: 0 });
    const rows = parse(new TextDecoder().decode(await fetchFile(csv.status.location)), {
      bom: true,
      columns: true,
    });
    expect(rows).toEqual([]);
  }, 60_000);

  it('lists no participant until delegates consent to publication (consent arrives with the approval issue)', async () => {
    const { status } = await finished(await start({ kind: 'participants-list' }));
    expect(status).toMatchObject({ status: 'done', total: 0 });
    const pages = await pdfPagesText(await fetchFile(status.location));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('List of Participants');
    expect(pages[0]).toContain('No participant has consented');
  }, 60_000);

  it('refuses an unknown kind or filter with 400, an unknown conference or document with 404', async () => {
    const bad = [
      { kind: 'posters' },
      { kind: 'badges', filter: { colour: 'red' } },
      { kind: 'badges', filter: { country: 'Mexico' } },
      { kind: 'badges', filter: { status: 'waitlisted' } },
      { kind: 'registrations-csv', filter: { status: 'lost' } },
      { kind: 'badges', filter: { category: 'pirate' } },
      { kind: 'badges', extra: true },
    ];
    for (const body of bad) {
      const response = await call('POST', documents(), body, organizer());
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await call('POST', documents(), { kind: 'badges' })).status).toBe(401);
    expect((await call('POST', '/conferences/nope/documents', { kind: 'badges' }, organizer())).status).toBe(
      404,
    );
    expect((await call('GET', `${documents()}/nope`, undefined, organizer())).status).toBe(404);
  }, 30_000);

  it('names the same document for the same Idempotency-Key and body, 422 for another body', async () => {
    const key = { 'idempotency-key': 'documents-once' };
    const first = await start({ kind: 'registrations-csv' }, key);
    expect(await start({ kind: 'registrations-csv' }, key)).toBe(first);
    const other = await call('POST', documents(), { kind: 'badges' }, { ...organizer(), ...key });
    expect(other.status).toBe(422);
    await finished(first);
  }, 60_000);

  it('ends a document whose function fails as failed, with the reason, never running', async () => {
    // The export store broken from outside: where the files go is a file, not a folder.
    const exportsDir = join(server.dataDir, 'exports');
    const aside = `${exportsDir}.aside`;
    if (existsSync(exportsDir)) renameSync(exportsDir, aside);
    writeFileSync(exportsDir, 'not a folder');
    try {
      const { status } = await finished(await start({ kind: 'badges' }));
      expect(status.status).toBe('failed');
      expect(status.reason).toMatch(/could not be made/);
      expect(status.location).toBeUndefined();
    } finally {
      rmSync(exportsDir, { force: true });
      if (existsSync(aside)) renameSync(aside, exportsDir);
    }
  }, 60_000);
});
