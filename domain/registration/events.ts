import * as z from 'zod';
import { languageSchema, translatable } from '../shared/languages.js';
import { nameOrders } from '../shared/names.js';
import { countryCode, email, nameText } from '../shared/values.js';

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

const LATIN = /^[\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]*$/u;
/** A name in Latin letters (accents allowed), as a passport's machine-readable zone transliterates it. */
const latinText = (max: number) =>
  nameText(max).refine((name) => LATIN.test(name), 'must be in Latin letters');

/** What a delegate tells us when registering (CONTRACT section 2, registration body). */
export const delegateSchema = z.object({
  givenName: nameText(100),
  familyName: nameText(100),
  email,
  country: countryCode,
  city: nameText(100),
  organization: nameText(200).optional(),
  category: z.enum(delegateCategories, { message: `must be one of ${delegateCategories.join(', ')}` }),
  /** One of the conference's languages (CONTRACT 5.4); its default language when not given. */
  language: languageSchema.optional(),
  /** The name as in the passport, in Latin letters, beside a name in another script. */
  latinName: z
    .object({
      givenName: latinText(100),
      familyName: latinText(100),
    })
    .strict()
    .optional(),
  /** The order the name is written in; by default family name first for a Chinese, Japanese or Korean name. */
  nameOrder: z.enum(nameOrders, { message: `must be one of ${nameOrders.join(', ')}` }).optional(),
  /** Whether the delegate agrees to be named in the public List of Participants (CONTRACT 5.3); default false. */
  consentToPublish: z.boolean({ message: 'must be true or false' }).optional(),
});

export type Delegate = z.infer<typeof delegateSchema>;

/** The fields of a delegate that are personal data (CONTRACT sections 4.1 and 5: every new field of a person). */
export const personalFieldNames = [
  'givenName',
  'familyName',
  'email',
  'city',
  'organization',
  'language',
  'latinName',
  'nameOrder',
  'consentToPublish',
] as const;

/**
 * The personal part of a registration event: the delegate's personal fields and the two values derived
 * from secrets (the email guard's HMAC and the manage token's hash). The event store keeps it encrypted
 * under the registration's data key: stored and published, `personal` is one opaque string.
 */
export const delegatePersonalSchema = delegateSchema
  .pick({
    givenName: true,
    familyName: true,
    email: true,
    city: true,
    organization: true,
    language: true,
    latinName: true,
    nameOrder: true,
    consentToPublish: true,
  })
  .extend({
    /** HMAC of the normalized email: the key of the one-active-registration-per-email guard. */
    emailKey: z.string().min(1).optional(),
    /** SHA-256 of the manage token: the token itself is never stored. */
    manageTokenHash: z.string().min(1),
    /** The answers to the registration form's fields that are not sensitive (CONTRACT 5.2), by fieldId. */
    answers: z.record(z.string(), z.unknown()).optional(),
    /** What the answers-summary counts of them (domain/registration-form/evaluate.ts answerTallies). */
    tallies: z.array(z.string()).optional(),
  });

export type DelegatePersonal = z.infer<typeof delegatePersonalSchema>;

/** What an opened event holds instead of the personal part once the registration was erased. */
export const personalDataErased = { unavailable: 'erased' } as const;
export type PersonalDataErasedMarker = typeof personalDataErased;

/** Sealed (an opaque string), opened (the fields), or erased (the marker). */
export const personalPartSchema = z.union([
  z.string().min(1),
  z.object({ unavailable: z.literal('erased') }),
  delegatePersonalSchema,
]);
export type PersonalPart = z.infer<typeof personalPartSchema>;

export const isOpenedPersonal = (part: PersonalPart): part is DelegatePersonal =>
  typeof part === 'object' && !('unavailable' in part);

/**
 * The personal part of DelegateDetailsChanged, opened: only the fields that changed (their new values),
 * and the email guard's new key when the email changed.
 */
export const changedPersonalSchema = z
  .object({
    givenName: delegateSchema.shape.givenName.optional(),
    familyName: delegateSchema.shape.familyName.optional(),
    email: delegateSchema.shape.email.optional(),
    city: delegateSchema.shape.city.optional(),
    organization: delegateSchema.shape.organization,
    language: delegateSchema.shape.language,
    latinName: delegateSchema.shape.latinName,
    nameOrder: delegateSchema.shape.nameOrder,
    consentToPublish: delegateSchema.shape.consentToPublish,
    emailKey: z.string().min(1).optional(),
    /** The new answers (not sensitive) when the correction gave answers: the whole set, by fieldId. */
    answers: z.record(z.string(), z.unknown()).optional(),
    tallies: z.array(z.string()).optional(),
  })
  .strict();

export type ChangedPersonal = z.infer<typeof changedPersonalSchema>;

export const changedPersonalPartSchema = z.union([
  z.string().min(1),
  z.object({ unavailable: z.literal('erased') }),
  changedPersonalSchema,
]);
export type ChangedPersonalPart = z.infer<typeof changedPersonalPartSchema>;

