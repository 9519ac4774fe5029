import * as z from 'zod';
import { signatorySchema } from '../conference/events.js';
import { personalDataErased } from '../registration/events.js';
import { countryCode, isoDate, nameText, text } from '../shared/values.js';

/** What a delegate asks a consulate to be shown (CONTRACT section 4.4); every field is personal data. */
export const visaLetterRequestSchema = z.object({
  passportName: nameText(200),
  passportNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{5,20}$/, 'must be 5 to 20 letters or digits, as printed in the passport'),
  nationality: countryCode,
  dateOfBirth: isoDate,
  passportExpiresOn: isoDate,
  placeOfIssue: nameText(100).optional(),
});

export type VisaLetterRequest = z.infer<typeof visaLetterRequestSchema>;
export type { Signatory } from '../conference/events.js';

/** The personal part of VisaLetterIssued: printed on the letter, random, so it reveals nothing by itself. */
export const issuedPersonalSchema = z.object({ verificationCode: z.string().min(22) });
/** The personal part of VisaLetterDeclined: why, as the organizer wrote it to the delegate. */
export const declinedPersonalSchema = z.object({ reason: text(1000) });

/**
 * A visa letter event's personal part: sealed under the registration's data key (one opaque string),
 * opened (the fields), or the erased marker once that key is destroyed (domain/registration/events.ts).
 */
const sealedOr = <Opened extends z.ZodType>(opened: Opened) =>
  z.union([z.string().min(1), z.object({ unavailable: z.literal(personalDataErased.unavailable) }), opened]);

export const visaLetterEvents = {
  VisaLetterRequested: z.object({
    registrationId: z.string(),
    requestedAt: z.iso.datetime(),
    personal: sealedOr(visaLetterRequestSchema),
  }),
  VisaLetterIssued: z.object({
    registrationId: z.string(),
    issuedAt: z.iso.datetime(),
    signatory: signatorySchema,
    personal: sealedOr(issuedPersonalSchema),
  }),
  VisaLetterDeclined: z.object({
    registrationId: z.string(),
    declinedAt: z.iso.datetime(),
    personal: sealedOr(declinedPersonalSchema),
  }),
};

type DataOf<T extends keyof typeof visaLetterEvents> = z.infer<(typeof visaLetterEvents)[T]>;

export type VisaLetterEvent = {
  [T in keyof typeof visaLetterEvents]: { type: T; data: DataOf<T> };
}[keyof typeof visaLetterEvents];

export type VisaLetterEventType = keyof typeof visaLetterEvents;

export const visaLetterEventTypes = [
  'VisaLetterRequested',
  'VisaLetterIssued',
  'VisaLetterDeclined',
] as const satisfies readonly VisaLetterEventType[];
