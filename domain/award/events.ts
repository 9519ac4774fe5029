import * as z from 'zod';
import { optionalTranslatable } from '../shared/languages.js';
import { countryCode, text } from '../shared/values.js';

/** What an organizer tells us when granting an award (CONTRACT section 2, award body). */
export const awardGrantSchema = z.object({
  award: text(200),
  year: z
    .number({ message: 'must be a year from 1900 to 2100' })
    .int('must be a whole year')
    .min(1900, 'must be a year from 1900 to 2100')
    .max(2100, 'must be a year from 1900 to 2100'),
  city: text(100),
  country: countryCode,
  citation: optionalTranslatable(2000),
  /** The session of this conference's agenda in which the award is presented. */
  sessionId: z
    .string()
    .regex(/^[\w-]{1,64}$/, 'must be the id of a session of this conference')
    .optional(),
});

export type AwardGrant = z.infer<typeof awardGrantSchema>;

export const awardEvents = {
  AwardGranted: awardGrantSchema.extend({
    awardId: z.string(),
    conferenceId: z.string(),
    grantedAt: z.iso.datetime(),
  }),
};

export type GrantedAward = z.infer<typeof awardEvents.AwardGranted>;
export type AwardGranted = { type: 'AwardGranted'; data: GrantedAward };
export type AwardEvent = AwardGranted;

export const awardEventTypes = ['AwardGranted'] as const satisfies readonly (keyof typeof awardEvents)[];