export const isOpenedChange = (part: ChangedPersonalPart): part is ChangedPersonal =>
  typeof part === 'object' && !('unavailable' in part);

/** Whether an event (as decided, or read opened) holds personal data in plaintext. */
export const carriesPlainPersonalData = (event: { type: string; data: unknown }): boolean => {
  const personal = (event.data as { personal?: PersonalPart } | undefined)?.personal;
  return personal !== undefined && isOpenedPersonal(personal);
};

/**
 * The answers of sensitive fields (diet, health, access needs; CONTRACT 5.2): sealed under the
 * registration's second data key (an opaque string), opened (the answers by fieldId), or erased (the
 * marker: the registration's erasure or the sensitive answers' own retention destroyed that key).
 */
export const sensitivePartSchema = z.union([
  z.string().min(1),
  z.object({ unavailable: z.literal('erased') }),
  z.record(z.string(), z.unknown()),
]);
export type SensitivePart = z.infer<typeof sensitivePartSchema>;

/** The key of the sensitive part that holds its tallies: never a field id (those start with a letter). */
export const SENSITIVE_TALLIES = '#tallies';

export const isOpenedSensitive = (part: SensitivePart | undefined): part is Record<string, unknown> =>
  typeof part === 'object' && !('unavailable' in part && part.unavailable === 'erased');

/**
 * The limited options a registration holds, as `fieldId/optionId` (CONTRACT 5.2): not personal data (like
 * category), since the guards of the limits are taken and released from it without opening anything.
 */
const limitedOptions = z.array(z.string().min(3));

export const optionKey = (fieldId: string, optionId: string) => `${fieldId}/${optionId}`;

const admitted = z.object({
  registrationId: z.string(),
  conferenceId: z.string(),
  country: delegateSchema.shape.country,
  category: delegateSchema.shape.category,
  registeredAt: z.iso.datetime(),
  /** The shard of the conference's seat pool the seat was taken from (DelegateRegistered only). */
  seatShard: z.number().int().nonnegative().optional(),
  personal: personalPartSchema,
  /** The version of the registration form the answers were given to; absent without a form. */
  formVersion: z.number().int().min(1).optional(),
  limitedOptions: limitedOptions.optional(),
  sensitive: sensitivePartSchema.optional(),
  /** The invitation whose code admitted it (CONTRACT 5.3), and the delegation that invitation was for. */
  invitationId: z.string().min(1).optional(),
  delegationId: z.string().min(1).optional(),
});

export const registrationStatuses = [
  'registered',
  'waitlisted',
  'checked-in',
  'cancelled',
  'erased',
  /** A moderated category's registration awaiting an organizer's decision (CONTRACT 5.3): no seat. */
  'pending',
  /** A moderated category's registration an organizer rejected: no seat, final. */
  'rejected',
] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

export const erasedByValues = ['delegate', 'organizer', 'retention'] as const;

/** Why an organizer rejected a pending registration (CONTRACT 5.3). */
export const rejectionReasonCodes = ['not-eligible', 'duplicate', 'capacity', 'other'] as const;
export type RejectionReasonCode = (typeof rejectionReasonCodes)[number];

/** The optional message of a rejection, opened: a text in the default language or one per language (5.4). */
export const rejectionPersonalSchema = z.object({ message: translatable(2000).optional() }).strict();
export type RejectionPersonal = z.infer<typeof rejectionPersonalSchema>;

