import * as z from 'zod';
import { delegateSchema } from '../registration/events.js';
import { countryCode, email, nameText } from '../shared/values.js';

/**
 * A delegation (CONTRACT 5.3): a city's or a country's group at a conference, with a quota of members and
 * a focal point who invites them, names the head of delegation and substitutes a member. Its name,
 * country, organization, quota and credentials status are not personal data (a group, like a category);
 * the focal point is, and is sealed in `personal` under the delegation's own data key.
 */

export const credentialsStatuses = ['pending', 'received', 'verified'] as const;
export type CredentialsStatus = (typeof credentialsStatuses)[number];

/** The most members a delegation may have: a quota above it is a typo, not a delegation. */
export const MAX_QUOTA = 1000;

export const quotaSchema = z
  .number({ message: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_QUOTA, `must be at most ${MAX_QUOTA}`);

/** The focal point as the organizer names them: personal data. */
export const focalPointSchema = z
  .object({
    email,
    givenName: nameText(100),
    familyName: nameText(100),
    /** The language of the focal point's email: one of the conference's (its default when absent). */
    language: delegateSchema.shape.language,
  })
  .strict();
export type FocalPoint = z.infer<typeof focalPointSchema>;

/** What an organizer gives to create a delegation (the body of `POST .../delegations`). */
export const delegationDetailsSchema = z
  .object({
    name: nameText(200),
    country: countryCode.optional(),
    organization: nameText(200).optional(),
    quota: quotaSchema,
    focalPoint: focalPointSchema,
  })
  .strict();
export type DelegationDetails = z.infer<typeof delegationDetailsSchema>;

/** Sealed (an opaque string), opened (the focal point), or erased (the marker). */
export const focalPointPartSchema = z.union([
  z.string().min(1),
  z.object({ unavailable: z.literal('erased') }),
  focalPointSchema,
]);

export const delegationEvents = {
  DelegationCreated: z.object({
    delegationId: z.string(),
    conferenceId: z.string(),
    name: nameText(200),
    country: countryCode.optional(),
    organization: nameText(200).optional(),
    quota: quotaSchema,
    createdAt: z.iso.datetime(),
    personal: focalPointPartSchema,
  }),
  /** The quota changed: `previous` is what it was, `members` the places held when it was changed. */
  DelegationQuotaChanged: z.object({
    delegationId: z.string(),
    quota: quotaSchema,
    previous: quotaSchema,
    changedAt: z.iso.datetime(),
  }),
  HeadOfDelegationNamed: z.object({
    delegationId: z.string(),
    registrationId: z.string(),
    namedAt: z.iso.datetime(),
  }),
  DelegationCredentialsChanged: z.object({
    delegationId: z.string(),
    status: z.enum(credentialsStatuses),
    changedAt: z.iso.datetime(),
  }),
  /** The member's registration was cancelled and the substitute invited, in one transaction. */
  DelegationMemberSubstituted: z.object({
    delegationId: z.string(),
    registrationId: z.string(),
    invitationId: z.string(),
    substitutedAt: z.iso.datetime(),
  }),
  /**
   * The focal point's personal data was erased (the conference's retention): the delegation's data key is
   * destroyed with this event. The delegation itself (a group, not a person) stays.
   */
  FocalPointPersonalDataErased: z.object({
    delegationId: z.string(),
    erasedAt: z.iso.datetime(),
    erasedBy: z.enum(['retention']),
  }),
};

/**
 * The events that make a delegation's data key (its focal point's): the key's subject is
 * `delegation-<delegationId>` (dataKeySubjectOf in functions/shared/personal-data/codec.ts), never a
 * registration's, so erasing a member never touches it.
 */
export const delegationBeginnings: readonly string[] = ['DelegationCreated'];

type DataOf<T extends keyof typeof delegationEvents> = z.infer<(typeof delegationEvents)[T]>;

export type DelegationEvent = {
  [T in keyof typeof delegationEvents]: { type: T; data: DataOf<T> };
}[keyof typeof delegationEvents];

export const delegationEventTypes = [
  'DelegationCreated',
  'DelegationQuotaChanged',
  'HeadOfDelegationNamed',
  'DelegationCredentialsChanged',
  'DelegationMemberSubstituted',
  'FocalPointPersonalDataErased',
] as const satisfies readonly (keyof typeof delegationEvents)[];
