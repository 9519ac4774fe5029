import * as z from 'zod';
import { countryCode, instant, isoDate, text, timeOfDay, timeZone } from '../shared/values.js';

export const roomSchema = z.object({
  name: text(100),
  capacity: z.number().int().min(1).max(100_000).optional(),
});

/** Who signs the conference's visa invitation letters (CONTRACT section 4.4). */
export const signatorySchema = z.object({ name: text(200), title: text(200) });

/** The settings an organizer may change after creating the conference (CONTRACT section 4.2). */
export const conferenceSettingsFields = {
  /** Registrations before it are refused (409). */
  registrationOpensAt: instant.optional(),
  /** Registrations after it are refused (409); not before registrationOpensAt. */
  registrationClosesAt: instant.optional(),
  /** Until when delegates may correct their own details (organizers always may). */
  editableUntil: instant.optional(),
  visaLetterSignatory: signatorySchema.optional(),
};

export const conferenceDetailsSchema = z.object({
  name: text(200),
  acronym: text(32),
  city: text(100),
  country: countryCode,
  venue: text(200),
  timezone: timeZone,
  startDate: isoDate,
  endDate: isoDate,
  dailyStart: timeOfDay,
  dailyEnd: timeOfDay,
  capacity: z.number().int().min(1).max(1_000_000),
  rooms: z.array(roomSchema).min(1).max(100),
  theme: text(300).optional(),
  /** Days after endDate until every registration's personal data is erased (CONTRACT section 4.1). */
  personalDataRetentionDays: z.number().int().min(1).max(36_500).optional(),
  ...conferenceSettingsFields,
});

export const DEFAULT_PERSONAL_DATA_RETENTION_DAYS = 365;

export type ConferenceDetails = z.infer<typeof conferenceDetailsSchema>;
export type Room = z.infer<typeof roomSchema>;
export type Signatory = z.infer<typeof signatorySchema>;

export const conferenceEvents = {
  ConferenceCreated: conferenceDetailsSchema.extend({ conferenceId: z.string() }),
};

export type ConferenceCreated = {
  type: 'ConferenceCreated';
  data: z.infer<typeof conferenceEvents.ConferenceCreated>;
};
export type ConferenceEvent = ConferenceCreated;

export const conferenceEventTypes = [
  'ConferenceCreated',
] as const satisfies readonly (keyof typeof conferenceEvents)[];
