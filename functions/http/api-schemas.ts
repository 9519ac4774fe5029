/**
 * The bodies of the HTTP API (CONTRACT section 2) as zod schemas: the request bodies are the very schemas
 * the handlers validate with, the response bodies describe what the handlers answer. The OpenAPI document
 * (openapi-document.ts) is generated from both, and the API tests parse real answers with them.
 */
import * as z from 'zod';
import { sessionDetailsSchema, sessionTypes, slotChangeSchema } from '../../domain/agenda/events.js';
import { awardGrantSchema } from '../../domain/award/events.js';
import { conferenceDetailsSchema, conferenceSettingsChangeSchema } from '../../domain/conference/events.js';
import { credentialsStatuses, delegationDetailsSchema, quotaSchema } from '../../domain/delegation/events.js';
import { documentKinds, documentRequestSchema } from '../../domain/documents/documents.js';
import { invitationStatuses } from '../../domain/invitation/events.js';
import { registrationDecisionsSchema } from '../../domain/registration/decisions.js';
import {
  delegateCategories,
  delegateSchema,
  registrationStatuses,
} from '../../domain/registration/events.js';
import { fieldSchema, formDefinitionSchema } from '../../domain/registration-form/form.js';
import { languageSchema } from '../../domain/shared/languages.js';
import {
  countryCode,
  instant as instantWithOffset,
  isoDate,
  text,
  timeOfDay,
} from '../../domain/shared/values.js';
import { visaLetterRequestSchema } from '../../domain/visa-letter/events.js';

/**
 * The answers to the conference's registration form (CONTRACT 5.2), by fieldId: checked against the form
 * in force by the registration's command (domain/registration-form/evaluate.ts), whose JSON Schema
 * (`GET .../registration-form`) describes them field by field.
 */
export const answersSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'Answers to the registration form by fieldId; see GET .../registration-form.' });

/** The body of `POST /conferences/{conferenceId}/registrations`: the delegate and their consent. */
export const registrationRequestSchema = delegateSchema.extend({
  consent: z.literal(true, { message: 'must be true: registering needs the delegate’s consent' }),
  answers: answersSchema.optional(),
  /** The code of the invitation to this address (CONTRACT 5.3): needed in a category by invitation. */
  invitationCode: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'The code of an invitation to this address (the `invitation=` of its link).' }),
});

// confirm: registration requests and manage links (CONTRACT 5.1).
/** The body of `POST /registrations/confirm`: the token of the mailed confirmation link. */
export const confirmRegistrationRequestSchema = z.object({ token: z.string().min(1).max(64_000) }).strict();

/** The body of `POST /conferences/{conferenceId}/manage-link`: the address of a registration. */
export const manageLinkRequestSchema = z.object({ email: delegateSchema.shape.email }).strict();

