import * as z from 'zod';
import { optionalTranslatable, translatable } from '../shared/languages.js';
import { isoDate, optionalText, text, timeOfDay } from '../shared/values.js';

export const sessionTypes = ['plenary', 'parallel', 'workshop', 'ceremony', 'side-event', 'break'] as const;
export type SessionType = (typeof sessionTypes)[number];

export const speakerSchema = z.object({
  name: text(200),
  affiliation: optionalText(200),
});

export type Speaker = z.infer<typeof speakerSchema>;

/** A BCP 47 language tag such as `en`, `es` or `es-MX`. */
const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag, e.g. en or es-MX');

/** Where and when a session takes place: a room on one day of the conference, from `start` to `end`. */
export const slotSchema = z.object({
  date: isoDate,
  start: timeOfDay,
  end: timeOfDay,
  room: text(100),
});

export type Slot = z.infer<typeof slotSchema>;

/** What an organizer tells us when scheduling a session (CONTRACT section 2, session body). */
export const sessionDetailsSchema = z.object({
  title: translatable(300),
  type: z.enum(sessionTypes, { message: `must be one of ${sessionTypes.join(', ')}` }),
  ...slotSchema.shape,
  track: optionalText(100),
  abstract: optionalTranslatable(2000),
  language: languageTag.optional(),
  speakers: z.array(speakerSchema).max(30, 'a session has at most 30 speakers'),
});

export type SessionDetails = z.infer<typeof sessionDetailsSchema>;

/** A reschedule names any of the slot's fields; the others stay as they are. */
export const slotChangeSchema = slotSchema.partial();

export type SlotChange = z.infer<typeof slotChangeSchema>;

export const agendaEvents = {
  SessionScheduled: sessionDetailsSchema.extend({ sessionId: z.string(), conferenceId: z.string() }),
  /** The full new slot; `sequence` counts the reschedules of the session so far, this one included. */
  SessionRescheduled: slotSchema.extend({ sessionId: z.string(), sequence: z.number().int().min(1) }),
  SessionCancelled: z.object({ sessionId: z.string(), cancelledAt: z.iso.datetime() }),
};

type DataOf<T extends keyof typeof agendaEvents> = z.infer<(typeof agendaEvents)[T]>;

export type AgendaEvent = {
  [T in keyof typeof agendaEvents]: { type: T; data: DataOf<T> };
}[keyof typeof agendaEvents];

export const agendaEventTypes = [
  'SessionScheduled',
  'SessionRescheduled',
  'SessionCancelled',
] as const satisfies readonly (keyof typeof agendaEvents)[];
