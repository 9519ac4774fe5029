import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { agendaReadModelOf, evolveAgendaRow, toAgenda } from '../../domain/projections/agenda.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { agendaProjection } from '../../functions/shared/projections/projections.js';
import { iclc2015 } from '../domain/fixtures.js';
import { agendaEventsOf } from '../support/agenda-events.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { c3vocScheduleValidator } from '../support/c3voc-schema.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';
import type { TestTables } from '../support/tables.js';

let environment: HandlerEnvironment | undefined;
let tables: TestTables;
let store: EventStore;
let organizerToken: string;
let delegateToken: string;
const handlers: Record<string, Handler> = {};

const handlerModules = {
  createConference: 'create-conference',
  scheduleSession: 'schedule-session',
  rescheduleSession: 'reschedule-session',
  cancelSession: 'cancel-session',
  grantAward: 'grant-award',
  listAwards: 'list-awards',
  getAgenda: 'get-agenda',
  getAgendaCalendar: 'get-agenda-calendar',
  getSchedule: 'get-schedule',
} as const;

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('agenda', { logLevel: 'ERROR' });
  ({ tables, organizerToken, memberToken: delegateToken } = environment);
  for (const [name, file] of Object.entries(handlerModules))
    handlers[name] = await importHandler(`functions/http/${file}.ts`);
  store = storeWithCodec(tables.client, tables);
});