// desk-registration: corrections and check-in by code (CONTRACT 4.3).
/** The body of `POST .../registrations/{registrationId}/details`: any of the delegate's fields, at least one. */
export const detailsChangeRequestSchema = delegateSchema
  .partial()
  .extend({ answers: answersSchema.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, {
    message: `must give at least one of ${Object.keys(delegateSchema.shape).join(', ')}`,
  });

/** The body of `POST .../check-ins`: the code the desk scanned (QR code or text). */
export const checkInRequestSchema = z.object({ code: z.string().min(1).max(200) }).strict();

const id = z.string().min(1);
const instant = z.iso.datetime();
const count = z.number().int().min(0);

const health = z.object({ status: z.literal('ok') });

/** A conference as read: its texts in the negotiated language (CONTRACT 5.4). */
const conference = conferenceDetailsSchema.extend({
  conferenceId: id,
  name: z.string(),
  theme: z.string().optional(),
});

const missingTranslations = z.object({
  conferenceId: id,
  defaultLanguage: languageSchema,
  languages: z.array(languageSchema),
  missing: z.partialRecord(languageSchema, z.array(z.string())).meta({
    description:
      'Per language of the conference, where each text without its own translation is (`name`, ' +
      '`sessions.<sessionId>.title`, `awards.<awardId>.citation`, `rejections.<registrationId>.message`, ...); ' +
      'reads fall back to the default language.',
  }),
});

const conferenceList = z.object({
  conferences: z.array(
    conference.pick({
      conferenceId: true,
      name: true,
      acronym: true,
      city: true,
      country: true,
      startDate: true,
      endDate: true,
    }),
  ),
});

const registration = delegateSchema.omit({ organization: true }).extend({
  formVersion: z.number().int().min(1).optional(),
  answers: z.record(z.string(), z.unknown()).optional().meta({
    description:
      'Answers to the registration form; sensitive ones only to `sensitive-data` and the delegate.',
  }),
  registrationId: id,
  conferenceId: id,
  status: z.enum(registrationStatuses.filter((status) => status !== 'erased')),
  organization: z.string().nullable(),
  language: delegateSchema.shape.language.unwrap(),
  latinName: delegateSchema.shape.latinName.unwrap().nullable(),
  nameOrder: delegateSchema.shape.nameOrder.unwrap(),
  registeredAt: instant,
  checkedInAt: instant.optional(),
  cancelledAt: instant.optional(),
  delegationId: id.optional().meta({ description: 'The delegation the registration was invited into.' }),
  delegationName: z.string().optional().meta({ description: 'That delegation’s name (lists and CSV).' }),
});

const registrationCreated = z.object({
  registrationId: id,
  status: z.enum(['registered', 'waitlisted', 'pending']).meta({
    description: '`pending` in a category the conference moderates (CONTRACT 5.3): no seat until approved.',
  }),
  manageToken: z.string().min(1).meta({
    description:
      'The secret to read or cancel this registration with (header X-Manage-Token); shown only in this answer.',
  }),
});

const award = z.object({
  awardId: id,
  award: z.string(),
  year: z.number().int(),
  city: z.string(),
  country: countryCode,
  citation: z.string().nullable(),
  sessionId: id.nullable(),
  grantedAt: instant,
});

const agendaSession = z.object({
  sessionId: id,
  title: z.string(),
  type: z.enum(sessionTypes),
  start: timeOfDay,
  end: timeOfDay,
  room: z.string(),
  track: z.string().nullable(),
  speakers: z.array(z.object({ name: z.string(), affiliation: z.string().nullable() })),
  status: z.enum(['scheduled', 'cancelled']),
  awards: z.array(award.pick({ awardId: true, award: true, year: true, city: true, country: true })),
});

const agenda = z.object({
  conferenceId: id,
  timezone: z.string(),
  days: z.array(z.object({ date: isoDate, sessions: z.array(agendaSession) })),
});

const delegateCounts = z.object({
  conferenceId: id,
  capacity: count,
  registered: count.meta({ description: 'Seat holders: registered or checked in.' }),
  waitlisted: count,
  pending: count.meta({ description: 'Registrations of moderated categories awaiting a decision.' }),
  cancelled: count.meta({ description: 'Every cancelled registration, the erased ones included.' }),
  erased: count.meta({ description: 'Registrations whose personal data was erased.' }),
  checkedIn: count,
  countries: count.meta({ description: 'Distinct countries among the seat holders.' }),
  byCountry: z.record(countryCode, count).meta({ description: 'Seat holders by ISO 3166-1 alpha-2 code.' }),
  byCategory: z
    .partialRecord(z.enum(delegateCategories), count)
    .meta({ description: 'Seat holders by category.' }),
  asOf: instant.nullable().meta({ description: 'The time of the newest event applied; null before any.' }),
});

/** The frab/c3voc schedule (its full schema is the c3voc one; this pins the outline). */
const schedule = z
  .object({
    $schema: z.string(),
    generator: z.object({ name: z.string(), version: z.string() }),
    schedule: z.looseObject({
      version: z.string(),
      base_url: z.string(),
      conference: z.looseObject({
        acronym: z.string(),
        title: z.string(),
        start: isoDate,
        end: isoDate,
        daysCount: z.number().int(),
        timeslot_duration: z.string(),
        rooms: z.array(z.looseObject({ name: z.string(), guid: z.string() })),
        days: z.array(
          z.looseObject({
            index: z.number().int(),
            date: isoDate,
            day_start: z.string(),
            day_end: z.string(),
            rooms: z.record(z.string(), z.array(z.looseObject({ guid: z.string(), title: z.string() }))),
          }),
        ),
      }),
    }),
  })
  .meta({
    description:
      'The schedule format of frab and pretalx as written down by the c3voc schema ' +
      '(https://c3voc.de/schedule/schema.json); cancelled sessions are left out.',
  });

const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'One entry per invalid field.' }),
  })
  .meta({ description: 'RFC 9457 problem details.' });

