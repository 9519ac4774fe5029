import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programmeConference, programmeSessions } from '../../bench/support/programme.js';
import { pool } from '../../bench/support/stats.js';
import { EventStore } from '../../functions/shared/event-store/event-store.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { agendaProjection } from '../../functions/shared/projections/projections.js';
import { awards } from '../../local/demo/iclc2015.js';
import { agendaEventsOf } from '../support/agenda-events.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { c3vocScheduleValidator } from '../support/c3voc-schema.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';

/**
 * A programme of many sessions booked 8 at a time through the handlers on DynamoDB Local, with
 * reschedules and real clashes sent in among them, then the twelve awards granted 4 at a time: bookings
 * that do not clash never refuse each other (no 503), a clash is a 409 naming the session in the way, and
 * the three agenda reads, projected from every event delivered twice in shuffled order, show every
 * session.
 */
let environment: HandlerEnvironment | undefined;
const handlers: Record<string, Handler> = {};
const modules = {
  createConference: 'create-conference',
  scheduleSession: 'schedule-session',
  rescheduleSession: 'reschedule-session',
  grantAward: 'grant-award',
  getAgenda: 'get-agenda',
  getAgendaCalendar: 'get-agenda-calendar',
  getSchedule: 'get-schedule',
} as const;

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('agenda-scale', { logLevel: 'ERROR' });
  for (const [name, file] of Object.entries(modules))
    handlers[name] = await importHandler(`functions/http/${file}.ts`);
});

afterAll(async () => {
  await environment?.dispose();
});

const call = async (name: keyof typeof modules, method: 'GET' | 'POST', path: string, body?: unknown) => {
  const pathParameters = Object.fromEntries(
    [...path.matchAll(/\/(conferences|sessions)\/([^/]+)/g)].map(([, kind, id]) => [
      kind === 'conferences' ? 'conferenceId' : 'sessionId',
      id as string,
    ]),
  );
  const result = await (handlers[name] as Handler)(
    httpEvent(method, path, {
      body,
      pathParameters,
      headers: { authorization: `Bearer ${environment?.organizerToken}`, host: '127.0.0.1:3000' },
    }),
    lambdaContext(name),
  );
  const text = result.body ?? '';
  return {
    status: result.statusCode ?? 0,
    text,
    json: /json/.test(String(result.headers?.['content-type'])) && text ? JSON.parse(text) : undefined,
  };
};

const shuffled = <T>(items: T[]): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