afterAll(async () => {
  await environment?.dispose();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON came back
  json: any;
}

const call = async (
  name: keyof typeof handlerModules,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> => {
  const pathParameters = Object.fromEntries(
    [...path.matchAll(/\/(conferences|sessions)\/([^/]+)/g)].map(([, kind, id]) => [
      kind === 'conferences' ? 'conferenceId' : 'sessionId',
      id as string,
    ]),
  );
  const token = options.token === undefined ? organizerToken : options.token;
  const result = await (handlers[name] as Handler)(
    httpEvent(method, path, {
      body: options.body,
      pathParameters,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
    }),
    lambdaContext(name),
  );
  const body = result.body ?? '';
  const contentType = String(result.headers?.['content-type'] ?? '');
  return {
    status: result.statusCode ?? 0,
    headers: (result.headers ?? {}) as Record<string, string>,
    body,
    json: /json/.test(contentType) && body ? JSON.parse(body) : undefined,
  };
};

const createConference = async (overrides: Record<string, unknown> = {}): Promise<string> => {
  const answer = await call('createConference', 'POST', '/conferences', {
    body: { ...iclc2015, ...overrides },
  });
  expect(answer.status).toBe(201);
  return answer.json.conferenceId;
};

const session = (overrides: Record<string, unknown> = {}) => ({
  title: 'Opening plenary',
  type: 'plenary',
  date: '2015-09-28',
  start: '10:00',
  end: '11:00',
  room: 'Sala Principal',
  speakers: [{ name: 'Irina Bokova', affiliation: 'UNESCO' }],
  ...overrides,
});

const schedule = (conferenceId: string, body: unknown, headers: Record<string, string> = {}) =>
  call('scheduleSession', 'POST', `/conferences/${conferenceId}/sessions`, { body, headers });

const streamVersion = async (streamId: string) => (await store.load(streamId)).length;
/** The agenda's events of a conference: each session is a stream of its own. */
const agendaEvents = (conferenceId: string) => agendaEventsOf(tables.client, tables.events, conferenceId);
/** How many events the agenda of a conference has, over all its session streams. */
const agendaVersion = async (conferenceId: string) => (await agendaEvents(conferenceId)).length;

const melton = { award: 'UNESCO Learning City Award', year: 2015, city: 'Melton', country: 'AU' };

describe('agenda commands on DynamoDB Local', () => {
  it('of five concurrent bookings of one room and slot exactly one wins; the others get 409 naming it', async () => {
    const conferenceId = await createConference();
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        schedule(conferenceId, session({ title: `Booking ${n}`, speakers: [{ name: `Speaker ${n}` }] })),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = answers.find((answer) => answer.status === 201)?.json.sessionId;
    for (const refused of answers.filter((answer) => answer.status === 409)) {
      expect(refused.headers['content-type']).toBe('application/problem+json');
      expect(refused.json.detail).toContain(winner);
    }
    const events = await agendaEvents(conferenceId);
    expect(events.map((event) => event.type)).toEqual(['SessionScheduled']);
  });

  it('concurrent bookings that do not clash all succeed, each the first event of its own stream', async () => {
    const conferenceId = await createConference();
    const answers = await Promise.all(
      ['09:00', '10:00', '11:00', '12:00'].map((start, n) =>
        schedule(
          conferenceId,
          session({
            start,
            end: `${String(10 + n).padStart(2, '0')}:00`,
            speakers: [{ name: `Speaker ${n}` }],
          }),
        ),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    const events = await agendaEvents(conferenceId);
    expect(events.map((event) => event.version)).toEqual([1, 1, 1, 1]);
    expect(new Set(events.map((event) => event.streamId)).size).toBe(4);
  });

  it('reschedules and cancels, and refuses what the rules forbid without appending anything', async () => {
    const conferenceId = await createConference();
    const base = `/conferences/${conferenceId}/sessions`;
    const first = await schedule(conferenceId, session());
    expect(first.status).toBe(201);
    expect(first.headers['content-type']).toBe('application/json');
    const sessionId = first.json.sessionId as string;
    const second = await schedule(
      conferenceId,
      session({ start: '11:00', end: '12:00', speakers: [{ name: 'Arne Carlsen' }] }),
    );
    const otherId = second.json.sessionId as string;
    const version = await agendaVersion(conferenceId);

    const reschedule = (id: string, body: unknown, token?: string | null) =>
      call('rescheduleSession', 'POST', `${base}/${id}/reschedule`, { body, token });
    const cancel = (id: string, token?: string | null) =>
      call('cancelSession', 'POST', `${base}/${id}/cancel`, { token });

    const outOfHours = await schedule(conferenceId, session({ start: '08:00', room: 'Atrium' }));
    expect(outOfHours.status).toBe(400);
    expect(outOfHours.json.errors.map((error: { path: string }) => error.path)).toEqual(['start', 'room']);
    const clash = await schedule(conferenceId, session({ start: '10:30', end: '11:30', speakers: [] }));
    expect(clash.status).toBe(409);
    expect(clash.json.detail).toContain(sessionId);
    const refusals: Array<[() => Promise<Answer>, number]> = [
      [() => schedule('no-such-conference', session()), 404],
      [() => schedule(conferenceId, { ...session(), type: 'keynote' }), 400],
      [() => reschedule(sessionId, { start: '10:30', end: '11:30' }), 409],
      [() => reschedule(sessionId, { end: '17:30' }), 400],
      [() => reschedule(sessionId, {}), 400],
      [() => reschedule('nope', { start: '12:00' }), 404],
      [() => cancel('nope'), 404],
      [() => cancel(sessionId, null), 401],
      [() => cancel(sessionId, delegateToken), 403],
    ];
    for (const [send, status] of refusals) {
      const refused = await send();
      expect(refused.status, refused.body).toBe(status);
      expect(refused.headers['content-type']).toBe('application/problem+json');
    }
    expect(await agendaVersion(conferenceId)).toBe(version);

    const moved = await reschedule(otherId, { start: '12:00', end: '13:00' });
    expect(moved).toMatchObject({ status: 200, json: { sessionId: otherId } });
    const cancelled = await cancel(sessionId);
    expect(cancelled).toMatchObject({ status: 200, json: { sessionId, status: 'cancelled' } });
    const afterCancel = await agendaVersion(conferenceId);
    expect((await cancel(sessionId)).status).toBe(409);
    expect((await reschedule(sessionId, { start: '14:00', end: '15:00' })).status).toBe(409);
    expect(await agendaVersion(conferenceId)).toBe(afterCancel);

    // The cancelled session's room and speaker are free again.
    expect((await schedule(conferenceId, session({ title: 'In its place' }))).status).toBe(201);
  });

  it('answers a repeated Idempotency-Key with the first response and books once', async () => {
    const conferenceId = await createConference();
    const headers = { 'idempotency-key': 'book-opening' };
    const first = await schedule(conferenceId, session(), headers);
    const again = await schedule(conferenceId, session(), headers);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(await agendaVersion(conferenceId)).toBe(1);
  });
});

describe('awards on DynamoDB Local', () => {
  it('grants once per award, year, city and country across conferences', async () => {
    const [first, second] = [await createConference(), await createConference()];
    const granted = await call('grantAward', 'POST', `/conferences/${first}/awards`, { body: melton });
    expect(granted.status).toBe(201);
    expect(granted.json.awardId).toEqual(expect.any(String));

    const again = await call('grantAward', 'POST', `/conferences/${second}/awards`, {
      body: { ...melton, award: 'unesco learning city award', city: 'MELTON' },
    });
    expect(again.status).toBe(409);
    expect(again.json.detail).toMatch(/already granted/);
    expect(await streamVersion(`awards-${second}`)).toBe(0);

    const sameConference = await call('grantAward', 'POST', `/conferences/${first}/awards`, { body: melton });
    expect(sameConference.status).toBe(409);
    expect(await streamVersion(`awards-${first}`)).toBe(1);
  });

  it('checks the session an award is presented in and the values sent', async () => {
    const conferenceId = await createConference();
    const ceremony = (await schedule(conferenceId, session({ type: 'ceremony' }))).json.sessionId;
    const base = `/conferences/${conferenceId}/awards`;
    const grant = (body: unknown) => call('grantAward', 'POST', base, { body });
    expect((await grant({ ...melton, city: 'Espoo', country: 'FI', sessionId: 'nope' })).status).toBe(404);
    const badValues = await grant({ ...melton, year: 1899, country: 'XX' });
    expect(badValues.status).toBe(400);
    expect(badValues.json.errors.map((error: { path: string }) => error.path)).toEqual(['year', 'country']);
    expect((await grant({ ...melton, city: 'Cork', country: 'IE', sessionId: ceremony })).status).toBe(201);
    await call('cancelSession', 'POST', `/conferences/${conferenceId}/sessions/${ceremony}/cancel`);
    expect((await grant({ ...melton, city: 'Swansea', country: 'GB', sessionId: ceremony })).status).toBe(
      409,
    );
    expect(await streamVersion(`awards-${conferenceId}`)).toBe(1);

    const listed = await call('listAwards', 'GET', base, { token: null });
    expect(listed.status).toBe(200);
    expect(listed.json.awards).toEqual([
      expect.objectContaining({
        ...melton,
        city: 'Cork',
        country: 'IE',
        sessionId: ceremony,
        citation: null,
      }),
    ]);
    expect((await call('listAwards', 'GET', '/conferences/nope/awards', { token: null })).status).toBe(404);
  });
});

describe('agenda read model on DynamoDB Local', () => {
  const shuffled = <T>(items: T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };

  it('shows a conference the projection has not seen yet with every day empty; 404 for none', async () => {
    const conferenceId = await createConference();
    const agenda = await call('getAgenda', 'GET', `/conferences/${conferenceId}/agenda`, { token: null });
    expect(agenda.status).toBe(200);
    expect(agenda.json).toEqual({
      conferenceId,
      timezone: 'America/Mexico_City',
      days: ['2015-09-28', '2015-09-29', '2015-09-30'].map((date) => ({ date, sessions: [] })),
    });
    for (const name of ['getAgenda', 'getAgendaCalendar', 'getSchedule'] as const) {
      const missing = await call(name, 'GET', '/conferences/nope/agenda', { token: null });
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toBe('application/problem+json');
    }
  });

  it('is exact whatever the delivery: each event three times, shuffled, some at once, through the runner', async () => {
    const conferenceId = await createConference();
    const base = `/conferences/${conferenceId}`;
    const ids: string[] = [];
    for (const [n, start] of ['09:00', '10:00', '11:00', '12:00'].entries())
      ids.push(
        (
          await schedule(
            conferenceId,
            session({ title: `Session ${n}`, start, end: `${10 + n}:00`, speakers: [{ name: `S${n}` }] }),
          )
        ).json.sessionId,
      );
    const [opening, second, third] = ids as [string, string, string];
    await call('rescheduleSession', 'POST', `${base}/sessions/${second}/reschedule`, {
      body: { date: '2015-09-29' },
    });
    await call('rescheduleSession', 'POST', `${base}/sessions/${second}/reschedule`, {
      body: { end: '12:00' },
    });
    await call('cancelSession', 'POST', `${base}/sessions/${third}/cancel`);
    await call('grantAward', 'POST', `${base}/awards`, {
      body: { ...melton, city: 'Namyangju', country: 'KR', sessionId: opening },
    });

    const history: EventEnvelope[] = [
      ...(await store.load(`conference-${conferenceId}`)),
      ...(await agendaEvents(conferenceId)),
      ...(await store.load(`awards-${conferenceId}`)),
    ];
    const runner = new ProjectionRunner(agendaProjection, {
      client: tables.client,
      tableName: tables.readModels,
      store,
    });
    const deliveries = shuffled([...history, ...history, ...history]);
    for (let i = 0; i < deliveries.length; i += 3)
      await Promise.all(deliveries.slice(i, i + 3).map((event) => runner.apply(event, 1)));

    const rows = new Map<string, ReturnType<typeof evolveAgendaRow>>();
    for (const event of history) rows.set(event.streamId, evolveAgendaRow(rows.get(event.streamId), event));
    const expected = toAgenda(
      { conferenceId, ...iclc2015 },
      agendaReadModelOf([...rows.values()].flatMap((row) => (row ? [row] : []))),
    );

    const agenda = await call('getAgenda', 'GET', `${base}/agenda`, { token: null });
    expect(agenda.status).toBe(200);
    expect(agenda.json).toEqual(expected);
    expect(agenda.json.days[0].sessions.map((s: { status: string }) => s.status)).toEqual([
      'scheduled',
      'cancelled',
      'scheduled',
    ]);
    expect(agenda.json.days[0].sessions[0].awards).toEqual([
      { awardId: expect.any(String), award: melton.award, year: 2015, city: 'Namyangju', country: 'KR' },
    ]);
    expect(agenda.json.days[1].sessions[0]).toMatchObject({
      sessionId: second,
      start: '10:00',
      end: '12:00',
    });

    const calendar = await call('getAgendaCalendar', 'GET', `${base}/agenda.ics`, { token: null });
    expect(calendar.status).toBe(200);
    expect(calendar.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = Object.values(ical.sync.parseICS(calendar.body)).filter(
      (component): component is VEvent => component?.type === 'VEVENT',
    );
    expect(events.map((event) => event.uid).sort()).toEqual(ids.map((id) => `${id}@learning-cities`).sort());
    const moved = events.find((event) => event.uid === `${second}@learning-cities`);
    expect(Number(moved?.sequence)).toBe(2);
    expect(moved?.start.toISOString()).toBe('2015-09-29T15:00:00.000Z');
    expect(events.find((event) => event.uid === `${third}@learning-cities`)?.status).toBe('CANCELLED');

    const scheduleJson = await call('getSchedule', 'GET', `${base}/schedule.json`, {
      token: null,
      headers: { host: '127.0.0.1:3000' },
    });
    expect(scheduleJson.status).toBe(200);
    const validate = c3vocScheduleValidator();
    expect(validate(scheduleJson.json), JSON.stringify(validate.errors)).toBe(true);
    expect(scheduleJson.json.schedule.base_url).toBe('http://127.0.0.1:3000/');
    const listed = scheduleJson.json.schedule.conference.days.flatMap(
      (day: { rooms: Record<string, unknown[]> }) => Object.values(day.rooms).flat(),
    );
    expect(listed).toHaveLength(3);
  });

  it('gives each representation an ETag and answers If-None-Match with 304 and no body', async () => {
    const conferenceId = await createConference();
    for (const [name, path] of [
      ['getAgenda', 'agenda'],
      ['getAgendaCalendar', 'agenda.ics'],
      ['getSchedule', 'schedule.json'],
    ] as const) {
      const url = `/conferences/${conferenceId}/${path}`;
      const first = await call(name, 'GET', url, { token: null });
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^".+"$/);
      const notModified = await call(name, 'GET', url, { token: null, headers: { 'if-none-match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBe('');
      const changed = await call(name, 'GET', url, { token: null, headers: { 'if-none-match': '"other"' } });
      expect(changed.status).toBe(200);
    }
  });
});