// Visa letters, read side (CONTRACT section 4.4).
const visaLetterStatus = z.enum(['requested', 'issued', 'declined']);
const visaLetterList = z
  .object({
    visaLetters: z.array(
      z.object({
        registrationId: id,
        givenName: z.string(),
        familyName: z.string(),
        nationality: z.string().meta({ description: 'ISO 3166-1 alpha-2, as in the passport.' }),
        status: visaLetterStatus,
        requestedAt: z.iso.datetime(),
        decidedAt: z.iso.datetime().optional().meta({ description: 'When it was issued or declined.' }),
      }),
    ),
  })
  .meta({ description: 'The visa letters of a conference, oldest request first.' });
const visaLetterVerification = z
  .object({
    valid: z.literal(true),
    conference: z.object({
      name: z.string(),
      city: z.string(),
      country: z.string(),
      startDate: z.iso.date(),
      endDate: z.iso.date(),
    }),
    passportName: z.string(),
    nationality: z.string(),
    passportNumberLast4: z.string().meta({ description: 'The last four characters of the passport number.' }),
    issuedAt: z.iso.datetime(),
  })
  .meta({ description: 'What a valid visa letter says.' });

const openApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** The body of `POST .../visa-letter/decline`: why, as the delegate is told. */
export const visaLetterDeclineSchema = z.object({ reason: text(1000) });

const verificationCode = z
  .string()
  .min(22)
  .meta({
    description:
      'Random (128 bits, base64url): printed on the letter and in its QR code; a consulate confirms the letter ' +
      'with it at GET /visa-letters/{verificationCode}.',
  });

const formVersion = z.object({
  version: z.number().int().min(0),
  fields: z.array(fieldSchema),
});

/** GET .../documents/{documentId} (CONTRACT 5.5): a background document's progress, its link once done. */
const documentStatus = z.object({
  documentId: id,
  kind: z.enum(documentKinds),
  status: z.enum(['running', 'done', 'failed']),
  done: z.number().int().min(0).meta({ description: 'Items (badges, rows, participants) made so far.' }),
  total: z.number().int().min(0).meta({ description: 'Items the document holds; 0 until counted.' }),
  location: z
    .string()
    .optional()
    .meta({ description: 'Once done: a link to the file that works without credentials until `expiresAt`.' }),
  expiresAt: z
    .string()
    .optional()
    .meta({ description: 'When `location` stops working (at least 15 minutes).' }),
  reason: z.string().optional().meta({ description: 'Why it failed.' }),
});

// invitations: invitations bound to one address (CONTRACT 5.3).
/** The body of `POST .../invitations`: whom to invite, in which category, and until when. */
export const invitationRequestSchema = z
  .object({
    email: delegateSchema.shape.email,
    givenName: delegateSchema.shape.givenName.optional(),
    familyName: delegateSchema.shape.familyName.optional(),
    category: delegateSchema.shape.category,
    delegationId: z.string().min(1).max(100).optional(),
    expiresAt: instantWithOffset
      .optional()
      .meta({ description: 'Until when the code works; default 30 days after sending.' }),
    skipModeration: z.boolean().optional(),
    /** The language the invitation is written in (one of the conference's); default its default. */
    language: languageSchema.optional(),
  })
  .strict();

/**
 * The body of `POST .../delegations/{delegationId}/substitute` (CONTRACT 5.3): the member substituted and
 * the substitute's invitation (as `POST .../invitations` takes it; its delegation is the route's).
 */
