import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/** The walking skeleton end to end: `npm start` in its own process, driven over HTTP only. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;

const organizer = () => ({ authorization: `Bearer ${server.token}` });

const delegate = (n: number, country = 'MX') => ({
  givenName: `Delegate${n}`,
  familyName: 'Example',
  email: `delegate.${n}@example.org`,
  country,
  city: 'Mexico City',
  category: n % 2 ? 'mayor' : 'academic',
  consent: true,
});

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: a registration flows from the HTTP API to the delegate counts', () => {
  let conferenceId: string;
  const registrations: { registrationId: string; status: string; manageToken: string }[] = [];

  it('answers health', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('creates a conference with an organizer token only', async () => {
    expect((await call('POST', '/conferences', { ...iclc2015, capacity: 3 })).status).toBe(401);
    const created = await call('POST', '/conferences', { ...iclc2015, capacity: 3 }, organizer());
    expect(created.status).toBe(201);
    conferenceId = created.body.conferenceId;
    const read = await call('GET', `/conferences/${conferenceId}`);
    expect(read.body).toMatchObject({
      conferenceId,
      acronym: 'ICLC2015',
      capacity: 3,
      rooms: iclc2015.rooms,
    });
    const listed = await call('GET', '/conferences');
    expect(listed.body.conferences).toContainEqual({
      conferenceId,
      name: iclc2015.name,
      acronym: 'ICLC2015',
      city: 'Mexico City',
      country: 'MX',
      startDate: '2015-09-28',
      endDate: '2015-09-30',
    });
  });

  it('registers while seats are left, then waitlists, and the counts show it exactly', async () => {
    for (let n = 1; n <= 5; n++) {
      const response = await call(
        'POST',
        `/conferences/${conferenceId}/registrations`,
        delegate(n, n % 2 ? 'MX' : 'FI'),
      );
      expect(response.status).toBe(201);
      expect(response.body.manageToken).toMatch(/^[\w-]{43}$/);
      registrations.push(response.body);
    }
    expect(registrations.map((r) => r.status)).toEqual([
      'registered',
      'registered',
      'registered',
      'waitlisted',
      'waitlisted',
    ]);

    const counts = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body.registered === 3 && body.waitlisted === 2 ? body : undefined;
    }, 5_000);
    expect(counts).toMatchObject({
      conferenceId,
      capacity: 3,
      registered: 3,
      waitlisted: 2,
      cancelled: 0,
      checkedIn: 0,
      countries: 2,
      byCountry: { MX: 2, FI: 1 },
      byCategory: { mayor: 2, academic: 1 },
    });
  });

  it('refuses a second registration of the same email in another letter case, appending nothing', async () => {
    const again = await call('POST', `/conferences/${conferenceId}/registrations`, {
      ...delegate(1),
      email: 'DELEGATE.1@EXAMPLE.ORG',
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers bad input with problem+json naming each field', async () => {
    const broken = await call('POST', `/conferences/${conferenceId}/registrations`, '{"givenName":');
    expect(broken.status).toBe(400);
    const invalid = await call('POST', `/conferences/${conferenceId}/registrations`, {
      ...delegate(9),
      country: 'XX',
      consent: false,
      givenName: 'x'.repeat(500),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'consent',
      'country',
      'givenName',
    ]);
    const unknown = await call('POST', '/conferences/no-such-conference/registrations', delegate(10));
    expect(unknown.status).toBe(404);
  });

  it('replays an Idempotency-Key, and refuses it with another body', async () => {
    const key = { 'idempotency-key': 'e2e-key-1' };
    const first = await call('POST', `/conferences/${conferenceId}/registrations`, delegate(20), key);
    const second = await call('POST', `/conferences/${conferenceId}/registrations`, delegate(20), key);
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: first.body });
    const other = await call('POST', `/conferences/${conferenceId}/registrations`, delegate(21), key);
    expect(other.status).toBe(422);
  });

  it('promotes the longest-waiting delegate when a seat frees up, and emails each step', async () => {
    const [first, second, , longestWaiting, nextWaiting] = registrations;
    const cancelPath = `/conferences/${conferenceId}/registrations/${first?.registrationId}/cancel`;
    expect((await call('POST', cancelPath)).status).toBe(401);
    expect((await call('POST', cancelPath, undefined, { 'x-manage-token': 'wrong' })).status).toBe(403);
    const cancelled = await call('POST', cancelPath, undefined, {
      'x-manage-token': first?.manageToken ?? '',
    });
    expect(cancelled).toMatchObject({
      status: 200,
      body: { registrationId: first?.registrationId, status: 'cancelled' },
    });
    expect((await call('POST', cancelPath, undefined, organizer())).status).toBe(409);

    const promoted = await eventually(async () => {
      const { body } = await call(
        'GET',
        `/conferences/${conferenceId}/registrations/${longestWaiting?.registrationId}`,
        undefined,
        { 'x-manage-token': longestWaiting?.manageToken ?? '' },
      );
      return body.status === 'registered' ? body : undefined;
    }, 5_000);
    expect(promoted).toMatchObject({ email: 'delegate.4@example.org', status: 'registered' });
    const stillWaiting = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${nextWaiting?.registrationId}`,
      undefined,
      organizer(),
    );
    expect(stillWaiting.body.status).toBe('waitlisted');

    const checkIn = `/conferences/${conferenceId}/registrations/${second?.registrationId}/check-in`;
    expect((await call('POST', checkIn, undefined, organizer())).body).toEqual({
      registrationId: second?.registrationId,
      status: 'checked-in',
    });
    expect((await call('POST', checkIn, undefined, organizer())).status).toBe(409);
    const waitingCheckIn = `/conferences/${conferenceId}/registrations/${nextWaiting?.registrationId}/check-in`;
    expect((await call('POST', waitingCheckIn, undefined, organizer())).status).toBe(409);

    const counts = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body.checkedIn === 1 && body.cancelled === 1 ? body : undefined;
    }, 5_000);
    expect(counts).toMatchObject({ registered: 3, waitlisted: 2, cancelled: 1, checkedIn: 1 });

    // 3 registered + 3 waitlisted (one via the idempotent retry, sent once) + 1 cancelled + 1 promoted.
    const outbox = join(server.dataDir, 'outbox');
    const emails = await eventually(async () => {
      const files = readdirSync(outbox).filter((file) => file.endsWith('.eml'));
      return files.length >= 8 ? files : undefined;
    }, 5_000);
    expect(emails).toHaveLength(8);
    const bodies = emails.map((file) => readFileSync(join(outbox, file), 'utf8'));
    expect(bodies.filter((body) => body.includes('Subject: ICLC2015: A seat is now yours'))).toHaveLength(1);
    expect(bodies.filter((body) => body.includes('Subject: ICLC2015: Registration cancelled'))).toHaveLength(
      1,
    );
  });

  it('leaves no process behind when stopped', async () => {
    await server.stop();
    server = undefined as never;
  });
});
