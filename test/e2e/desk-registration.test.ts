import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { type ReadEmail, readEmail } from '../support/email-reader.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';

/** The registration desk end to end over HTTP: corrections, and check-in by the QR code of the emails. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;

const organizer = () => ({ authorization: `Bearer ${server.token}` });

const emails = async (): Promise<ReadEmail[]> => {
  const outbox = join(server.dataDir, 'outbox');
  return Promise.all(
    readdirSync(outbox)
      .filter((file) => file.endsWith('.eml'))
      .map((file) => readEmail(readFileSync(join(outbox, file)))),
  );
};
const emailTo = (address: string, subject: RegExp) =>
  eventually(
    async () => (await emails()).find((email) => email.to === address && subject.test(email.subject)),
    15_000,
  );

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: the registration desk', () => {
  let conferenceId: string;
  const people: Record<string, { registrationId: string; manageToken: string; status: string }> = {};
  const register = async (key: string, body: Record<string, unknown>) => {
    const response = await call('POST', `/conferences/${conferenceId}/registrations`, {
      city: 'Mexico City',
      category: 'academic',
      consent: true,
      ...body,
    });
    expect(response.status).toBe(201);
    people[key] = response.body;
  };
  const path = (key: string, action = '') =>
    `/conferences/${conferenceId}/registrations/${people[key]?.registrationId}${action}`;

  beforeAll(async () => {
    const created = await call(
      'POST',
      '/conferences',
      { ...iclc2015, capacity: 2, editableUntil: '2099-01-01T00:00:00Z' },
      organizer(),
    );
    conferenceId = created.body.conferenceId;
    await register('ana', { givenName: 'Ana', familyName: 'Perez', email: 'ana@example.org', country: 'MX' });
    await register('ivan', {
      givenName: 'Иван',
      familyName: 'Петров',
      email: 'ivan@example.org',
      country: 'RU',
    });
    await register('eleni', {
      givenName: 'Ελένη',
      familyName: 'Νικολάου',
      email: 'eleni@example.org',
      country: 'GR',
    });
    expect(people.eleni?.status).toBe('waitlisted');
  }, 60_000);

  it('lets a delegate correct their details, emails them about it, and moves the counts', async () => {
    const changed = await call(
      'POST',
      path('ana', '/details'),
      { familyName: 'Pérez', email: 'ana.perez@example.org', country: 'ES' },
      { 'x-manage-token': String(people.ana?.manageToken) },
    );
    expect(changed).toMatchObject({
      status: 200,
      body: { familyName: 'Pérez', email: 'ana.perez@example.org', country: 'ES', status: 'registered' },
    });
    const read = await call('GET', path('ana'), undefined, organizer());
    expect(read.body).toEqual(changed.body);
    const notice = await emailTo('ana.perez@example.org', /details were changed/);
    expect(notice.text).toContain('Ana Pérez');
    // The address it had is told of the move, without being told the new address or details.
    const moved = await emailTo('ana@example.org', /email address of your registration was changed/);
    expect(moved.text).toContain('Dear Ana Perez');
    expect(moved.text).toContain(String(people.ana?.registrationId));
    expect(moved.text).not.toContain('ana.perez@example.org');
    expect(moved.text).not.toContain('Pérez');
    const counts = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body.byCountry.ES === 1 ? body : undefined;
    }, 10_000);
    expect(counts.byCountry).toEqual({ ES: 1, RU: 1 });
    // The old address is free again; the new one is taken.
    const again = await call('POST', `/conferences/${conferenceId}/registrations`, {
      givenName: 'X',
      familyName: 'Y',
      email: 'ANA.PEREZ@example.org',
      country: 'MX',
      city: 'Puebla',
      category: 'other',
      consent: true,
    });
    expect(again.status).toBe(409);
  });

  it('checks in by the QR code of the registration email: 200 who arrived, then 409 since when', async () => {
    const email = await emailTo('ivan@example.org', /Registration confirmed/);
    const [qr] = email.qrCodes;
    expect(qr?.text).toMatch(new RegExp(`^${people.ivan?.registrationId}\\.[\\w-]{22}$`));
    expect(email.text).toContain(String(qr?.text));
    const first = await call(
      'POST',
      `/conferences/${conferenceId}/check-ins`,
      { code: qr?.text },
      organizer(),
    );
    expect(first).toMatchObject({
      status: 200,
      body: {
        registrationId: people.ivan?.registrationId,
        status: 'checked-in',
        givenName: 'Иван',
        familyName: 'Петров',
        organization: null,
        country: 'RU',
        category: 'academic',
      },
    });
    const second = await call(
      'POST',
      `/conferences/${conferenceId}/check-ins`,
      { code: qr?.text },
      organizer(),
    );
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect(second.body.detail).toContain(first.body.checkedInAt);
    const forged = await call(
      'POST',
      `/conferences/${conferenceId}/check-ins`,
      { code: `${people.ana?.registrationId}.${String(qr?.text).split('.')[1]}` },
      organizer(),
    );
    expect(forged.status).toBe(404);
    expect(
      (
        await call(
          'POST',
          `/conferences/${conferenceId}/check-ins`,
          { code: qr?.text },
          {
            'x-manage-token': String(people.ivan?.manageToken),
          },
        )
      ).status,
    ).toBe(401);
  });

  it('the waitlisting email carries no code; promoted, the delegate’s promotion email carries one that works', async () => {
    const waitingEmail = await emailTo('eleni@example.org', /waitlist/);
    expect(waitingEmail.qrCodes).toEqual([]);
    const cancelled = await call('POST', path('ana', '/cancel'), undefined, organizer());
    expect(cancelled.status).toBe(200);
    const promotion = await emailTo('eleni@example.org', /A seat is now yours/);
    const [qr] = promotion.qrCodes;
    const arrived = await call(
      'POST',
      `/conferences/${conferenceId}/check-ins`,
      { code: qr?.text },
      organizer(),
    );
    expect(arrived).toMatchObject({ status: 200, body: { givenName: 'Ελένη', familyName: 'Νικολάου' } });
  });

  it('prints a delegate’s badge and the organizer’s badges as PDF bytes over HTTP, with working QR codes', async () => {
    const pdfOf = async (path: string, headers: Record<string, string>) => {
      const response = await fetch(`${server.apiUrl}${path}`, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      return Buffer.from(await response.arrayBuffer());
    };
    const own = await pdfOf(path('ivan', '/badge.pdf'), {
      'x-manage-token': String(people.ivan?.manageToken),
    });
    expect(own.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await pdfPagesText(own))[0]).toContain('Петров');
    expect(await decodeQrOnPage(own, 1)).toMatch(new RegExp(`^${people.ivan?.registrationId}\\.`));
    // The seat holders now: Иван (checked in) and Ελένη (promoted); Ana cancelled.
    const all = await eventually(async () => {
      const pdf = await pdfOf(`/conferences/${conferenceId}/badges.pdf`, organizer());
      const pages = await pdfPagesText(pdf);
      return pages.length === 2 && pages.some((page) => page.includes('Νικολάου'))
        ? { pdf, pages }
        : undefined;
    }, 15_000);
    expect(all.pages.join(' ')).not.toContain('Pérez');
    const codes = [await decodeQrOnPage(all.pdf, 1), await decodeQrOnPage(all.pdf, 2)];
    expect(codes.map((code) => code?.split('.')[0]).sort()).toEqual(
      [people.ivan?.registrationId, people.eleni?.registrationId].sort(),
    );
    const waiting = await fetch(`${server.apiUrl}${path('ana', '/badge.pdf')}`, { headers: organizer() });
    expect(waiting.status).toBe(409);
  });
});