export const substitutionRequestSchema = z
  .object({
    registrationId: z.string().min(1).max(100),
    invitation: invitationRequestSchema.omit({ delegationId: true }),
  })
  .strict();

/** The body of `POST /invitations/decline`: the code of the invitation's link. */
export const invitationDeclineSchema = z.object({ invitationCode: z.string().min(1).max(200) }).strict();

const invitationStatus = z.enum(invitationStatuses);
const invitationList = z.object({
  invitations: z.array(
    z.object({
      invitationId: id,
      email: z.string(),
      category: z.enum(delegateCategories),
      delegationId: id.optional(),
      status: invitationStatus,
      sentAt: instant,
      remindedAt: instant.optional(),
    }),
  ),
});

/** Request bodies by component name: the schemas the handlers parse their bodies with. */
// delegations and the List of Participants (CONTRACT 5.3).
/** The body of `POST .../delegations`: the delegation, its quota and its focal point. */
export const delegationRequestSchema = delegationDetailsSchema;

/** The body of `POST .../delegations/{delegationId}/head`: an active member of the delegation. */
export const headOfDelegationRequestSchema = z.object({ registrationId: id.max(100) }).strict();

/**
 * The body of `POST .../delegations/{delegationId}/credentials` (organizer): the credentials status, and
 * the quota (the contract has no PATCH of a delegation: its settings are changed here), at least one.
 */
export const delegationSettingsRequestSchema = z
  .object({
    status: z
      .enum(credentialsStatuses, { message: `must be one of ${credentialsStatuses.join(', ')}` })
      .optional(),
    quota: quotaSchema.optional(),
  })
  .strict()
  .refine((body) => body.status !== undefined || body.quota !== undefined, {
    message: 'must give status, quota or both',
  });

const delegationMember = z.object({
  registrationId: id,
  givenName: z.string(),
  familyName: z.string(),
  country: countryCode,
  category: z.enum(delegateCategories),
  status: z.enum(registrationStatuses.filter((status) => status !== 'erased')),
  head: z.literal(true).optional(),
});

const delegation = z.object({
  delegationId: id,
  name: z.string(),
  country: countryCode.optional(),
  organization: z.string().optional(),
  quota: z.number().int().min(1),
  placesHeld: count.meta({
    description: 'Places of the quota held now: open and accepted invitations and active members.',
  }),
  members: z.array(delegationMember).meta({
    description: 'The registrations of the delegation, by family name (a read model: within seconds).',
  }),
  headOfDelegation: id.optional().meta({ description: 'The registrationId of the head of delegation.' }),
  credentials: z.enum(credentialsStatuses),
});

const participants = z.object({
  participants: z.array(
    z.object({
      givenName: z.string(),
      familyName: z.string(),
      organization: z.string().nullable(),
      country: countryCode,
      delegation: z.string().optional(),
    }),
  ),
});

export const requestBodies = {
  ConferenceDetails: conferenceDetailsSchema,
  ConferenceSettingsChange: conferenceSettingsChangeSchema,
  RegistrationRequest: registrationRequestSchema,
  SessionDetails: sessionDetailsSchema,
  SlotChange: slotChangeSchema,
  AwardGrant: awardGrantSchema,
  VisaLetterRequest: visaLetterRequestSchema,
  VisaLetterDecline: visaLetterDeclineSchema,
  DetailsChange: detailsChangeRequestSchema,
  CheckInRequest: checkInRequestSchema,
  ConfirmRegistrationRequest: confirmRegistrationRequestSchema,
  ManageLinkRequest: manageLinkRequestSchema,
  RegistrationFormDefinition: formDefinitionSchema,
  DocumentRequest: documentRequestSchema,
  InvitationRequest: invitationRequestSchema,
  InvitationDecline: invitationDeclineSchema,
  RegistrationDecisions: registrationDecisionsSchema,
  DelegationRequest: delegationRequestSchema,
  HeadOfDelegationRequest: headOfDelegationRequestSchema,
  DelegationSettingsRequest: delegationSettingsRequestSchema,
  SubstitutionRequest: substitutionRequestSchema,
} satisfies Record<string, z.ZodType>;

