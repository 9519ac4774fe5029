import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';

/**
 * CONTRACT 5.3 over HTTP against `npm start`: a moderated category's registrations are pending (no seat)
 * in the read back, the registrant list's `status` filter, the CSV (read back by csv-parse) and the counts;
 * one request approves and rejects them (a registration not pending among them is its own 409); the
 * rejected delegate gets the email in their language with the reason and the organizers' message (read
 * from the outbox by mailparser), the approved one the registration's email with its check-in code.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const person = (givenName: string, email: string, category: string, language = 'en') => ({
  givenName,
  familyName: 'Moderated',
  email,
  country: 'MX',
  city: 'Puebla',
  organization: 'Red de Ciudades',
  category,
  language,
  consent: true,
});

const mailsTo = (address: string) => outboxMailsTo(join(server.dataDir, 'outbox'), address);
const mailWithSubject = (address: string, subject: RegExp) =>
  eventually(
    async () => (await mailsTo(address)).find(({ mail }) => subject.test(mail.subject ?? '')),
    20_000,
  );

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
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: a moderated category approved and rejected in bulk', () => {
  const registered: Record<string, { registrationId: string; manageToken: string; status: string }> = {};

  it('shows the policy in the conference read back, and registers a moderated category as pending', async () => {
    const conference = await call('GET', `/conferences/${conferenceId}`);
    expect(conference.body.registrationPolicy).toEqual({ 'civil-society': 'moderated' });
    for (const [name, email, category, language] of [
      ['Lucía', 'lucia@example.org', 'civil-society', 'es'],
      ['Amélie', 'amelie@example.org', 'civil-society', 'fr'],
      ['Tomás', 'tomas@example.org', 'civil-society', 'es'],
      ['Mario', 'mario@example.org', 'mayor', 'es'],
    ] as const) {
      const answer = await call(
        'POST',
        `/conferences/${conferenceId}/registrations`,
        person(name, email, category, language),
      );
      expect(answer.status, answer.text).toBe(201);
      registered[name] = answer.body;
    }
    expect(registered.Lucía?.status).toBe('pending');
    expect(registered.Amélie?.status).toBe('pending');
    expect(registered.Mario?.status).toBe('registered');
    const read = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${registered.Lucía?.registrationId}`,
      undefined,
      { 'x-manage-token': String(registered.Lucía?.manageToken) },
    );
    expect(read.body.status).toBe('pending');
    // Told it awaits a decision, in Spanish.
    await mailWithSubject('lucia@example.org', /pendiente de aprobación/);
  }, 60_000);

  it('counts, lists and exports the pending registrations apart', async () => {
    const counts = await eventually(async () => {
      const answer = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return answer.body.pending === 3 && answer.body.registered === 1 ? answer.body : undefined;
    }, 20_000);
    expect(counts).toMatchObject({ pending: 3, registered: 1, waitlisted: 0 });
    const listed = await eventually(async () => {
      const answer = await call(
        'GET',
        `/conferences/${conferenceId}/registrations?status=pending`,
        undefined,
        organizer(),
      );
      return answer.body?.registrations?.length === 3 ? answer.body.registrations : undefined;
    }, 20_000);
    expect(listed.map((row: { givenName: string }) => row.givenName).sort()).toEqual([
      'Amélie',
      'Lucía',
      'Tomás',
    ]);
    const csv = await call(
      'GET',
      `/conferences/${conferenceId}/registrations.csv?status=pending`,
      undefined,
      organizer(),
    );
    expect(csv.status).toBe(200);
    const rows = parse(csv.text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);
    expect(rows.map((row) => row.email).sort()).toEqual([
      'amelie@example.org',
      'lucia@example.org',
      'tomas@example.org',
    ]);
  }, 60_000);

  it('approves and rejects in one request, each on its own; the rejected delegate is emailed in French', async () => {
    const id = (name: string) => String(registered[name]?.registrationId);
    const answer = await call(
      'POST',
      `/conferences/${conferenceId}/registration-decisions`,
      {
        decisions: [
          { registrationId: id('Lucía'), decision: 'approve' },
          {
            registrationId: id('Amélie'),
            decision: 'reject',
            reasonCode: 'not-eligible',
            message: {
              en: 'This category is for city networks.',
              fr: 'Cette catégorie est réservée aux réseaux de villes.',
            },
          },
          { registrationId: id('Mario'), decision: 'approve' },
        ],
      },
      { ...organizer(), 'idempotency-key': 'moderation-e2e-1' },
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.results[0]).toEqual({ registrationId: id('Lucía'), status: 'registered' });
    expect(answer.body.results[1]).toEqual({ registrationId: id('Amélie'), status: 'rejected' });
    expect(answer.body.results[2]).toMatchObject({
      registrationId: id('Mario'),
      problem: { status: 409, title: 'Conflict' },
    });

    const { mail } = await mailWithSubject('amelie@example.org', /n’a pas été acceptée/);
    expect(mail.text).toContain('Cette catégorie est réservée aux réseaux de villes.');
    // The reason from its own case of the catalog's select (not-eligible, not `other`).
    expect(mail.text).toContain('ne vous est pas ouverte');
    expect(mail.text).not.toContain('un autre motif');
    const approval = await mailWithSubject('lucia@example.org', /Inscripción confirmada/);
    // An approval into a seat is told as a registration is: with the seat holder's check-in code.
    const code = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${id('Lucía')}/check-in-code`,
      undefined,
      { 'x-manage-token': String(registered.Lucía?.manageToken) },
    );
    expect(code.status, code.text).toBe(200);
    expect(approval.mail.text).toContain(code.body.checkInCode);

    const counts = await eventually(async () => {
      const read = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return read.body.pending === 1 && read.body.registered === 2 ? read.body : undefined;
    }, 20_000);
    expect(counts).toMatchObject({ pending: 1, registered: 2 });
    const rejected = await eventually(async () => {
      const read = await call(
        'GET',
        `/conferences/${conferenceId}/registrations?status=rejected`,
        undefined,
        organizer(),
      );
      return read.body?.registrations?.length === 1 ? read.body.registrations : undefined;
    }, 20_000);
    expect(rejected[0]).toMatchObject({ givenName: 'Amélie', status: 'rejected' });
  }, 90_000);
});
