import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/** Issue 4 over HTTP: concurrent cancellations, exact promotions, one email per event, agenda changes. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const outbox = () => join(server.dataDir, 'outbox');
const emails = () => readdirSync(outbox()).filter((file) => file.endsWith('.eml'));

const delegate = (n: number) => ({
  givenName: `Delegate${n}`,
  familyName: 'Example',
  email: `waitlist.${n}@example.org`,
  country: 'PY',
  city: 'Ybycuí',
  category: 'civil-society',
  consent: true,
});

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  conferenceId = (await call('POST', '/conferences', { ...iclc2015, capacity: 5 }, organizer())).body
    .conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: waitlist promotion and notifications', () => {
  it('five concurrent cancellations with a waitlist of three give exactly three promotions', async () => {
    const registered = [];
    for (let n = 1; n <= 8; n++)
      registered.push((await call('POST', `/conferences/${conferenceId}/registrations`, delegate(n))).body);
    expect(registered.map((r) => r.status)).toEqual([
      ...Array(5).fill('registered'),
      ...Array(3).fill('waitlisted'),
    ]);

    let maxSeatHolders = 0;
    const watch = setInterval(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      maxSeatHolders = Math.max(maxSeatHolders, body?.registered ?? 0);
    }, 20);

    const cancellations = await Promise.all(
      registered.slice(0, 5).map((r) =>
        call('POST', `/conferences/${conferenceId}/registrations/${r.registrationId}/cancel`, undefined, {
          'x-manage-token': r.manageToken,
        }),
      ),
    );
    expect(cancellations.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);

    const counts = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body.registered === 3 && body.waitlisted === 0 && body.cancelled === 5 ? body : undefined;
    }, 10_000);
    clearInterval(watch);
    expect(counts).toMatchObject({ registered: 3, waitlisted: 0, cancelled: 5, checkedIn: 0 });
    expect(maxSeatHolders).toBeLessThanOrEqual(5);

    for (const waiting of registered.slice(5)) {
      const { body } = await call(
        'GET',
        `/conferences/${conferenceId}/registrations/${waiting.registrationId}`,
        undefined,
        organizer(),
      );
      expect(body.status).toBe('registered');
    }
    // A moment later nothing more has happened: no promotion beyond the waitlist, no extra events.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await call('GET', `/conferences/${conferenceId}/delegate-counts`)).body).toMatchObject({
      registered: 3,
    });
  });

  it('sends one email per registration event: 5 registered, 3 waitlisted, 5 cancelled, 3 promoted', async () => {
    await eventually(async () => (emails().length >= 16 ? true : undefined), 10_000);
    // A moment more for a duplicate to show; then the outbox as it is after the wait is what is checked.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const files = emails();
    expect(files).toHaveLength(16);
    const subjects = files.map(
      (file) => readFileSync(join(outbox(), file), 'utf8').match(/^Subject: (.*)$/m)?.[1],
    );
    const count = (subject: string) => subjects.filter((s) => s === `ICLC2015: ${subject}`).length;
    expect([
      count('Registration confirmed'),
      count('You are on the waitlist'),
      count('Registration cancelled'),
      count('A seat is now yours'),
    ]).toEqual([5, 3, 5, 3]);
    const promotion = readFileSync(
      join(outbox(), files.find((_file, i) => subjects[i]?.endsWith('A seat is now yours')) ?? ''),
      'utf8',
    );
    expect(promotion).toContain('To: Delegate');
    expect(promotion).toContain('Content-Type: text/html');
    expect(promotion).toContain('Palacio de Bellas Artes');
  });

  it('publishes each session change once to agenda-changes.jsonl', async () => {
    const scheduled = await call(
      'POST',
      `/conferences/${conferenceId}/sessions`,
      {
        title: 'Opening',
        type: 'plenary',
        date: '2015-09-28',
        start: '09:00',
        end: '10:00',
        room: 'Sala Principal',
        speakers: [],
      },
      organizer(),
    );
    const sessionId = scheduled.body.sessionId;
    await call(
      'POST',
      `/conferences/${conferenceId}/sessions/${sessionId}/reschedule`,
      { start: '09:30', end: '10:30' },
      organizer(),
    );
    await call('POST', `/conferences/${conferenceId}/sessions/${sessionId}/cancel`, {}, organizer());
    const published = () => {
      try {
        const text = readFileSync(join(outbox(), 'agenda-changes.jsonl'), 'utf8').trim().split('\n');
        return text.map((line) => JSON.parse(line));
      } catch {
        return [];
      }
    };
    await eventually(async () => (published().length >= 2 ? true : undefined), 5_000);
    // A moment more for a duplicate to show; then the lines as they are after the wait are what is checked.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = published();
    expect(lines.map((line) => [line.type, line.sessionId])).toEqual([
      ['SessionRescheduled', sessionId],
      ['SessionCancelled', sessionId],
    ]);
  });
});