export const registrationEvents = {
  DelegateRegistered: admitted,
  DelegateWaitlisted: admitted,
  /** A moderated category's registration (CONTRACT 5.3): it holds no seat until an organizer approves it. */
  RegistrationPending: admitted,
  /** An organizer approved a pending registration: it took a seat (`seatShard`) or a waitlist place then. */
  RegistrationApproved: z.object({
    registrationId: z.string(),
    approvedAt: z.iso.datetime(),
    status: z.enum(['registered', 'waitlisted']),
    seatShard: z.number().int().nonnegative().optional(),
  }),
  /** An organizer rejected a pending registration; the optional message is sealed in `personal`. */
  RegistrationRejected: z.object({
    registrationId: z.string(),
    rejectedAt: z.iso.datetime(),
    reasonCode: z.enum(rejectionReasonCodes),
    personal: z.union([
      z.string().min(1),
      z.object({ unavailable: z.literal('erased') }),
      rejectionPersonalSchema,
    ]),
    /**
     * The languages the message has its own text in (a map's keys; a plain string is the conference's
     * default language then), in plaintext: no personal data, so `translations/missing` can list the
     * message without opening it. Absent without a message, and in events written before it existed.
     */
    messageLanguages: z.array(languageSchema).min(1).optional(),
  }),
  WaitlistedDelegatePromoted: z.object({
    registrationId: z.string(),
    promotedAt: z.iso.datetime(),
    /** The shard of the conference's seat pool the seat was taken from. */
    seatShard: z.number().int().nonnegative().optional(),
  }),
  RegistrationCancelled: z.object({
    registrationId: z.string(),
    cancelledAt: z.iso.datetime(),
    previousStatus: z.enum(['registered', 'waitlisted', 'checked-in', 'pending']),
    cancelledBy: z.enum(['delegate', 'organizer', 'retention']),
  }),
  DelegateCheckedIn: z.object({ registrationId: z.string(), checkedInAt: z.iso.datetime() }),
  /** Details corrected: country and category (new values) only when they changed; `previous` always. */
  DelegateDetailsChanged: z.object({
    registrationId: z.string(),
    changedAt: z.iso.datetime(),
    changedBy: z.enum(['delegate', 'organizer']),
    country: delegateSchema.shape.country.optional(),
    category: delegateSchema.shape.category.optional(),
    previous: z.object({ country: delegateSchema.shape.country, category: delegateSchema.shape.category }),
    personal: changedPersonalPartSchema,
    /** With new answers: the form version they were given to, the limited options held now, the sensitive ones. */
    formVersion: z.number().int().min(1).optional(),
    limitedOptions: limitedOptions.optional(),
    sensitive: sensitivePartSchema.optional(),
  }),
  /** The sensitive answers' own retention (or an organizer) destroyed the registration's second data key. */
  SensitiveAnswersErased: z.object({
    registrationId: z.string(),
    erasedAt: z.iso.datetime(),
    erasedBy: z.enum(['retention', 'organizer']),
  }),
  /**
   * The owner of the address asked for a new manage link (CONTRACT 5.1): the new token's hash replaces the
   * old one, so the old token stops working. The hash is in the sealed personal part, never published.
   */
  ManageTokenReplaced: z.object({
    registrationId: z.string(),
    replacedAt: z.iso.datetime(),
    personal: z.union([
      z.string().min(1),
      z.object({ unavailable: z.literal('erased') }),
      z.object({ manageTokenHash: z.string().min(1) }).strict(),
    ]),
  }),
  /** The registration's data key is destroyed with this event: its personal data can never be read again. */
  PersonalDataErased: z.object({
    registrationId: z.string(),
    erasedAt: z.iso.datetime(),
    erasedBy: z.enum(erasedByValues),
    /** The invitation the registration was made from: its invitee's data key is destroyed with it. */
    invitationId: z.string().min(1).optional(),
  }),
};

/** The events that begin a registration: its data key is made when one of them is written. */
export const registrationBeginnings: readonly string[] = [
  'DelegateRegistered',
  'DelegateWaitlisted',
  'RegistrationPending',
];

/**
 * Event types whose data carries a personal part (`personal`, with the `registrationId` whose key seals
 * it), and the version of its field set (bound into the AAD). Another event of a registration with
 * personal fields (details changed, a visa letter request) is listed here and sealed under the same key.
 */
/** Events of a registration's other streams whose data has a personal part (domain/visa-letter/events.ts). */
type PersonalEventOfOtherStreams =
  | 'VisaLetterRequested'
  | 'VisaLetterIssued'
  | 'VisaLetterDeclined'
  // A delegation's focal point, sealed under the delegation's own key (domain/delegation/events.ts).
  | 'DelegationCreated'
  // The invitee's address and names (stream invitation-<invitationId>, under the invitation's own key).
  | 'InvitationSent';

export const personalFieldSets: Partial<
  Record<keyof typeof registrationEvents | PersonalEventOfOtherStreams, number>
> = {
  DelegateRegistered: 1,
  DelegateWaitlisted: 1,
  RegistrationPending: 1,
  // The rejection's optional message to the delegate.
  RegistrationRejected: 1,
  // A visa letter's request, verification code and decline reason (stream visa-letter-<registrationId>).
  VisaLetterRequested: 1,
  VisaLetterIssued: 1,
  VisaLetterDeclined: 1,
  DelegateDetailsChanged: 1,
  ManageTokenReplaced: 1,
  DelegationCreated: 1,
  InvitationSent: 1,
};

/**
 * v1 of DelegateRegistered and DelegateWaitlisted had the personal fields and the manage token's hash in
 * plaintext at the top of `data`; v2 has them in `personal`. Reads of v1 events (written before
 * encryption) give the opened form; their guard is keyed by the lower-cased email, as it was then.
 */
export const upcastAdmittedV1 = (data: unknown): unknown => {
  const { givenName, familyName, email, city, organization, manageTokenHash, ...rest } = data as Record<
    string,
    unknown
  >;
  return { ...rest, personal: { givenName, familyName, email, city, organization, manageTokenHash } };
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
  'PersonalDataErased',
  'DelegateDetailsChanged',
  'ManageTokenReplaced',
  'SensitiveAnswersErased',
  'RegistrationPending',
  'RegistrationApproved',
  'RegistrationRejected',
] as const satisfies readonly (keyof typeof registrationEvents)[];
