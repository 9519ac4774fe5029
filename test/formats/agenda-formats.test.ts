import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import type { Conference } from '../../domain/conference/decider.js';
import { type AgendaReadModel, agendaReadModelOf, evolveAgendaRow } from '../../domain/projections/agenda.js';
import { agendaCalendar, calendarUid } from '../../functions/shared/formats/agenda-calendar.js';
import { c3vocSchedule, sessionGuid, uuidV5 } from '../../functions/shared/formats/c3voc-schedule.js';
import { agendaHistory, conference } from '../domain/agenda-history.js';
import { c3vocScheduleValidator } from '../support/c3voc-schema.js';

/** The read model after the history, folded stream by stream as the projection does. */
const readModelOf = (events = agendaHistory()): AgendaReadModel & { conference: Conference } => {
  const rows = new Map<string, ReturnType<typeof evolveAgendaRow>>();
  for (const event of events) rows.set(event.streamId, evolveAgendaRow(rows.get(event.streamId), event));
  const model = agendaReadModelOf([...rows.values()].flatMap((row) => (row ? [row] : [])));
  return { ...model, conference: model.conference ?? conference };
};

const eventsOf = (calendar: string): Map<string, VEvent> =>
  new Map(
    Object.values(ical.sync.parseICS(calendar))
      .filter((component): component is VEvent => component?.type === 'VEVENT')
      .map((event) => [event.uid, event]),
  );

/** The VTIMEZONE block the calendar carries for a zone, as text. */
const vtimezoneOf = (calendar: string, zone: string) =>
  calendar.match(new RegExp(`BEGIN:VTIMEZONE\\r\\nTZID:${zone}\\r\\n[\\s\\S]*?END:VTIMEZONE`))?.[0];

describe('agenda.ics', () => {
  const calendar = agendaCalendar(readModelOf());
  const events = eventsOf(calendar);

  it('has one VEVENT per session, cancelled ones included, each with a stable UID', () => {
    expect([...events.keys()].sort()).toEqual(
      ['ceremony', 'opening', 'panel', 'replacement', 'workshop'].map(calendarUid).sort(),
    );
    expect(calendarUid('opening')).toBe('opening@learning-cities');
  });

  it('marks a cancelled session STATUS:CANCELLED and the others CONFIRMED', () => {
    expect(events.get(calendarUid('panel'))?.status).toBe('CANCELLED');
    expect(events.get(calendarUid('replacement'))?.status).toBe('CONFIRMED');
  });

  it('raises SEQUENCE with each reschedule', () => {
    expect(Number(events.get(calendarUid('ceremony'))?.sequence)).toBe(2);
    expect(Number(events.get(calendarUid('opening'))?.sequence)).toBe(0);
  });

  it('gives DTSTART and DTEND in the conference’s time zone, with the offset of that date', () => {
    // 28 September 2015: Mexico City was on summer time (UTC−5) until 25 October that year.
    const opening = events.get(calendarUid('opening'));
    expect(opening?.start.tz).toBe('America/Mexico_City');
    expect(opening?.start.toISOString()).toBe('2015-09-28T14:00:00.000Z');
    expect(opening?.end?.toISOString()).toBe('2015-09-28T15:30:00.000Z');
    expect(calendar).toContain('DTSTART;TZID=America/Mexico_City:20150928T090000');
    const ceremony = events.get(calendarUid('ceremony'));
    expect(ceremony?.start.toISOString()).toBe('2015-09-29T20:00:00.000Z');
    expect(ceremony?.end?.toISOString()).toBe('2015-09-29T21:30:00.000Z');
  });

  it('carries the VTIMEZONE in force on the conference’s dates', () => {
    const zone = vtimezoneOf(calendar, 'America/Mexico_City');
    expect(zone).toMatch(
      /BEGIN:DAYLIGHT\r\nDTSTART:20150405T020000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500/,
    );
    expect(zone).not.toContain('STANDARD');
  });

  it('names the calendar after the conference and says where and who', () => {
    expect(calendar).toContain(`X-WR-CALNAME:${conference.name}`);
    const workshop = events.get(calendarUid('workshop'));
    expect(workshop?.location).toBe('Sala Manuel M. Ponce, Palacio de Bellas Artes');
    expect(workshop?.summary).toBe('Measuring learning cities');
    expect(workshop?.description).toContain('Arne Carlsen (UIL)');
  });

  it('stamps every entry in UTC and is the same text for the same agenda (a stable ETag)', () => {
    expect(calendar).toMatch(/DTSTAMP:\d{8}T\d{6}Z/);
    expect(agendaCalendar(readModelOf())).toBe(calendar);
  });

  it('is right across a clock change within the conference', () => {
    const berlin: Conference = {
      ...conference,
      conferenceId: 'b1',
      timezone: 'Europe/Berlin',
      startDate: '2025-10-24',
      endDate: '2025-10-27',
    };
    const session = (sessionId: string, date: string) => ({
      sessionId,
      title: sessionId,
      type: 'plenary' as const,
      date,
      start: '09:00',
      end: '10:00',
      room: 'Sala Principal',
      speakers: [],
      status: 'scheduled' as const,
      sequence: 0,
    });
    const text = agendaCalendar({
      conference: berlin,
      sessions: [session('friday', '2025-10-24'), session('monday', '2025-10-27')],
      awards: [],
      updatedAt: '2025-10-01T00:00:00.000Z',
    });
    const parsed = eventsOf(text);
    expect(parsed.get(calendarUid('friday'))?.start.toISOString()).toBe('2025-10-24T07:00:00.000Z');
    expect(parsed.get(calendarUid('monday'))?.start.toISOString()).toBe('2025-10-27T08:00:00.000Z');
    const zone = vtimezoneOf(text, 'Europe/Berlin');
    expect(zone).toMatch(
      /BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZOFFSETFROM:\+0100\r\nTZOFFSETTO:\+0200/,
    );
    expect(zone).toMatch(
      /BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:\+0200\r\nTZOFFSETTO:\+0100/,
    );
  });
});

