/**
 * What the OpenAPI document says about each route of `infra/definitions/routes.ts`, by route name. The
 * method, path, access and the statuses every route of its kind shares (401/403 by access, 400/422 on
 * POSTs, 404 with a path parameter, 503 when it reads the stores) come from the route table and
 * openapi-document.ts; this module adds what only the route knows.
 */
import { delegateCategories } from '../../domain/registration/events.js';
import type { RequestBodyName, ResponseBodyName } from './api-schemas.js';

export type Tag =
  | 'Conferences'
  | 'Registrations'
  | 'VisaLetters'
  | 'Agenda'
  | 'Awards'
  | 'Pages'
  | 'Service'
  | 'Invitations';

export const tags: Record<Tag, string> = {
  Conferences: 'Conferences and their delegate counts.',
  Registrations: 'Delegates registering, cancelling and checking in.',
  VisaLetters: 'Letters of invitation for a visa: requested by delegates, issued or declined by organizers.',
  Agenda: 'Sessions of the agenda and its exports (iCalendar, frab/c3voc schedule).',
  Awards: 'Awards granted at a conference.',
  Pages: 'The delegate’s pages: HTML that email links open, clients of the routes above.',
  Service: 'Health and this documentation.',
  Invitations:
    'Invitations bound to one address: sent, reminded and revoked by organizers, declined by the invitee.',
};

export interface RouteDoc {
  summary: string;
  description?: string;
  tag: Tag;
  /** The JSON body the handler validates, by component name (api-schemas.ts `requestBodies`). */
  requestBody?: RequestBodyName;
  success: {
    status: 200 | 201 | 202;
    description: string;
    /** A JSON body, by component name (api-schemas.ts `responseBodies`); else `mediaType` with text. */
    body?: ResponseBodyName;
    /** Default `application/json`. */
    mediaType?: string;
    /** The success answer carries a Location header. */
    location?: boolean;
  };
  /** A second success answer (a registration to confirm first: 202), with its own body. */
  otherSuccess?: { status: 202; description: string; body: ResponseBodyName };
  /** A 404 for a reason beyond an unknown path parameter, or the one route-specific reason. */
  notFound?: string;
  /** The 409s of the contract. */
  conflict?: string;
  /** The 410 of a resource whose personal data was erased. */
  gone?: string;
  /** A 403 of the route's own rules, beyond its access (e.g. a category by invitation). */
  forbidden?: string;
  /** A 429 of the route's own rules (e.g. a reminder within 24 hours), with Retry-After. */
  tooManyRequests?: string;
  /** The 400 beyond an invalid body or Idempotency-Key, e.g. a rule of the domain. */
  badRequest?: string;
  /** Conditional GET: an ETag on the answer, If-None-Match gets 304. */
  conditional?: boolean;
  /** Answers without touching the stores (no 503). */
  static?: boolean;
  /** The query parameters it takes (all optional). */
  query?: QueryParameter[];
  /** When it answers 303 See Other with a Location to fetch the body from instead. */
  seeOther?: string;
}

/** `?lang=` of every read of organizer texts (CONTRACT 5.4); Accept-Language is read when it is absent. */
const langQuery: QueryParameter = {
  name: 'lang',
  description:
    'The language to answer in, one of the conference’s (else 400). Without it, the best match of ' +
    'Accept-Language (q-values), else the conference’s default language; the answer says it in Content-Language.',
  schema: { type: 'string', enum: ['ar', 'en', 'es', 'fr', 'ru', 'zh'] },
};

export interface QueryParameter {
  name: string;
  description: string;
  /** JSON Schema of the value. */
  schema: Record<string, unknown>;
}

/** The filters of the registrant list and its CSV (CONTRACT 4.3). */
const registrantFilters: QueryParameter[] = [
  {
    name: 'status',
    description: 'Comma-separated statuses, e.g. `registered,checked-in`.',
    schema: {
      type: 'string',
      pattern:
        '^(registered|waitlisted|checked-in|cancelled|pending|rejected)(,(registered|waitlisted|checked-in|cancelled|pending|rejected))*$',
    },
  },
  {
    name: 'country',
    description: 'ISO 3166-1 alpha-2 code in capitals.',
    schema: { type: 'string', pattern: '^[A-Z]{2}$' },
  },
  {
    name: 'category',
    description: 'One delegate category.',
    schema: { type: 'string', enum: [...delegateCategories] },
  },
  {
    name: 'q',
    description:
      'Search: every word must start a word of the given name, family name or organization, or the email, ' +
      'ignoring case and accents (`perez` finds Pérez, `beij` Beijing Municipal Education Commission).',
    schema: { type: 'string', maxLength: 200 },
  },
  {
    name: 'sort',
    description: 'Order: by registration time (oldest first) or by family name, then given name.',
    schema: { type: 'string', enum: ['registeredAt', 'familyName'], default: 'registeredAt' },
  },
  {
    name: 'delegationId',
    description: 'Only the members of this delegation (CONTRACT 5.3).',
    schema: { type: 'string', pattern: '^[\\w-]{1,64}$' },
  },
];