/** Response bodies by component name. */
export const responseBodies = {
  Health: health,
  ConferenceList: conferenceList,
  Conference: conference,
  ConferenceCreated: z.object({ conferenceId: id }),
  RegistrationCreated: registrationCreated,
  Registration: registration,
  RegistrationCancelled: z.object({ registrationId: id, status: z.literal('cancelled') }),
  DelegateCheckedIn: z.object({ registrationId: id, status: z.literal('checked-in') }),
  PersonalDataErased: z.object({ registrationId: id, status: z.literal('erased') }),
  CheckedInByCode: registration
    .pick({
      registrationId: true,
      givenName: true,
      familyName: true,
      organization: true,
      country: true,
      category: true,
    })
    .extend({ status: z.literal('checked-in'), checkedInAt: instant }),
  SessionScheduled: z.object({ sessionId: id }),
  SessionRescheduled: z.object({ sessionId: id }),
  SessionCancelled: z.object({ sessionId: id, status: z.literal('cancelled') }),
  AwardGranted: z.object({ awardId: id }),
  AwardList: z.object({ awards: z.array(award) }),
  Agenda: agenda,
  Schedule: schedule,
  DelegateCounts: delegateCounts,
  VisaLetterRequested: z.object({ registrationId: id, status: z.literal('requested') }),
  VisaLetterIssued: z.object({ registrationId: id, status: z.literal('issued'), verificationCode }),
  VisaLetterDeclined: z.object({ registrationId: id, status: z.literal('declined') }),
  VisaLetterList: visaLetterList,
  VisaLetterVerification: visaLetterVerification,
  RegistrantList: z.object({
    registrations: z.array(registration),
    nextCursor: z
      .string()
      .optional()
      .meta({ description: 'Present when more registrations match: send it as `cursor` for the next page.' }),
  }),
  RegistrationFormVersion: formVersion,
  RegistrationForm: formVersion.extend({
    jsonSchema: z
      .record(z.string(), z.unknown())
      .meta({ description: 'JSON Schema 2020-12 of the whole registration body under this form.' }),
  }),
  AnswersSummary: z.object({
    fields: z.array(
      z.object({
        fieldId: z.string(),
        answered: count,
        options: z.record(z.string(), count).optional(),
        total: z.number().optional(),
      }),
    ),
  }),
  MissingTranslations: missingTranslations,
  CheckInCode: z.object({ registrationId: id, checkInCode: z.string().min(1) }),
  DocumentStarted: z.object({ documentId: id }),
  DocumentStatus: documentStatus,
  Problem: problem,
  OpenApiDocument: openApiDocument,
  ConfirmationSent: z.object({ status: z.literal('confirmation-sent') }),
  RegistrationConfirmed: registrationCreated.extend({ conferenceId: id }),
  ManageLinkSent: z.object({ status: z.literal('link-sent') }),
  InvitationSent: z.object({ invitationId: id, status: z.literal('sent') }),
  InvitationList: invitationList,
  InvitationChanged: z.object({ invitationId: id, status: invitationStatus }),
  RegistrationDecisionResults: z
    .object({
      results: z.array(
        z.union([
          z.object({ registrationId: id, status: z.enum(['registered', 'waitlisted', 'rejected']) }),
          z.object({ registrationId: id, problem }),
        ]),
      ),
    })
    .meta({
      description:
        'One result per decision, in the order given: the status the registration has now, or the problem ' +
        'that decision met (409 when it was not pending, 404 when there is no such registration).',
    }),
  DelegationCreated: z.object({ delegationId: id }),
  Delegation: delegation,
  HeadOfDelegationNamed: z.object({ delegationId: id, headOfDelegation: id }),
  DelegationSettings: z.object({
    delegationId: id,
    credentials: z.enum(credentialsStatuses),
    quota: z.number().int().min(1),
  }),
  Participants: participants,
} satisfies Record<string, z.ZodType>;

export type RequestBodyName = keyof typeof requestBodies;
export type ResponseBodyName = keyof typeof responseBodies;
export type ResponseBody<N extends ResponseBodyName> = z.infer<(typeof responseBodies)[N]>;