describe('schedule.json', () => {
  const validate = c3vocScheduleValidator();
  const baseUrl = 'https://api.example.org/';
  const document = c3vocSchedule(readModelOf(), baseUrl);
  const days = document.schedule.conference.days;
  const scheduled = days.flatMap((day) => Object.values(day.rooms).flat());

  it('is valid against the c3voc schema', () => {
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('can fail: a document missing what the schema requires is refused', () => {
    const { conference: _conference, ...withoutConference } = document.schedule;
    expect(validate({ schedule: withoutConference })).toBe(false);
  });

  it('describes the conference: acronym, dates, days, rooms, time zone', () => {
    expect(document.schedule.conference).toMatchObject({
      acronym: 'iclc2015',
      title: conference.name,
      start: '2015-09-28',
      end: '2015-09-30',
      daysCount: 3,
      timeslot_duration: '00:15',
      time_zone_name: 'America/Mexico_City',
    });
    expect(document.schedule.conference.rooms.map((room) => room.name)).toEqual([
      'Sala Principal',
      'Sala Manuel M. Ponce',
    ]);
    expect(days.map((day) => [day.index, day.date, day.day_start, day.day_end])).toEqual([
      [1, '2015-09-28', '2015-09-28T09:00:00-05:00', '2015-09-28T17:00:00-05:00'],
      [2, '2015-09-29', '2015-09-29T09:00:00-05:00', '2015-09-29T17:00:00-05:00'],
      [3, '2015-09-30', '2015-09-30T09:00:00-05:00', '2015-09-30T17:00:00-05:00'],
    ]);
    for (const day of days)
      expect(Object.keys(day.rooms)).toEqual(['Sala Principal', 'Sala Manuel M. Ponce']);
  });

  it('leaves cancelled sessions out', () => {
    expect(scheduled.map((event) => event.title)).not.toContain('Panel: Cities and SDG 4');
    expect(scheduled).toHaveLength(4);
  });

  it('gives each session a stable guid and integer id, and its time with the offset', () => {
    const opening = scheduled.find((event) => event.guid === sessionGuid('opening'));
    expect(opening).toMatchObject({
      id: 1,
      date: '2015-09-28T09:00:00-05:00',
      end: '2015-09-28T10:30:00-05:00',
      start: '09:00',
      duration: '01:30',
      room: 'Sala Principal',
      slug: 'iclc2015-1-opening-plenary-building-sustainable-learning-cities',
      url: 'https://api.example.org/conferences/c1/agenda#opening',
      track: 'Policy',
      type: 'plenary',
      language: 'es',
      persons: [{ name: 'Aurelio Nuño Mayer' }],
    });
    expect(scheduled.map((event) => event.id).sort()).toEqual([1, 2, 4, 5]);
    expect(new Set(scheduled.map((event) => event.guid)).size).toBe(4);
    expect(c3vocSchedule(readModelOf(), baseUrl)).toEqual(document);
  });

  it('makes name-based UUIDs by RFC 9562 version 5', () => {
    // The RFC's own example: the DNS namespace and www.example.com.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('stays valid for a short acronym, odd times and a zone the schema’s pattern does not take', () => {
    const odd: Conference = { ...conference, acronym: 'LC', timezone: 'Etc/GMT+5' };
    const model = readModelOf();
    const sessions = model.sessions.map((session) => ({ ...session, start: '09:07', end: '09:52' }));
    const oddDocument = c3vocSchedule({ ...model, conference: odd, sessions }, baseUrl);
    expect(validate(oddDocument), JSON.stringify(validate.errors)).toBe(true);
    expect(oddDocument.schedule.conference).toMatchObject({ acronym: 'lc_2015', timeslot_duration: '00:01' });
    expect(oddDocument.schedule.conference).not.toHaveProperty('time_zone_name');
  });
});