describe('an agenda of many sessions on DynamoDB Local', () => {
  it('books 120 sessions 8 at a time without a 503, refuses only real clashes, and reads them all', async () => {
    const details = programmeConference(3, 8);
    const created = await call('createConference', 'POST', '/conferences', details);
    expect(created.status).toBe(201);
    const conferenceId = created.json.conferenceId as string;
    const base = `/conferences/${conferenceId}`;

    const sessions = programmeSessions(details);
    expect(sessions).toHaveLength(120);
    const booked = await pool(sessions, 8, (session) =>
      call('scheduleSession', 'POST', `${base}/sessions`, session),
    );
    expect(booked.filter((answer) => answer.status !== 201).map((answer) => answer.text)).toEqual([]);
    const ids = booked.map((answer) => answer.json.sessionId as string);

    // Among them at once: the day's first slot of every room of day 1 ends 30 minutes later (no date, no
    // room: each reads only its own stream), and a second booking of each day-2 third slot, which clashes.
    const firstSlots = sessions.flatMap((session, index) =>
      session.date === details.startDate && session.start === '08:00' ? [index] : [],
    );
    const thirdSlotsDay2 = sessions.flatMap((session, index) =>
      session.date === '2026-06-02' && session.start === '12:00' ? [index] : [],
    );
    type Work = { kind: 'move'; index: number } | { kind: 'clash'; index: number };
    const work: Work[] = shuffled([
      ...firstSlots.map((index) => ({ kind: 'move' as const, index })),
      ...thirdSlotsDay2.map((index) => ({ kind: 'clash' as const, index })),
    ]);
    const answers = await pool(work, 8, (job) =>
      job.kind === 'move'
        ? call('rescheduleSession', 'POST', `${base}/sessions/${ids[job.index]}/reschedule`, { end: '10:00' })
        : call('scheduleSession', 'POST', `${base}/sessions`, {
            ...sessions[job.index],
            title: 'A second booking',
            speakers: [{ name: `Visitor ${job.index}` }],
          }),
    );
    answers.forEach((answer, n) => {
      const job = work[n] as Work;
      if (job.kind === 'move') expect(answer.status, answer.text).toBe(200);
      else {
        expect(answer.status, answer.text).toBe(409);
        expect(answer.json.detail).toContain(ids[job.index]);
      }
    });

    // The twelve UNESCO Learning City Awards of 2015, granted 4 at a time, presented in one session.
    const granted = await pool(awards, 4, (grant) =>
      call('grantAward', 'POST', `${base}/awards`, { ...grant, sessionId: ids[0] }),
    );
    expect(granted.filter((answer) => answer.status !== 201).map((answer) => answer.text)).toEqual([]);

    const { tables } = environment as HandlerEnvironment;
    const store = new EventStore({ client: tables.client, tableName: tables.events });
    const history = [
      ...(await store.load(`conference-${conferenceId}`)),
      ...(await agendaEventsOf(tables.client, tables.events, conferenceId)),
      ...(await store.load(`awards-${conferenceId}`)),
    ];
    expect(history).toHaveLength(1 + 120 + firstSlots.length + 12);
    const runner = new ProjectionRunner(agendaProjection, {
      client: tables.client,
      tableName: tables.readModels,
      store,
    });
    await pool(shuffled([...history, ...history]), 8, (event) => runner.apply(event, 1));

    const agenda = await call('getAgenda', 'GET', `${base}/agenda`);
    expect(agenda.status).toBe(200);
    const listed = agenda.json.days.flatMap(
      (day: { date: string; sessions: { sessionId: string; start: string; end: string; room: string }[] }) =>
        day.sessions.map((session) => ({ ...session, date: day.date })),
    );
    expect(listed.map((session: { sessionId: string }) => session.sessionId).sort()).toEqual([...ids].sort());
    expect(listed.find((s: { sessionId: string }) => s.sessionId === ids[0]).awards).toHaveLength(12);
    for (const index of firstSlots)
      expect(listed.find((s: { sessionId: string }) => s.sessionId === ids[index])).toMatchObject({
        start: '08:00',
        end: '10:00',
      });
    for (const day of agenda.json.days) {
      const order = day.sessions.map((s: { start: string; room: string }) => `${s.start} ${s.room}`);
      expect(order).toEqual(
        [...order].sort(
          (a: string, b: string) => a.slice(0, 5).localeCompare(b.slice(0, 5)) || a.localeCompare(b, 'en'),
        ),
      );
    }

    const calendar = await call('getAgendaCalendar', 'GET', `${base}/agenda.ics`);
    expect(calendar.status).toBe(200);
    const events = Object.values(ical.sync.parseICS(calendar.text)).filter(
      (component): component is VEvent => component?.type === 'VEVENT',
    );
    expect(events).toHaveLength(120);
    const moved = events.filter((event) => Number(event.sequence) === 1).map((event) => event.uid);
    expect(moved.sort()).toEqual(firstSlots.map((index) => `${ids[index]}@learning-cities`).sort());

    const schedule = await call('getSchedule', 'GET', `${base}/schedule.json`);
    expect(schedule.status).toBe(200);
    const validate = c3vocScheduleValidator();
    expect(validate(schedule.json), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const frab = schedule.json.schedule.conference.days.flatMap((day: { rooms: Record<string, unknown[]> }) =>
      Object.values(day.rooms).flat(),
    );
    expect(frab).toHaveLength(120);
  }, 120_000);
});
