import * as z from 'zod';
import { countryCode, email, optionalText, text } from '../shared/values.js';

export const delegateCategories = [
  'political-leader',
  'mayor',
  'education-executive',
  'civil-society',
  'academic',
  'private-sector',
  'international-organization',
  'media',
  'other',
] as const;

export type DelegateCategory = (typeof delegateCategories)[number];

/** What a delegate tells us when registering (CONTRACT section 2, registration body). */
export const delegateSchema = z.object({
  givenName: text(100),
  familyName: text(100),
  email,
  country: countryCode,
  city: text(100),
  organization: optionalText(200),
  category: z.enum(delegateCategories, { message: `must be one of ${delegateCategories.join(', ')}` }),
});

export type Delegate = z.infer<typeof delegateSchema>;

const admitted = delegateSchema.extend({
  registrationId: z.string(),
  conferenceId: z.string(),
  /** SHA-256 of the manage token: the token itself is never stored. */
  manageTokenHash: z.string(),
  registeredAt: z.iso.datetime(),
});

export const registrationStatuses = ['registered', 'waitlisted', 'checked-in', 'cancelled'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

export const registrationEvents = {
  DelegateRegistered: admitted,
  DelegateWaitlisted: admitted,
  WaitlistedDelegatePromoted: z.object({ registrationId: z.string(), promotedAt: z.iso.datetime() }),
  RegistrationCancelled: z.object({
    registrationId: z.string(),
    cancelledAt: z.iso.datetime(),
    previousStatus: z.enum(['registered', 'waitlisted', 'checked-in']),
    cancelledBy: z.enum(['delegate', 'organizer']),
  }),
  DelegateCheckedIn: z.object({ registrationId: z.string(), checkedInAt: z.iso.datetime() }),
};

type DataOf<T extends keyof typeof registrationEvents> = z.infer<(typeof registrationEvents)[T]>;

export type RegistrationEvent = {
  [T in keyof typeof registrationEvents]: { type: T; data: DataOf<T> };
}[keyof typeof registrationEvents];

export const registrationEventTypes = [
  'DelegateRegistered',
  'DelegateWaitlisted',
  'WaitlistedDelegatePromoted',
  'RegistrationCancelled',
  'DelegateCheckedIn',
] as const satisfies readonly (keyof typeof registrationEvents)[];
