import ical, { ICalEventStatus } from 'ical-generator';
import type { Conference } from '../../../domain/conference/decider.js';
import {
  type AgendaReadModel,
  byStartThenRoom,
  type LocalizedSession,
  localizedAgenda,
} from '../../../domain/projections/agenda.js';
import type { Language } from '../../../domain/shared/languages.js';
import { vtimezone, zonedDateTime } from './time-zones.js';

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';

/** Stable across reschedules, so calendar clients update the entry they have. */
export const calendarUid = (sessionId: string) => `${sessionId}@learning-cities`;

const describeSession = (session: LocalizedSession): string =>
  [
    session.speakers.length > 0
      ? `Speakers: ${session.speakers
          .map((speaker) => (speaker.affiliation ? `${speaker.name} (${speaker.affiliation})` : speaker.name))
          .join('; ')}`
      : undefined,
    session.track ? `Track: ${session.track}` : undefined,
    session.abstract,
  ]
    .filter((part) => part !== undefined)
    .join('\n\n');

/**
 * The agenda as an RFC 5545 calendar: one VEVENT per session (cancelled ones with STATUS:CANCELLED), in
 * the conference's time zone with its VTIMEZONE, SEQUENCE counting the reschedules. The output is a
 * function of the read model alone (DTSTAMP is when the agenda last changed), so its ETag is stable.
 */
export const agendaCalendar = (
  agenda: AgendaReadModel & { conference: Conference },
  language?: Language,
): string => {
  const model = localizedAgenda(agenda, language);
  const { conference } = model;
  const calendar = ical({
    name: conference.name,
    prodId: { company: 'learning-cities', product: 'agenda', language: (language ?? 'en').toUpperCase() },
    // No calendar-wide zone name: DTSTAMP stays in UTC; each event names its zone and gets its VTIMEZONE.
    timezone: { name: null, generator: (zone) => vtimezone(zone, conference.startDate, conference.endDate) },
  });
  const stamp = model.updatedAt ?? new Date(0).toISOString();
  for (const session of [...model.sessions].sort(byStartThenRoom)) {
    calendar.createEvent({
      id: calendarUid(session.sessionId),
      sequence: session.sequence,
      stamp,
      start: zonedDateTime(session.date, session.start, conference.timezone),
      end: zonedDateTime(session.date, session.end, conference.timezone),
      timezone: conference.timezone,
      summary: session.title,
      location: `${session.room}, ${conference.venue}`,
      description: describeSession(session) || null,
      categories: [{ name: session.type }],
      status: session.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
};