export const routeDocs: Record<string, RouteDoc> = {
  Health: {
    summary: 'Health check',
    tag: 'Service',
    success: { status: 200, description: 'The API is up.', body: 'Health' },
    static: true,
  },
  ListConferences: {
    summary: 'List the conferences',
    tag: 'Conferences',
    success: { status: 200, description: 'Every conference, in brief.', body: 'ConferenceList' },
  },
  CreateConference: {
    summary: 'Create a conference',
    tag: 'Conferences',
    requestBody: 'ConferenceDetails',
    badRequest:
      'The body is not valid: a field, or a rule such as endDate before startDate, dailyEnd not after ' +
      'dailyStart or two rooms of one name.',
    success: {
      status: 201,
      description: 'Created; Location is the conference.',
      body: 'ConferenceCreated',
      location: true,
    },
  },
  GetConference: {
    summary: 'Get a conference',
    tag: 'Conferences',
    success: { status: 200, description: 'The conference.', body: 'Conference' },
    notFound: 'No such conference.',
    query: [langQuery],
  },
  ChangeConferenceSettings: {
    summary: 'Change the settings of a conference',
    description:
      'Any of capacity, registrationOpensAt, registrationClosesAt, editableUntil, ' +
      'personalDataRetentionDays, visaLetterSignatory, emailConfirmation and rooms (the whole new list: rooms ' +
      'may be added, never removed). Raising capacity promotes the longest-waiting delegates to the new seats within ' +
      'seconds. Nothing is stored when the answer is not 200.',
    tag: 'Conferences',
    requestBody: 'ConferenceSettingsChange',
    badRequest:
      'The body is not valid: no setting, a field that is no setting, a value the conference already has, ' +
      'a room of before left out, or registrationClosesAt before registrationOpensAt (with the stored ' +
      'values for the ones not given).',
    success: { status: 200, description: 'The conference as changed.', body: 'Conference' },
    notFound: 'No such conference.',
    conflict: 'The capacity is lower than the seats held now (`detail` says how many are held).',
  },
  // registration-form (CONTRACT 5.2).
  PutRegistrationForm: {
    summary: 'Put a new version of the registration form',
    description:
      'The whole form: typed fields, conditions (`showIf`: equals, in, all, any) over earlier fields, ' +
      'categories, option limits and sensitivity. Putting the form in force again changes nothing. A field ' +
      'id keeps the type it had in any earlier version (answers may point at it).',
    tag: 'Registrations',
    requestBody: 'RegistrationFormDefinition',
    success: { status: 200, description: 'The version in force.', body: 'RegistrationFormVersion' },
    notFound: 'No such conference.',
    badRequest:
      'The form is not valid: a repeated field or option id, a condition naming an unknown or later field ' +
      '(conditions may only name earlier fields, so they never loop), or a value the named field cannot have.',
    conflict: 'A field of an earlier version changed its type.',
  },
  GetRegistrationForm: {
    summary: 'Get the registration form and its JSON Schema',
    description:
      '`jsonSchema` (JSON Schema 2020-12) describes the whole registration body under this form, conditions ' +
      'as if/then/else: a body is valid for it exactly when the server accepts it on the form’s rules.',
    tag: 'Registrations',
    success: { status: 200, description: 'The form in force (version 0: none).', body: 'RegistrationForm' },
    notFound: 'No such conference.',
    // The labels of `jsonSchema` in that language; `fields` keep every translation (for a form editor).
    query: [langQuery],
  },
  GetAnswersSummary: {
    summary: 'Count the answers of the registration form',
    description:
      'Every field of the form in force: how many active registrations answered it, per option (choices, ' +
      'yes-no, country) and the sum of a number. Sensitive fields are counted too, never shown one by one. ' +
      'Eventually consistent, then exact.',
    tag: 'Registrations',
    success: { status: 200, description: 'The counts.', body: 'AnswersSummary' },
    notFound: 'No such conference.',
  },
  RegisterDelegate: {
    summary: 'Register a delegate',
    description:
      'The delegate is `registered` while seats are left, else `waitlisted`; a waitlisted delegate is ' +
      'promoted by itself when a seat frees up. Emails are compared case-insensitively: one active ' +
      'registration per email and conference. The `manageToken` of the answer is shown only once. ' +
      'A conference with `emailConfirmation` (every conference created under v1.2 unless told otherwise) ' +
      'answers instead `202 {"status": "confirmation-sent"}` whatever the state of the address, and mails ' +
      'it a confirmation link valid 24 hours (or, to an address registered already, a notice without a ' +
      'token; at most 3 emails per address and hour): POST /registrations/confirm registers then.',
    tag: 'Registrations',
    requestBody: 'RegistrationRequest',
    success: { status: 201, description: 'Registered or waitlisted.', body: 'RegistrationCreated' },
    otherSuccess: {
      status: 202,
      description:
        'A conference with `emailConfirmation`: a confirmation link was mailed (or nothing, or a notice).',
      body: 'ConfirmationSent',
    },
    notFound: 'No such conference.',
    forbidden:
      'The category is by invitation (`registrationPolicy`) and the body has no `invitationCode` that ' +
      'admits this address, or a code was given that does not: of another address or category, revoked, ' +
      'declined, expired or used. One answer for each, never saying whether the address was invited.',
    conflict:
      'This email address already has an active registration for the conference, or registration is ' +
      'not open (before `registrationOpensAt` or after `registrationClosesAt`; `detail` says when), or a ' +
      'limited option chosen is full (`detail` names it).',
    badRequest:
      'The body is not valid, or its `answers` do not fit the registration form: each error at ' +
      '`answers.<fieldId>`.',
  },
  GetRegistration: {
    summary: 'Read a registration back',
    tag: 'Registrations',
    success: { status: 200, description: 'The registration.', body: 'Registration' },
    notFound: 'No such conference or registration.',
    gone: 'The personal data of this registration was erased.',
  },
  ListRegistrations: {
    summary: 'List and search the registrations (registration desk)',
    description:
      'One page in the chosen order, filtered and searched; `nextCursor` fetches the next page with the same ' +
      'query. Erased registrations are never listed. A projection: eventually consistent, exact within seconds.',
    tag: 'Registrations',
    query: [
      ...registrantFilters,
      {
        name: 'limit',
        description: 'Registrations per page.',
        schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      },
      {
        name: 'cursor',
        description: 'The `nextCursor` of the previous page, with the same filters and sort.',
        schema: { type: 'string' },
      },
    ],
    badRequest:
      'A bad parameter: an unknown status or category, limit out of range, a bad country, a forged cursor.',
    success: { status: 200, description: 'A page of registrations.', body: 'RegistrantList' },
    notFound: 'No such conference.',
  },
  ExportRegistrations: {
    summary: 'Export the registrations as CSV (registration desk)',
    description:
      'RFC 4180, UTF-8 (with a BOM), a header row, one row per registration with every field of the ' +
      'registration read back; the same filters as the list.',
    tag: 'Registrations',
    query: registrantFilters,
    badRequest: 'A bad filter: an unknown status or category, a bad country.',
    success: { status: 200, description: 'The registrations.', mediaType: 'text/csv' },
    seeOther:
      'The CSV is over 5 MB: Location is a link to it (in the cloud an S3 presigned URL) that works without ' +
      'credentials for at least 15 minutes.',
    notFound: 'No such conference.',
  },
  CancelRegistration: {
    summary: 'Cancel a registration',
    description: 'A seat freed by the cancellation goes to the longest-waiting waitlisted delegate.',
    tag: 'Registrations',
    success: { status: 200, description: 'Cancelled.', body: 'RegistrationCancelled' },
    notFound: 'No such conference or registration.',
    conflict: 'The registration is already cancelled.',
    gone: 'The personal data of this registration was erased.',
  },
  ErasePersonalData: {
    summary: 'Erase a registration’s personal data',
    description:
      'Cancels the registration if it is active (its seat goes to the waitlist, no email is sent) and ' +
      'erases its personal data: `PersonalDataErased` is appended, the registration’s data key is ' +
      'destroyed, and every delegate route for it answers 410 from then on. The email may register again.',
    tag: 'Registrations',
    success: { status: 200, description: 'Erased.', body: 'PersonalDataErased' },
    notFound: 'No such conference or registration.',
    gone: 'The personal data of this registration was already erased.',
  },
  RequestVisaLetter: {
    summary: 'Request a visa invitation letter',
    description:
      'For a delegate holding a seat (registered or checked in). Every field is personal data: kept ' +
      'encrypted under the registration’s key and erased with it. A new request replaces one that waits ' +
      'or was declined; an issued letter is final.',
    tag: 'VisaLetters',
    requestBody: 'VisaLetterRequest',
    badRequest:
      'The body is not valid: a field, the passport expiring before the conference’s last day, a date of ' +
      'birth in the future or more than 120 years back, or a nationality that is not ISO 3166-1 alpha-2.',
    success: {
      status: 202,
      description: 'Requested: it waits for an organizer.',
      body: 'VisaLetterRequested',
    },
    notFound: 'No such conference or registration.',
    conflict: 'The registration holds no seat (waitlisted or cancelled), or its letter was already issued.',
    gone: 'The personal data of this registration was erased.',
  },
  IssueVisaLetter: {
    summary: 'Issue a requested visa letter',
    description:
      'Signed by the conference’s `visaLetterSignatory`. The answer carries the letter’s verification code; ' +
      'the PDF is at `visa-letter.pdf`.',
    tag: 'VisaLetters',
    success: { status: 200, description: 'Issued.', body: 'VisaLetterIssued' },
    notFound: 'No such conference or registration.',
    conflict:
      'Nothing was requested, the letter was already issued or declined, the delegate no longer holds a ' +
      'seat, or the conference has no `visaLetterSignatory`.',
    gone: 'The personal data of this registration was erased.',
  },
  DeclineVisaLetter: {
    summary: 'Decline a requested visa letter',
    tag: 'VisaLetters',
    requestBody: 'VisaLetterDecline',
    badRequest: 'No reason given.',
    success: { status: 200, description: 'Declined.', body: 'VisaLetterDeclined' },
    notFound: 'No such conference or registration.',
    conflict: 'Nothing was requested, or the letter was already issued or declined.',
    gone: 'The personal data of this registration was erased.',
  },
  GetVisaLetterPdf: {
    summary: 'Get the issued visa letter as a PDF',
    description:
      'The letter of invitation: the conference, the delegate’s passport data, the signatory, and the ' +
      'verification code as text and as a QR code of its verification URL.',
    tag: 'VisaLetters',
    success: { status: 200, description: 'The letter.', mediaType: 'application/pdf' },
    notFound: 'No such conference or registration.',
    conflict: 'The letter is not issued (nothing requested, waiting, or declined).',
    gone: 'The personal data of this registration was erased.',
  },
  CheckInDelegate: {
    summary: 'Check a delegate in',
    tag: 'Registrations',
    success: { status: 200, description: 'Checked in.', body: 'DelegateCheckedIn' },
    notFound: 'No such conference or registration.',
    conflict: 'The registration is not registered (waitlisted or cancelled), or already checked in.',
    gone: 'The personal data of this registration was erased.',
  },
  // desk-registration: corrections, check-in by code, badges (CONTRACT 4.3).
  ChangeRegistrationDetails: {
    summary: 'Correct a registration’s details',
    description:
      'Any of givenName, familyName, email, country, city, organization and category, with the rules of ' +
      'a registration. A delegate (X-Manage-Token) may do so until the conference’s `editableUntil`, an ' +
      'organizer always. A new email moves the one-registration-per-email rule with it; the delegate is ' +
      'emailed about the change. Appends `DelegateDetailsChanged`.',
    tag: 'Registrations',
    requestBody: 'DetailsChange',
    success: { status: 200, description: 'The registration after the change.', body: 'Registration' },
    badRequest: 'The body is not valid, or changes nothing; `errors` names each field.',
    notFound: 'No such conference or registration.',
    conflict:
      'The email already has an active registration for the conference, the registration is cancelled, ' +
      'or changes are closed for delegates (after `editableUntil`).',
    gone: 'The personal data of this registration was erased.',
  },
  CheckInByCode: {
    summary: 'Check a delegate in by their check-in code',
    description:
      'The code of the QR code on the delegate’s badge and in their registration or promotion email ' +
      '(`<registrationId>.<tag>`). Answers who arrived, for the desk to greet them; a second scan is ' +
      '409 and `detail` says since when the delegate is checked in.',
    tag: 'Registrations',
    requestBody: 'CheckInRequest',
    success: { status: 200, description: 'Checked in: who arrived.', body: 'CheckedInByCode' },
    badRequest: 'The body is not valid, or the code is malformed.',
    notFound: 'No such conference, or no registration of it has this code (unknown or forged).',
    conflict: 'Already checked in (`detail` says since when), waitlisted, or cancelled.',
    gone: 'The personal data of this registration was erased.',
  },
  GetCheckInCode: {
    summary: 'Get a seat holder’s check-in code',
    description:
      'The code the badge prints (its QR code), for the delegate’s page: it checks the delegate in and nothing else.',
    tag: 'Registrations',
    success: { status: 200, description: 'The check-in code.', body: 'CheckInCode' },
    conflict: 'The registration holds no seat.',
    gone: 'The registration’s personal data was erased.',
  },
  GetRegistrationBadge: {
    summary: 'Print a seat holder’s badge',
    description:
      'One A6 page: given name, family name, organization, country name, category and the check-in QR ' +
      'code (with the code as text). The embedded DejaVu Sans prints Latin, Greek and Cyrillic letters.',
    tag: 'Registrations',
    success: { status: 200, description: 'The badge.', mediaType: 'application/pdf' },
    seeOther: 'The PDF is over 5 MB (as base64): Location is a link to it, as for the badges.',
    notFound: 'No such conference or registration.',
    conflict: 'The registration holds no seat (waitlisted or cancelled).',
    gone: 'The personal data of this registration was erased.',
  },
  GetBadges: {
    summary: 'Print the badges',
    description:
      'One A6 page per seat holder the filters select (those of the registrant list: `status`, ' +
      '`country`, `category`, `q`, `sort`; default every seat holder, in registration order), each with ' +
      'given name, family name, organization, country name, category and the check-in QR code. Read ' +
      'from the registrant list, a projection: it shows a registration within seconds.',
    tag: 'Registrations',
    success: { status: 200, description: 'The badges.', mediaType: 'application/pdf' },
    query: registrantFilters,
    seeOther:
      'The PDF is over 5 MB (as base64): Location is a link to it (in the cloud an S3 presigned URL) that ' +
      'works without credentials for at least 15 minutes.',
    badRequest: 'A filter is not valid, or names no seat-holding status; `errors` names it.',
    notFound: 'No such conference.',
  },
  StartDocument: {
    summary: 'Make a document of the conference in the background',
    description:
      '`badges` (one A6 page per seat holder), `registrations-csv` (the CSV of the registrant list) or ' +
      '`participants-list` (the official List of Participants: by delegation, then family name, of the ' +
      'seat holders who consented to publication), of every registration the `filter` selects (the ' +
      'registrant list’s query fields as an object, and `delegationId`; default: every seat holder, for ' +
      'the CSV every registration). Made in the background for any size: follow it at the Location.',
    tag: 'Registrations',
    requestBody: 'DocumentRequest',
    badRequest:
      'An unknown kind or filter field, a filter value that is not valid, or no seat-holding status.',
    success: { status: 202, description: 'Being made.', body: 'DocumentStarted', location: true },
    notFound: 'No such conference.',
  },
  GetDocument: {
    summary: 'Follow a document made in the background',
    description:
      '`running` with its progress (`done` of `total`), then `done` with a `location` to fetch the file ' +
      'from without credentials until `expiresAt`, or `failed` with a `reason` (a document not finished ' +
      'within its function’s time reads as failed).',
    tag: 'Registrations',
    success: { status: 200, description: 'The document’s status.', body: 'DocumentStatus' },
    notFound: 'No such conference or document.',
  },
  ScheduleSession: {
    summary: 'Schedule a session',
    description:
      'The session must lie inside the conference’s dates and daily hours, `end` after `start`, in one ' +
      'of its rooms. Sessions that overlap in time may not share a room or a speaker.',
    tag: 'Agenda',
    requestBody: 'SessionDetails',
    badRequest: 'The body is not valid, or the session is outside the conference’s days, hours or rooms.',
    success: {
      status: 201,
      description: 'Scheduled; Location is the agenda.',
      body: 'SessionScheduled',
      location: true,
    },
    notFound: 'No such conference.',
    conflict: 'The room or a speaker is taken at that time; `detail` names the other session’s id.',
  },
  RescheduleSession: {
    summary: 'Reschedule a session',
    description: 'Takes any of `date`, `start`, `end` and `room`; the same rules as scheduling apply.',
    tag: 'Agenda',
    requestBody: 'SlotChange',
    badRequest: 'The body is not valid, or the new slot is outside the conference’s days, hours or rooms.',
    success: { status: 200, description: 'Rescheduled.', body: 'SessionRescheduled' },
    notFound: 'No such conference or session.',
    conflict:
      'The room or a speaker is taken at that time (`detail` names the other session’s id), or the ' +
      'session is cancelled.',
  },
  CancelSession: {
    summary: 'Cancel a session',
    description: 'A cancelled session stays on the agenda with status `cancelled`.',
    tag: 'Agenda',
    success: { status: 200, description: 'Cancelled.', body: 'SessionCancelled' },
    notFound: 'No such conference or session.',
    conflict: 'The session is already cancelled.',
  },
  GrantAward: {
    summary: 'Grant an award',
    description: 'One grant per award, year, city and country.',
    tag: 'Awards',
    requestBody: 'AwardGrant',
    badRequest: 'The body is not valid, or `sessionId` is not a session of this conference.',
    success: { status: 201, description: 'Granted.', body: 'AwardGranted' },
    notFound: 'No such conference.',
    conflict: 'This award was already granted to this city for that year.',
  },
  ListAwards: {
    summary: 'List the awards of a conference',
    tag: 'Awards',
    success: { status: 200, description: 'The awards, in the order granted.', body: 'AwardList' },
    notFound: 'No such conference.',
    query: [langQuery],
  },
  GetAgenda: {
    summary: 'Get the agenda',
    description:
      'Every day of the conference, each with its sessions (cancelled ones too) ordered by start, then room. ' +
      'Eventually consistent: a change shows within seconds.',
    tag: 'Agenda',
    success: { status: 200, description: 'The agenda.', body: 'Agenda' },
    notFound: 'No such conference.',
    conditional: true,
    query: [langQuery],
  },
  GetAgendaCalendar: {
    summary: 'Get the agenda as iCalendar',
    description:
      'RFC 5545: one VEVENT per session with a stable UID, times in the conference’s time zone (with its ' +
      'VTIMEZONE), SEQUENCE raised on each reschedule, STATUS:CANCELLED when cancelled.',
    tag: 'Agenda',
    success: { status: 200, description: 'The calendar.', mediaType: 'text/calendar' },
    notFound: 'No such conference.',
    conditional: true,
    query: [langQuery],
  },
  GetSchedule: {
    summary: 'Get the agenda as a frab/c3voc schedule',
    tag: 'Agenda',
    success: { status: 200, description: 'The schedule.', body: 'Schedule' },
    notFound: 'No such conference.',
    conditional: true,
    query: [langQuery],
  },
  GetMissingTranslations: {
    summary: 'List the texts that lack a translation',
    description:
      'Every organizer text of the conference (its name and theme, session titles and abstracts, award ' +
      'citations, the registration form’s labels, help and options) without its own text in one of the ' +
      'conference’s languages, by language.',
    tag: 'Conferences',
    success: { status: 200, description: 'The missing translations.', body: 'MissingTranslations' },
    notFound: 'No such conference.',
  },
  GetDelegateCounts: {
    summary: 'Get the delegate counts',
    description:
      'Each registration is in one state at a time. Eventually consistent: a change shows within seconds, ' +
      'and then the counts are exact.',
    tag: 'Conferences',
    success: { status: 200, description: 'The counts.', body: 'DelegateCounts' },
    notFound: 'No such conference.',
  },
  // Visa letters, read side.
  ListVisaLetters: {
    summary: 'List the visa letter requests (review)',
    description:
      'Every visa letter of the conference with the delegate’s names and nationality, oldest request first; ' +
      'erased registrations are not listed. A projection: eventually consistent, exact after a few seconds.',
    tag: 'VisaLetters',
    query: [
      {
        name: 'status',
        description: 'Only letters of these statuses, comma-separated (`requested`, `issued`, `declined`).',
        schema: { type: 'string', pattern: '^(requested|issued|declined)(,(requested|issued|declined))*$' },
      },
    ],
    badRequest: 'An unknown status in `status`.',
    success: { status: 200, description: 'The visa letters.', body: 'VisaLetterList' },
    notFound: 'No such conference.',
  },
  VerifyVisaLetter: {
    summary: 'Verify a visa letter by its code',
    description:
      'For consulates: what the letter with this verification code says (the passport number by its last ' +
      'four characters only). No authentication; throttled in the cloud so that codes cannot be enumerated.',
    tag: 'VisaLetters',
    success: { status: 200, description: 'The letter is valid.', body: 'VisaLetterVerification' },
    notFound: 'No letter has this code, or its registration was erased (one answer for both).',
  },
  ConfirmRegistration: {
    summary: 'Confirm a registration request with the mailed token',
    description:
      'The token of the confirmation link (CONTRACT 5.1) registers its request once: `registered` or ' +
      '`waitlisted` as the conference stands at this moment. The `manageToken` is shown only in this answer.',
    tag: 'Registrations',
    requestBody: 'ConfirmRegistrationRequest',
    success: { status: 201, description: 'Registered or waitlisted.', body: 'RegistrationConfirmed' },
    badRequest: 'The token is not shaped like a confirmation token.',
    notFound: 'The token is unknown, expired (after 24 hours) or used (one answer for all).',
    conflict:
      'Registration closed meanwhile, or the address got an active registration for the conference meanwhile.',
  },
  RequestManageLink: {
    summary: 'Mail a new manage link to the owner of a registration',
    description:
      'The same answer whether or not the address is registered. The owner of an active registration gets ' +
      'a new manage token by email, in the fragment of a link (`#token=`); the old token stops working. At ' +
      'most 3 emails per address and conference in any hour.',
    tag: 'Registrations',
    requestBody: 'ManageLinkRequest',
    success: {
      status: 202,
      description: 'Accepted; an email follows if the address is registered.',
      body: 'ManageLinkSent',
    },
    notFound: 'No such conference.',
  },
  GetOpenApi: {
    summary: 'This OpenAPI 3.1 document',
    tag: 'Service',
    success: { status: 200, description: 'The OpenAPI document of the API.', body: 'OpenApiDocument' },
    conditional: true,
    static: true,
  },
  GetRegistrationPage: {
    summary: 'The registration page of a conference',
    description:
      'The organizer’s form, rendered in the browser from the served JSON Schema; it registers through ' +
      '`POST …/registrations` and ends with “check your email”.',
    tag: 'Pages',
    success: { status: 200, description: 'An HTML page.', mediaType: 'text/html' },
    notFound: 'No such conference.',
    query: [langQuery],
  },
  GetConfirmationPage: {
    summary: 'The page a confirmation email links to',
    description:
      'Shows what is being confirmed and a button that confirms (`POST /registrations/confirm`); the GET ' +
      'itself changes nothing, so a mail scanner that fetches the link confirms nothing.',
    tag: 'Pages',
    success: { status: 200, description: 'An HTML page.', mediaType: 'text/html' },
    notFound: 'The token is unknown, expired or used: an HTML page that says so.',
    query: [
      { name: 'token', description: 'The token of the confirmation email.', schema: { type: 'string' } },
      langQuery,
    ],
  },
  GetManagePage: {
    summary: 'The delegate’s page',
    description:
      'Status, details, answers, check-in code, badge and visa letter, correct, cancel, erase. The manage ' +
      'token travels in the URL’s fragment (`#token=…`), which the browser never sends to a server.',
    tag: 'Pages',
    success: { status: 200, description: 'An HTML page.', mediaType: 'text/html' },
    notFound: 'No such conference.',
    query: [langQuery],
  },
  GetPageScript: {
    summary: 'The script of a delegate’s page',
    description: 'register.js, confirm.js or manage.js, bundled by esbuild.',
    tag: 'Pages',
    success: { status: 200, description: 'The script.', mediaType: 'text/javascript' },
    notFound: 'No such script.',
    conditional: true,
    static: true,
  },
  GetDocs: {
    summary: 'The API documentation as a web page',
    description: 'Renders this document with Scalar, served by the API itself (no third-party origin).',
    tag: 'Service',
    success: { status: 200, description: 'An HTML page.', mediaType: 'text/html' },
    static: true,
  },
  GetDocsAsset: {
    summary: 'The script of the documentation page',
    description: 'The Scalar API reference bundle; sent gzip-encoded to clients that accept it.',
    tag: 'Service',
    success: { status: 200, description: 'JavaScript.', mediaType: 'text/javascript' },
    conditional: true,
    static: true,
  },
  SendInvitation: {
    summary: 'Invite one address',
    description:
      'The invitee is emailed a link with the invitation’s code (`invitation=…`), in `language` or the ' +
      'conference’s default; registering with the code accepts it (with `skipModeration`, a moderated ' +
      'category’s `pending` is skipped). The code works once, for this address and category, until ' +
      '`expiresAt` (default 30 days).',
    tag: 'Invitations',
    requestBody: 'InvitationRequest',
    success: { status: 201, description: 'Sent.', body: 'InvitationSent' },
    notFound: 'No such conference.',
    conflict:
      'The address already has a pending invitation to the conference, or the delegation’s quota is full.',
  },
  ListInvitations: {
    summary: 'List the invitations of a conference',
    description:
      'Oldest sent first. A projection: eventually consistent, exact after a few seconds. The invitees of ' +
      'erased registrations are not listed.',
    tag: 'Invitations',
    query: [
      {
        name: 'status',
        description: 'Only invitations of these statuses, comma-separated.',
        schema: {
          type: 'string',
          pattern: '^(sent|accepted|declined|expired|revoked)(,(sent|accepted|declined|expired|revoked))*$',
        },
      },
    ],
    badRequest: 'An unknown status in `status`.',
    success: { status: 200, description: 'The invitations.', body: 'InvitationList' },
  },
  RemindInvitation: {
    summary: 'Remind the invitee',
    description: 'Emails the invitation’s link again; at most once in 24 hours.',
    tag: 'Invitations',
    success: { status: 200, description: 'Reminded.', body: 'InvitationChanged' },
    conflict: 'The invitation is not pending (accepted, declined, expired or revoked).',
    tooManyRequests: 'The invitee was reminded in the last 24 hours; Retry-After says when the next may go.',
  },
  RevokeInvitation: {
    summary: 'Revoke an invitation',
    description: 'Its code admits no one any more; the address may be invited again.',
    tag: 'Invitations',
    success: { status: 200, description: 'Revoked.', body: 'InvitationChanged' },
    conflict: 'The invitation is not pending.',
  },
  DeclineInvitation: {
    summary: 'Decline an invitation',
    description: 'The invitee declines with the code of the invitation’s link, without registering.',
    tag: 'Invitations',
    requestBody: 'InvitationDecline',
    success: { status: 200, description: 'Declined.', body: 'InvitationChanged' },
    notFound: 'No pending invitation has this code.',
  },
  DecideRegistrations: {
    summary: 'Approve or reject pending registrations, up to 500 at once',
    description:
      'Each decision on its own: an approval takes a seat (or, with every seat held, a waitlist place that ' +
      'dates from the approval) as a new registration would; a rejection carries a `reasonCode` ' +
      '(not-eligible, duplicate, capacity, other) and an optional message (a text, or one per language). ' +
      'The delegate is emailed either way. A decision on a registration that is not pending is that ' +
      'result’s problem (409); the others go on.',
    tag: 'Registrations',
    requestBody: 'RegistrationDecisions',
    badRequest: 'No decision, more than 500, a registration twice, or a rejection without a reasonCode.',
    success: { status: 200, description: 'One result per decision.', body: 'RegistrationDecisionResults' },
    notFound: 'No such conference.',
  },
  CreateDelegation: {
    summary: 'Create a delegation (organizer)',
    description:
      'A city’s or a country’s delegation with a quota of members and a focal point. The focal point is ' +
      'emailed a link carrying the delegation token (`#delegation=…`), which they send as the header ' +
      '`X-Delegation-Token` on their own delegation’s routes. The focal point is personal data.',
    tag: 'Registrations',
    requestBody: 'DelegationRequest',
    success: { status: 201, description: 'The delegation was created.', body: 'DelegationCreated' },
    notFound: 'No such conference.',
  },
  GetDelegation: {
    summary: 'A delegation, its members, head and credentials',
    description:
      'For an organizer (Authorization) or the delegation’s focal point (`X-Delegation-Token`; another ' +
      'delegation’s token: 403). `placesHeld` counts open and accepted invitations and active members.',
    tag: 'Registrations',
    success: { status: 200, description: 'The delegation.', body: 'Delegation' },
    notFound: 'No such delegation at this conference.',
  },
  NameHeadOfDelegation: {
    summary: 'Name the head of delegation',
    description:
      'An organizer or the delegation’s focal point (`X-Delegation-Token`) names an active member.',
    tag: 'Registrations',
    requestBody: 'HeadOfDelegationRequest',
    success: { status: 200, description: 'The head was named.', body: 'HeadOfDelegationNamed' },
    notFound: 'No such delegation at this conference.',
    conflict: 'The registration is not an active member of the delegation.',
  },
  ChangeDelegationCredentials: {
    summary: 'Set a delegation’s credentials status and quota (organizer)',
    description:
      'The status of the delegation’s credentials (`pending`, `received`, `verified`; no personal data) and, ' +
      'as the contract has no PATCH of a delegation, its `quota`: either or both.',
    tag: 'Registrations',
    requestBody: 'DelegationSettingsRequest',
    success: { status: 200, description: 'The delegation’s settings now.', body: 'DelegationSettings' },
    notFound: 'No such delegation at this conference.',
    conflict: 'The quota is below the places held now (`detail` says how many).',
  },
  SubstituteDelegationMember: {
    summary: 'Substitute a member of a delegation',
    description:
      'An organizer or the delegation’s focal point (`X-Delegation-Token`): the member’s registration is ' +
      'cancelled and the substitute invited (the invitation’s email as `POST …/invitations` sends it) in ' +
      'one transaction; the member’s place of the quota passes to the substitute.',
    tag: 'Registrations',
    requestBody: 'SubstitutionRequest',
    success: { status: 201, description: 'The substitute’s invitation.', body: 'InvitationSent' },
    notFound: 'No such delegation at this conference.',
    conflict: 'The registration is not an active member, or the address already has a pending invitation.',
  },
  GetParticipants: {
    summary: 'The public List of Participants',
    description:
      'The seat holders who consented to publication (`consentToPublish`), by delegation (those of none ' +
      'last) then family name: given and family name, organization, country and delegation, nothing else. ' +
      'A withdrawn consent or an erasure removes the person within seconds.',
    tag: 'Registrations',
    success: { status: 200, description: 'The participants.', body: 'Participants' },
    notFound: 'No such conference.',
  },
};
