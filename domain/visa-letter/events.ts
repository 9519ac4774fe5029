import * as z from 'zod';
import { countryCode, isoDate, text } from '../shared/values.js';

/** What a delegate asks a consulate to be shown (CONTRACT section 4.4); every field is personal data. */
export const visaLetterRequestSchema = z.object({
  passportName: text(200),
  passportNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{5,20}$/, 'must be 5 to 20 letters or digits, as printed in the passport'),
  nationality: countryCode,
  dateOfBirth: isoDate,
  passportExpiresOn: isoDate,
  placeOfIssue: text(100).optional(),
});

export type VisaLetterRequest = z.infer<typeof visaLetterRequestSchema>;

export const signatorySchema = z.object({ name: text(200), title: text(200) });
export type Signatory = z.infer<typeof signatorySchema>;

export const visaLetterEvents = {
  VisaLetterRequested: visaLetterRequestSchema.extend({
    registrationId: z.string(),
    requestedAt: z.iso.datetime(),
  }),
  VisaLetterIssued: z.object({
    registrationId: z.string(),
    issuedAt: z.iso.datetime(),
    signatory: signatorySchema,
    /** Printed on the letter for consulates: random, so it reveals nothing and cannot be guessed. */
    verificationCode: z.string().min(16),
  }),
  VisaLetterDeclined: z.object({
    registrationId: z.string(),
    declinedAt: z.iso.datetime(),
    reason: text(1000),
  }),
};

type DataOf<T extends keyof typeof visaLetterEvents> = z.infer<(typeof visaLetterEvents)[T]>;

export type VisaLetterEvent = {
  [T in keyof typeof visaLetterEvents]: { type: T; data: DataOf<T> };
}[keyof typeof visaLetterEvents];

export const visaLetterEventTypes = [
  'VisaLetterRequested',
  'VisaLetterIssued',
  'VisaLetterDeclined',
] as const satisfies readonly (keyof typeof visaLetterEvents)[];
