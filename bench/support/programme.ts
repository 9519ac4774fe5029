import type { SessionDetails } from '../../domain/agenda/events.js';
import type { ConferenceDetails } from '../../domain/conference/events.js';
import { datesBetween } from '../../domain/shared/values.js';

/**
 * A large programme as an organizer would import it: `days` days, `rooms` rooms, sessions of 90 minutes
 * with a 30-minute change-over from 08:00 (five a room a day: 2,000 for 10 days in 40 rooms). Each session
 * has a speaker of its own, and each room's chair of the day speaks in all five of its sessions, so the
 * speaker-day items are shared by bookings sent at the same time as well as the room-day items.
 */
export const programmeConference = (days: number, rooms: number): ConferenceDetails => ({
  name: 'World Congress of Learning Cities',
  acronym: 'WCLC2026',
  city: 'Cork',
  country: 'IE',
  venue: 'City Hall',
  timezone: 'Europe/Dublin',
  startDate: '2026-06-01',
  endDate: new Date(Date.UTC(2026, 5, days)).toISOString().slice(0, 10),
  dailyStart: '08:00',
  dailyEnd: '18:00',
  capacity: 5_000,
  rooms: Array.from({ length: rooms }, (_, index) => ({ name: `Room ${index + 1}`, capacity: 200 })),
});

const SLOTS = [
  ['08:00', '09:30'],
  ['10:00', '11:30'],
  ['12:00', '13:30'],
  ['14:00', '15:30'],
  ['16:00', '17:30'],
] as const;

/** The sessions in programme order: day by day, slot by slot, room by room. */
export const programmeSessions = (conference: ConferenceDetails): SessionDetails[] =>
  datesBetween(conference.startDate, conference.endDate).flatMap((date, day) =>
    SLOTS.flatMap(([start, end], slot) =>
      conference.rooms.map((room, index) => ({
        title: `Session ${day + 1}.${slot + 1}.${index + 1}: learning in the city`,
        type: 'parallel' as const,
        date,
        start,
        end,
        room: room.name,
        track: `Track ${(index % 8) + 1}`,
        abstract: 'How a city makes learning part of every neighbourhood, from libraries to workplaces.',
        language: 'en',
        speakers: [
          { name: `Speaker ${day + 1}-${slot + 1}-${index + 1}`, affiliation: 'City of Learning' },
          { name: `Chair of ${room.name} on day ${day + 1}` },
        ],
      })),
    ),
  );
