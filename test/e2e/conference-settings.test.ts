import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/** CONTRACT section 4.2 over HTTP on `npm start`: settings changed, a raised capacity's promotions seen. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const outbox = () => join(server.dataDir, 'outbox');
const subjects = () =>
  readdirSync(outbox())
    .filter((file) => file.endsWith('.eml'))
    .map((file) => readFileSync(join(outbox(), file), 'utf8').match(/^Subject: (.*)$/m)?.[1]);

const delegate = (n: number) => ({
  givenName: `Delegate${n}`,
  familyName: 'Settings',
  email: `settings.${n}@example.org`,
  country: 'FI',
  city: 'Espoo',
  category: 'academic',
  consent: true,
});

const settings = (body: unknown, headers: Record<string, string> = {}) =>
  call('POST', `/conferences/${conferenceId}/settings`, body, { ...organizer(), ...headers });

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  conferenceId = (await call('POST', '/conferences', { ...iclc2015, capacity: 3 }, organizer())).body
    .conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: conference settings', () => {
  const registered: Array<{ registrationId: string; status: string }> = [];

  it('raising the capacity promotes the longest-waiting delegates within seconds, and only them', async () => {
    for (let n = 1; n <= 7; n++)
      registered.push((await call('POST', `/conferences/${conferenceId}/registrations`, delegate(n))).body);
    expect(registered.map((r) => r.status)).toEqual([
      ...Array(3).fill('registered'),
      ...Array(4).fill('waitlisted'),
    ]);
    await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body.waitlisted === 4 ? body : undefined;
    });

    const key = { 'idempotency-key': 'raise-capacity-once' };
    const raised = await settings({ capacity: 6 }, key);
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body).toMatchObject({ conferenceId, capacity: 6, rooms: iclc2015.rooms });
    expect((await call('GET', `/conferences/${conferenceId}`)).body).toEqual(raised.body);
    // Sent again with the same key: the first answer, nothing changed twice.
    const again = await settings({ capacity: 6 }, key);
    expect([again.status, again.body]).toEqual([200, raised.body]);
    expect((await settings({ capacity: 7 }, key)).status).toBe(422);

    const counts = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body.registered === 6 ? body : undefined;
    }, 10_000);
    expect(counts).toMatchObject({ capacity: 6, registered: 6, waitlisted: 1 });
    const statuses = [];
    for (const { registrationId } of registered)
      statuses.push(
        (
          await call(
            'GET',
            `/conferences/${conferenceId}/registrations/${registrationId}`,
            undefined,
            organizer(),
          )
        ).body.status,
      );
    expect(statuses).toEqual([...Array(6).fill('registered'), 'waitlisted']);
    const promotions = await eventually(async () => {
      const found = subjects().filter((subject) => subject === 'ICLC2015: A seat is now yours');
      return found.length >= 3 ? found : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(subjects().filter((subject) => subject === 'ICLC2015: A seat is now yours')).toEqual(promotions);
    expect(promotions).toHaveLength(3);
    expect((await call('GET', `/conferences/${conferenceId}/delegate-counts`)).body).toMatchObject({
      registered: 6,
      waitlisted: 1,
    });
  });

  it('lowering the capacity below the seats held is 409 saying how many are held', async () => {
    const lowered = await settings({ capacity: 4 });
    expect(lowered.status, lowered.text).toBe(409);
    expect(lowered.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(lowered.body.detail).toMatch(/\b6 seats are held\b/);
    expect((await call('GET', `/conferences/${conferenceId}`)).body.capacity).toBe(6);
  });

  it('adds rooms, never removes one, and refuses a change that changes nothing', async () => {
    const rooms = [...iclc2015.rooms, { name: 'Sala Adamo Boari', capacity: 120 }];
    const added = await settings({ rooms });
    expect(added.status, added.text).toBe(200);
    expect(added.body.rooms).toEqual(rooms);
    const removed = await settings({ rooms: rooms.slice(1) });
    expect(removed.status).toBe(400);
    expect(removed.body.errors).toEqual([
      {
        path: 'rooms',
        message: `must still list the room "${rooms[0]?.name}": rooms may be added, never removed`,
      },
    ]);
    const same = await settings({ rooms });
    expect(same.status).toBe(400);
    expect(same.body.errors).toEqual([{ path: 'rooms', message: 'is the value the conference already has' }]);
    // A session may be held in the new room at once.
    const session = await call(
      'POST',
      `/conferences/${conferenceId}/sessions`,
      {
        title: 'Learning cities in Finland',
        type: 'parallel',
        date: '2015-09-29',
        start: '11:00',
        end: '12:00',
        room: 'Sala Adamo Boari',
        speakers: [{ name: 'Espoo delegation' }],
      },
      organizer(),
    );
    expect(session.status, session.text).toBe(201);
    // The exports' read model hears of the new room too.
    const scheduleRooms = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/schedule.json`);
      const names: string[] = body.schedule.conference.rooms.map((room: { name: string }) => room.name);
      return names.includes('Sala Adamo Boari') ? names : undefined;
    });
    expect(scheduleRooms).toEqual(rooms.map((room) => room.name));
  });

  it('closes the registration window: registering then is 409 saying when it closed', async () => {
    const closesAt = new Date(Date.now() - 1_000).toISOString();
    const bad = await settings({
      registrationOpensAt: new Date(Date.now() + 1_000).toISOString(),
      registrationClosesAt: closesAt,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).toEqual(['registrationClosesAt']);
    const closed = await settings({ registrationClosesAt: closesAt });
    expect(closed.status, closed.text).toBe(200);
    const late = await call('POST', `/conferences/${conferenceId}/registrations`, delegate(8));
    expect(late.status).toBe(409);
    expect(late.body.detail).toBe(`Registration is closed: it closed at ${closesAt}`);
  });
});
