import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { c3vocScheduleValidator } from '../support/c3voc-schema.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';

/** A three-day agenda built over HTTP on `npm start`; the three agenda reads agree within seconds. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const rooms = [{ name: 'Sala Principal' }, { name: 'Sala Manuel M. Ponce' }, { name: 'Sala Adamo Boari' }];
const session = (
  title: string,
  date: string,
  start: string,
  end: string,
  room: string,
  speakers: string[],
  type = 'parallel',
) => ({
  title,
  type,
  date,
  start,
  end,
  room,
  track: type === 'parallel' ? 'Learning cities' : undefined,
  speakers: speakers.map((name) => ({ name })),
});

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call('POST', '/conferences', { ...iclc2015, rooms }, organizer());
  conferenceId = created.body.conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

const sessionsByTitle = new Map<string, string>();
const schedule = async (body: ReturnType<typeof session>) => {
  const response = await call('POST', `/conferences/${conferenceId}/sessions`, body, organizer());
  if (response.status === 201) sessionsByTitle.set(body.title, response.body.sessionId);
  return response;
};

/** The three reads once they all show `count` sessions (agenda incl. cancelled, .ics incl. cancelled). */
const readAll = (count: number) =>
  eventually(async () => {
    const agenda = await call('GET', `/conferences/${conferenceId}/agenda`);
    const sessions = agenda.body.days.flatMap((day: { sessions: unknown[] }) => day.sessions);
    if (sessions.length !== count) return undefined;
    const calendar = await call('GET', `/conferences/${conferenceId}/agenda.ics`);
    const scheduleJson = await call('GET', `/conferences/${conferenceId}/schedule.json`);
    return { agenda: agenda.body, sessions, calendar, schedule: scheduleJson.body };
  }, 5_000);

describe('npm start: the agenda over HTTP', () => {
  it('builds a three-day agenda with parallel sessions in several rooms', async () => {
    const plan = [
      session(
        'Opening plenary',
        '2015-09-28',
        '09:00',
        '10:30',
        'Sala Principal',
        ['Irina Bokova'],
        'plenary',
      ),
      session('Learning for social inclusion', '2015-09-28', '11:00', '12:30', 'Sala Manuel M. Ponce', [
        'Speaker A',
      ]),
      session('Learning cities and the environment', '2015-09-28', '11:00', '12:30', 'Sala Adamo Boari', [
        'Speaker B',
      ]),
      session('Monitoring progress', '2015-09-29', '09:00', '10:30', 'Sala Manuel M. Ponce', ['Speaker C']),
      session('Partnerships', '2015-09-29', '09:00', '10:30', 'Sala Adamo Boari', ['Speaker D']),
      session(
        'Award ceremony',
        '2015-09-29',
        '15:00',
        '16:30',
        'Sala Principal',
        ['Arne Carlsen'],
        'ceremony',
      ),
      session(
        'Mexico City Statement',
        '2015-09-30',
        '15:00',
        '17:00',
        'Sala Principal',
        ['Arne Carlsen'],
        'plenary',
      ),
    ];
    for (const body of plan) expect((await schedule(body)).status).toBe(201);
    const { agenda } = await readAll(plan.length);
    expect(agenda.days.map((day: { date: string }) => day.date)).toEqual([
      '2015-09-28',
      '2015-09-29',
      '2015-09-30',
    ]);
    expect(agenda.days[0].sessions.map((s: { title: string }) => s.title)).toEqual([
      'Opening plenary',
      'Learning cities and the environment',
      'Learning for social inclusion',
    ]);
  });

  it('refuses room and speaker clashes with 409 naming the other session, appending nothing', async () => {
    const roomClash = await schedule(
      session('Overlapping', '2015-09-28', '10:00', '11:30', 'Sala Principal', ['Someone Else']),
    );
    expect(roomClash.status).toBe(409);
    expect(roomClash.body.detail).toContain(sessionsByTitle.get('Opening plenary'));
    const speakerClash = await schedule(
      session('Double booked', '2015-09-28', '12:00', '13:00', 'Sala Principal', ['speaker a']),
    );
    expect(speakerClash.status).toBe(409);
    expect(speakerClash.body.detail).toContain(sessionsByTitle.get('Learning for social inclusion'));
    const backToBack = await schedule(
      session('Right after', '2015-09-28', '10:30', '11:00', 'Sala Principal', ['Irina Bokova']),
    );
    expect(backToBack.status).toBe(201);
    const outside = await schedule(
      session('Too late', '2015-10-01', '09:00', '10:00', 'Sala Principal', ['X']),
    );
    expect(outside.status).toBe(400);
    expect(outside.body.errors.map((e: { path: string }) => e.path)).toContain('date');
  });

  it('reschedules and cancels; the agenda, agenda.ics and schedule.json agree within seconds', async () => {
    const ceremony = sessionsByTitle.get('Award ceremony') as string;
    const partnerships = sessionsByTitle.get('Partnerships') as string;
    const moved = await call(
      'POST',
      `/conferences/${conferenceId}/sessions/${ceremony}/reschedule`,
      { date: '2015-09-30', start: '09:00', end: '10:30' },
      organizer(),
    );
    expect(moved).toMatchObject({ status: 200, body: { sessionId: ceremony } });
    const cancelled = await call(
      'POST',
      `/conferences/${conferenceId}/sessions/${partnerships}/cancel`,
      {},
      organizer(),
    );
    expect(cancelled.body).toEqual({ sessionId: partnerships, status: 'cancelled' });
    expect(
      (await call('POST', `/conferences/${conferenceId}/sessions/${partnerships}/cancel`, {}, organizer()))
        .status,
    ).toBe(409);

    const reads = await eventually(async () => {
      const all = await readAll(8);
      const status = all.sessions.find((s: { sessionId: string }) => s.sessionId === partnerships)?.status;
      const day3 = all.agenda.days[2].sessions.map((s: { sessionId: string }) => s.sessionId);
      return status === 'cancelled' && day3.includes(ceremony) ? all : undefined;
    }, 5_000);

    const events = Object.values(ical.sync.parseICS(reads.calendar.text)).filter(
      (c): c is VEvent => c?.type === 'VEVENT',
    );
    expect(events).toHaveLength(8);
    const ceremonyEvent = events.find((e) => e.uid.startsWith(ceremony));
    expect(Number(ceremonyEvent?.sequence)).toBe(1);
    expect(ceremonyEvent?.start.toISOString()).toBe('2015-09-30T14:00:00.000Z');
    expect(events.find((e) => e.uid.startsWith(partnerships))?.status).toBe('CANCELLED');

    const validate = c3vocScheduleValidator();
    expect(validate(reads.schedule), JSON.stringify(validate.errors)).toBe(true);
    const frabEvents = reads.schedule.schedule.conference.days.flatMap(
      (day: { rooms: Record<string, unknown[]> }) => Object.values(day.rooms).flat(),
    );
    expect(frabEvents).toHaveLength(7);
    expect(frabEvents.map((e: { title: string }) => e.title)).not.toContain('Partnerships');
  });

  it('answers If-None-Match with 304 on the three agenda reads', async () => {
    for (const path of ['agenda', 'agenda.ics', 'schedule.json']) {
      const first = await call('GET', `/conferences/${conferenceId}/${path}`);
      const etag = first.headers.get('etag') ?? '';
      expect(etag).not.toBe('');
      const again = await call('GET', `/conferences/${conferenceId}/${path}`, undefined, {
        'if-none-match': etag,
      });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
    }
  });
});
