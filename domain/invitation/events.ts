import * as z from 'zod';
import { delegateCategories, personalDataErased } from '../registration/events.js';
import { languageSchema } from '../shared/languages.js';
import { email, nameText } from '../shared/values.js';

/** The statuses of an invitation (CONTRACT 5.3). Only `sent` is live: it may be accepted, declined, reminded. */
export const invitationStatuses = ['sent', 'accepted', 'declined', 'expired', 'revoked'] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

/**
 * The invitee's personal data (CONTRACT 4.1: every field of a person): the address, the names and the
 * language the invitation is written in, and the conference-scoped MAC of the address (the email guard's
 * `emailKey`) that a registration's own MAC is compared with, never the address itself.
 */
export const inviteePersonalSchema = z.object({
  email,
  givenName: nameText(100).optional(),
  familyName: nameText(100).optional(),
  language: languageSchema.optional(),
  emailKey: z.string().min(1),
});
export type InviteePersonal = z.infer<typeof inviteePersonalSchema>;

/**
 * The personal part of InvitationSent: sealed under the invitation's own data key (an opaque string),
 * opened (the fields), or the erased marker once that key is destroyed.
 */
export const inviteePersonalPartSchema = z.union([
  z.string().min(1),
  z.object({ unavailable: z.literal(personalDataErased.unavailable) }),
  inviteePersonalSchema,
]);
export type InviteePersonalPart = z.infer<typeof inviteePersonalPartSchema>;

export const isOpenedInvitee = (part: InviteePersonalPart): part is InviteePersonal =>
  typeof part === 'object' && !('unavailable' in part);

export const invitationEvents = {
  InvitationSent: z.object({
    invitationId: z.string(),
    conferenceId: z.string(),
    category: z.enum(delegateCategories),
    /** The delegation the invitee would join (not personal data: a group, like the category). */
    delegationId: z.string().min(1).optional(),
    /** Registering with the code skips the `moderated` policy's `pending`. */
    skipModeration: z.boolean(),
    sentAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    personal: inviteePersonalPartSchema,
  }),
  InvitationReminded: z.object({ invitationId: z.string(), remindedAt: z.iso.datetime() }),
  /** The code was used by a registration: appended in the registration's own transaction. */
  InvitationAccepted: z.object({
    invitationId: z.string(),
    registrationId: z.string(),
    acceptedAt: z.iso.datetime(),
  }),
  InvitationDeclined: z.object({ invitationId: z.string(), declinedAt: z.iso.datetime() }),
  /** Its `expiresAt` passed while it was still `sent` (the retention schedule's daily run). */
  InvitationExpired: z.object({ invitationId: z.string(), expiredAt: z.iso.datetime() }),
  InvitationRevoked: z.object({ invitationId: z.string(), revokedAt: z.iso.datetime() }),
  /**
   * The invitee's personal data was erased: the invitation's data key is destroyed with this event (the
   * conference's retention, for an invitee who never registered; a registration made from the invitation
   * destroys it with its own PersonalDataErased instead).
   */
  InviteePersonalDataErased: z.object({
    invitationId: z.string(),
    erasedAt: z.iso.datetime(),
    erasedBy: z.enum(['retention']),
  }),
};

type DataOf<T extends keyof typeof invitationEvents> = z.infer<(typeof invitationEvents)[T]>;

export type InvitationEvent = {
  [T in keyof typeof invitationEvents]: { type: T; data: DataOf<T> };
}[keyof typeof invitationEvents];

export const invitationEventTypes = [
  'InvitationSent',
  'InvitationReminded',
  'InvitationAccepted',
  'InvitationDeclined',
  'InvitationExpired',
  'InvitationRevoked',
  'InviteePersonalDataErased',
] as const satisfies readonly (keyof typeof invitationEvents)[];

/** The events of an invitation the invitee is emailed about (the notifier; once per event). */
export const invitationNoticeOf: Partial<Record<string, 'invitation' | 'reminder'>> = {
  InvitationSent: 'invitation',
  InvitationReminded: 'reminder',
};

/**
 * The key holder of an invitation's personal data in the data keys table: its own, apart from any
 * registration's (the invitation comes first and may never lead to one).
 */
export const invitationKeyHolder = (invitationId: string) => `invitation#${invitationId}`;
