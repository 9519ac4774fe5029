import { createHash } from 'node:crypto';
import type { Conference as StoredConference } from '../../../domain/conference/decider.js';
import {
  type AgendaReadModel,
  type LocalizedSession as AgendaSession,
  byStartThenRoom,
  type LocalizedConference as Conference,
  localizedAgenda,
} from '../../../domain/projections/agenda.js';
import type { Language } from '../../../domain/shared/languages.js';
import { datesBetween, minutesOf } from '../../../domain/shared/values.js';
import { withOffset, zonedDateTime } from './time-zones.js';

/**
 * The schedule format that frab and pretalx export and schedule clients (apps, video teams) read, as the
 * c3voc schema writes it down (https://c3voc.de/schedule/schema.json). Cancelled sessions are left out.
 */

const RFC_4122_URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** A name-based UUID (RFC 9562 version 5, SHA-1): the same name in the same namespace, the same UUID. */
export const uuidV5 = (name: string, namespace: string): string => {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
};

const SCHEDULE_NAMESPACE = uuidV5('https://learning-cities.dev/schedule', RFC_4122_URL_NAMESPACE);

/** The session's guid in schedule.json: stable, derived from its id. */
export const sessionGuid = (sessionId: string) => uuidV5(`session/${sessionId}`, SCHEDULE_NAMESPACE);
const roomGuid = (conferenceId: string, room: string) =>
  uuidV5(`room/${conferenceId}/${room}`, SCHEDULE_NAMESPACE);

const asciiWords = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

const slugOf = (text: string, maxLength = 60) =>
  asciiWords(text)
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');

/** The schema's acronym: lower case letters, digits and `_`, at least four characters. */
const scheduleAcronym = (conference: Conference): string => {
  const acronym = asciiWords(conference.acronym).replace(/[^a-z0-9_]/g, '_');
  return acronym.length >= 4 ? acronym : `${acronym}_${conference.startDate.slice(0, 4)}`;
};

/** The schema's time zone pattern only admits `Area/Location` names and UTC; others are left out. */
const SCHEMA_TIME_ZONE = /^([A-Z][a-z]+\/[A-Z][a-z]+)|UTC$/;

const hoursAndMinutes = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const greatestCommonDivisor = (a: number, b: number): number =>
  b === 0 ? a : greatestCommonDivisor(b, a % b);

/** The grid the sessions fit on: 15 minutes, or finer when a session starts or ends between its lines. */
const timeslotMinutes = (conference: Conference, sessions: readonly AgendaSession[]) =>
  [conference.dailyStart, ...sessions.flatMap((session) => [session.start, session.end])]
    .map((time) => minutesOf(time) % 60)
    .reduce(greatestCommonDivisor, 15);

interface ScheduleContext {
  conference: Conference;
  acronym: string;
  baseUrl: string;
  /** A session's stable integer id: its place in the order sessions were scheduled, from 1. */
  ordinal: Map<string, number>;
}

const scheduleEvent = (session: AgendaSession, context: ScheduleContext) => {
  const { conference } = context;
  const id = context.ordinal.get(session.sessionId) ?? 0;
  const start = zonedDateTime(session.date, session.start, conference.timezone);
  const end = zonedDateTime(session.date, session.end, conference.timezone);
  return {
    guid: sessionGuid(session.sessionId),
    id,
    date: withOffset(start),
    start: session.start,
    end: withOffset(end),
    duration: hoursAndMinutes(minutesOf(session.end) - minutesOf(session.start)),
    room: session.room,
    slug: [context.acronym.replace(/_+$/, ''), id, slugOf(session.title)].filter(Boolean).join('-'),
    url: `${context.baseUrl}conferences/${conference.conferenceId}/agenda#${session.sessionId}`,
    title: session.title,
    subtitle: null,
    track: session.track ?? null,
    type: session.type,
    language: session.language ?? null,
    abstract: session.abstract ?? null,
    description: null,
    persons: session.speakers.map((speaker) => ({ name: speaker.name })),
    links: [],
    attachments: [],
  };
};

/** schedule.json of a conference; `baseUrl` is where the API is served, for the sessions' links. */
export const c3vocSchedule = (
  agenda: AgendaReadModel & { conference: StoredConference },
  baseUrl: string,
  language?: Language,
) => {
  const model = localizedAgenda(agenda, language);
  const { conference } = model;
  const sessions = model.sessions.filter((session) => session.status !== 'cancelled').sort(byStartThenRoom);
  const context: ScheduleContext = {
    conference,
    acronym: scheduleAcronym(conference),
    baseUrl,
    ordinal: new Map(model.sessions.map((session, index) => [session.sessionId, index + 1])),
  };
  const dates = datesBetween(conference.startDate, conference.endDate);
  return {
    $schema: 'https://c3voc.de/schedule/schema.json',
    generator: { name: 'learning-cities', version: '1' },
    schedule: {
      version: model.updatedAt ?? 'empty',
      base_url: baseUrl,
      conference: {
        acronym: context.acronym,
        title: conference.name,
        start: conference.startDate,
        end: conference.endDate,
        daysCount: dates.length,
        timeslot_duration: hoursAndMinutes(timeslotMinutes(conference, sessions)),
        ...(SCHEMA_TIME_ZONE.test(conference.timezone) ? { time_zone_name: conference.timezone } : {}),
        rooms: conference.rooms.map((room) => ({
          name: room.name,
          guid: roomGuid(conference.conferenceId, room.name),
          ...(room.capacity === undefined ? {} : { capacity: room.capacity }),
        })),
        days: dates.map((date, index) => ({
          index: index + 1,
          date,
          day_start: withOffset(zonedDateTime(date, conference.dailyStart, conference.timezone)),
          day_end: withOffset(zonedDateTime(date, conference.dailyEnd, conference.timezone)),
          rooms: Object.fromEntries(
            conference.rooms.map((room) => [
              room.name,
              sessions
                .filter((session) => session.date === date && session.room === room.name)
                .map((session) => scheduleEvent(session, context)),
            ]),
          ),
        })),
      },
    },
  };
};
