/**
 * The HTTP API of CONTRACT section 2, declared once. CDK makes one function and one route per entry;
 * the local HTTP server dispatches to the same handler modules with API Gateway v2 events.
 */
import { PAGE_SCRIPTS, pageScriptFile } from '../../functions/pages/scripts.js';
import { FONT_FILES } from '../../functions/shared/documents/font-files.js';
import type { TableUse } from './table-access.js';
import type { PersonalDataAccess, SensitiveDataAccess } from './tables.js';

export type Access = 'public' | 'organizer' | 'delegate';

/**
 * The concern a route belongs to: its function, log group, invoke permission, integration and route are
 * deployed in the nested stack of that group (infra/constructs/http-api.ts), so the parent stack stays far
 * below CloudFormation's 500 resources however many routes there are. The group follows from the path
 * (`routeGroupRules`, first match), so a new route needs no decision; `group` overrides it.
 */
export const routeGroups = [
  'site',
  'visa-letters',
  'documents',
  'programme',
  'registration',
  'conference',
] as const;

export type RouteGroup = (typeof routeGroups)[number];

/** Path patterns of each group, first match wins; what matches none is in `conference`. */
export const routeGroupRules: ReadonlyArray<readonly [RegExp, RouteGroup]> = [
  // What serves the API's own pages and description: the docs, the scripts, the delegate's pages.
  [/^\/(health|openapi\.json|docs|pages)(\/|$)/, 'site'],
  [/^\/conferences\/\{conferenceId\}\/register$|\/manage$/, 'site'],
  [/visa-letter/, 'visa-letters'],
  [/^\/conferences\/\{conferenceId\}\/(documents|badges\.pdf)(\/|$)/, 'documents'],
  [
    /^\/conferences\/\{conferenceId\}\/(sessions|awards|agenda|schedule|translations|delegate-counts)/,
    'programme',
  ],
  [/\/registrations\b|\/check-ins$|\/manage-link$/, 'registration'],
];

/** The group of a route's nested stack: its own `group`, else the first rule its path matches. */
export const routeGroupOf = (route: Pick<RouteDefinition, 'group' | 'path'>): RouteGroup =>
  route.group ?? routeGroupRules.find(([pattern]) => pattern.test(route.path))?.[1] ?? 'conference';

export interface RouteDefinition {
  /** PascalCase, used for the function's logical id. */
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway path template, e.g. `/conferences/{conferenceId}`. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /**
   * `organizer` routes also get the API Gateway JWT authorizer in the cloud; `delegate` routes accept a
   * manage token or an organizer JWT and so are checked in the handler only. Handlers always check.
   */
  access: Access;
  /** The nested stack it is deployed in (`routeGroups`), instead of the one its path gives (`routeGroupOf`). */
  group?: RouteGroup;
  /** Needs write access to the event store. */
  writes: boolean;
  /**
   * Files the handler reads at run time, by path in the repository: copied next to the function's bundle
   * (infra/constructs/lambda-function.ts) and read with `readBundledFile` (functions/shared/http/bundled-files.ts).
   */
  files?: string[];
  /** What it may do with personal data; without it, nothing (no key, no plaintext). */
  personalData?: PersonalDataAccess;
  /** What it may do with the sensitive answers' keys (CONTRACT 5.2); without it, it is denied them. */
  sensitiveData?: SensitiveDataAccess;
  /**
   * The tables its handler uses (infra/definitions/table-access.ts): `events`, `stream-state` (both for a
   * command: `writes` appends to them), `read-models`, `personal-read-models` (the registrant list, the
   * visa letters). Its role gets exactly these (the data keys follow from `personalData`); absent: no table
   * at all. The local runtime refuses a handler any other table (local/table-grants.ts), so a missing one
   * fails the route's end-to-end tests.
   */
  tables?: readonly TableUse[];
  /**
   * Route-level throttling of the API Gateway stage (requests per second, burst) instead of the stage's
   * default: for a public route whose answers must not be enumerated.
   */
  throttle?: RouteThrottle;
  /**
   * Sends email itself (CONTRACT 5.1: a confirmation link or a manage link carries a secret no event may
   * carry): gets the sender address and SES permission on its identity, and the public base URL for links.
   */
  sendsEmail?: boolean;
  /**
   * Answers a body too large to return inline (CONTRACT 4.3, over 5 MB) with 303 and a link to it:
   * writes it to the exports bucket (EXPORTS_BUCKET) and presigns a GET of it.
   */
  publishesExports?: boolean;
  /**
   * Erases personal data: deletes the stored exports of the conference (EXPORTS_BUCKET; listing and
   * deleting under `exports/<conferenceId>/` only), which may hold the erased delegate's name.
   */
  deletesExports?: boolean;
  /**
   * Checks a focal point's X-Delegation-Token (CONTRACT 5.3), an HMAC under the server's secret: a query
   * route gets kms:GenerateMac on that key too (a command has it for its Idempotency-Key records).
   */
  checksDelegationTokens?: boolean;
  /**
   * Prints PDFs (pdfkit lays out every page on the CPU): a full vCPU (1,769 MB) instead of the 512 MB
   * default's share of one, and `timeoutSeconds` where many pages are printed at once.
   */
  prints?: { timeoutSeconds?: number };
  /**
   * Instead of the 10 s of an HTTP function: a route that runs many commands in one request (the bulk
   * decisions of CONTRACT 5.3), within API Gateway's 30 s integration limit.
   */
  timeoutSeconds?: number;
}

/**
 * Lambda gives a function CPU in proportion to its memory, a full vCPU at 1,769 MB: 600 badges take about
 * 2 s of CPU (bench on this machine), so 7 s or more at 512 MB, beside a 10 s timeout.
 */
export const PRINTING_MEMORY_MB = 1769;
/** All badges of a conference at once: within API Gateway's 30 s integration limit. */
export const BADGES_TIMEOUT_SECONDS = 28;
/** Up to 500 decisions at once (`npm run bench:decisions`): within API Gateway's 30 s integration limit. */
export const DECISIONS_TIMEOUT_SECONDS = 28;

export interface RouteThrottle {
  rateLimit: number;
  burstLimit: number;
}

/**
 * `GET /visa-letters/{verificationCode}` answers anyone (a consulate) at the stage's default limits, with
 * no throttle of its own (issue 16 item 5): a route-level limit is shared by every client, so one client
 * could hold it and make every consulate get 429, and its 128-bit codes cannot be enumerated at the
 * stage's limit either (2^128 guesses at 100 a second outlast the universe).
 */

/** The Scalar API reference bundle (standalone build) that the page of `GET /docs` runs. */
export const DOCS_SCRIPT = 'node_modules/@scalar/api-reference/dist/browser/standalone.js';

const route = (
  name: string,
  method: RouteDefinition['method'],
  path: string,
  file: string,
  access: Access,
  writes = method !== 'GET',
): RouteDefinition => ({ name, method, path, entry: `functions/http/${file}.ts`, access, writes });

export const routes: RouteDefinition[] = [
  route('Health', 'GET', '/health', 'health', 'public'),
  { ...route('ListConferences', 'GET', '/conferences', 'list-conferences', 'public'), tables: ['events'] },
  {
    ...route('CreateConference', 'POST', '/conferences', 'create-conference', 'organizer'),
    tables: ['events', 'stream-state'],
  },
  {
    ...route('GetConference', 'GET', '/conferences/{conferenceId}', 'get-conference', 'public'),
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'ChangeConferenceSettings',
      'POST',
      '/conferences/{conferenceId}/settings',
      'change-conference-settings',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  // registration-form: the organizer's registration form (CONTRACT 5.2).
  {
    ...route(
      'PutRegistrationForm',
      'PUT',
      '/conferences/{conferenceId}/registration-form',
      'put-registration-form',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetRegistrationForm',
      'GET',
      '/conferences/{conferenceId}/registration-form',
      'get-registration-form',
      'public',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetAnswersSummary',
      'GET',
      '/conferences/{conferenceId}/answers-summary',
      'get-answers-summary',
      'organizer',
    ),
    tables: ['events', 'stream-state', 'read-models'],
  },
  {
    ...route(
      'RegisterDelegate',
      'POST',
      '/conferences/{conferenceId}/registrations',
      'register-delegate',
      'public',
    ),
    personalData: 'create',
    sendsEmail: true,
    sensitiveData: 'create',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetRegistration',
      'GET',
      '/conferences/{conferenceId}/registrations/{registrationId}',
      'get-registration',
      'delegate',
    ),
    personalData: 'read',
    sensitiveData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    // The manage token's hash and the email guard's key are in the personal part.
    ...route(
      'CancelRegistration',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/cancel',
      'cancel-registration',
      'delegate',
    ),
    personalData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'ErasePersonalData',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/erase',
      'erase-registration',
      'delegate',
    ),
    deletesExports: true,
    personalData: 'erase',
    tables: ['events', 'stream-state'],
  },
  // Visa invitation letters (CONTRACT 4.4): the command side; every field of a request is personal data.
  {
    ...route(
      'RequestVisaLetter',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/visa-letter',
      'request-visa-letter',
      'delegate',
    ),
    personalData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'IssueVisaLetter',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/visa-letter/issue',
      'issue-visa-letter',
      'organizer',
    ),
    personalData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'DeclineVisaLetter',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/visa-letter/decline',
      'decline-visa-letter',
      'organizer',
    ),
    personalData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetVisaLetterPdf',
      'GET',
      '/conferences/{conferenceId}/registrations/{registrationId}/visa-letter.pdf',
      'get-visa-letter-pdf',
      'delegate',
    ),
    personalData: 'read',
    files: Object.values(FONT_FILES),
    prints: {},
    tables: ['events', 'stream-state'],
  },
  // The registration desk (CONTRACT 4.3): the registrant list and its CSV export.
  {
    ...route(
      'ListRegistrations',
      'GET',
      '/conferences/{conferenceId}/registrations',
      'list-registrations',
      'organizer',
    ),
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
  {
    ...route(
      'ExportRegistrations',
      'GET',
      '/conferences/{conferenceId}/registrations.csv',
      'export-registrations',
      'organizer',
    ),
    publishesExports: true,
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
  {
    ...route(
      'CheckInDelegate',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/check-in',
      'check-in-delegate',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  // desk-registration: corrections, check-in by code, badges (CONTRACT 4.3).
  {
    // The current details are read opened; a new email's guard key is a MAC under the HMAC key.
    ...route(
      'ChangeRegistrationDetails',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/details',
      'change-registration-details',
      'delegate',
    ),
    personalData: 'read-mac',
    sensitiveData: 'create',
    tables: ['events', 'stream-state'],
  },
  {
    // Verifies the code's MAC under the HMAC key and tells the desk who arrived.
    ...route(
      'CheckInByCode',
      'POST',
      '/conferences/{conferenceId}/check-ins',
      'check-in-by-code',
      'organizer',
    ),
    personalData: 'read-mac',
    tables: ['events', 'stream-state'],
  },
  {
    // The delegate's page shows it as a QR code (CONTRACT 5.6): a MAC of the id, as the badge prints it.
    ...route(
      'GetCheckInCode',
      'GET',
      '/conferences/{conferenceId}/registrations/{registrationId}/check-in-code',
      'get-check-in-code',
      'delegate',
    ),
    personalData: 'read-mac',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetRegistrationBadge',
      'GET',
      '/conferences/{conferenceId}/registrations/{registrationId}/badge.pdf',
      'get-registration-badge',
      'delegate',
    ),
    personalData: 'read-mac',
    files: Object.values(FONT_FILES),
    publishesExports: true,
    prints: {},
    tables: ['events', 'stream-state'],
  },
  {
    // Reads the registrant list (plaintext read model); the check-in codes are MACs under the HMAC key.
    ...route('GetBadges', 'GET', '/conferences/{conferenceId}/badges.pdf', 'get-badges', 'organizer'),
    personalData: 'mac',
    files: Object.values(FONT_FILES),
    publishesExports: true,
    prints: { timeoutSeconds: BADGES_TIMEOUT_SECONDS },
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
  // Documents for a whole conference, made in the background (CONTRACT 5.5): infra/constructs/documents.ts
  // lets StartDocument send to the documents queue.
  {
    ...route('StartDocument', 'POST', '/conferences/{conferenceId}/documents', 'start-document', 'organizer'),
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetDocument',
      'GET',
      '/conferences/{conferenceId}/documents/{documentId}',
      'get-document',
      'organizer',
    ),
    tables: ['stream-state'],
  },
  {
    ...route(
      'ScheduleSession',
      'POST',
      '/conferences/{conferenceId}/sessions',
      'schedule-session',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'RescheduleSession',
      'POST',
      '/conferences/{conferenceId}/sessions/{sessionId}/reschedule',
      'reschedule-session',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'CancelSession',
      'POST',
      '/conferences/{conferenceId}/sessions/{sessionId}/cancel',
      'cancel-session',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    ...route('GrantAward', 'POST', '/conferences/{conferenceId}/awards', 'grant-award', 'organizer'),
    tables: ['events', 'stream-state'],
  },
  {
    ...route('ListAwards', 'GET', '/conferences/{conferenceId}/awards', 'list-awards', 'public'),
    tables: ['events', 'stream-state'],
  },
  {
    ...route('GetAgenda', 'GET', '/conferences/{conferenceId}/agenda', 'get-agenda', 'public'),
    tables: ['events', 'stream-state', 'read-models'],
  },
  {
    ...route(
      'GetAgendaCalendar',
      'GET',
      '/conferences/{conferenceId}/agenda.ics',
      'get-agenda-calendar',
      'public',
    ),
    tables: ['events', 'stream-state', 'read-models'],
  },
  {
    ...route('GetSchedule', 'GET', '/conferences/{conferenceId}/schedule.json', 'get-schedule', 'public'),
    tables: ['events', 'stream-state', 'read-models'],
  },
  {
    ...route(
      'GetMissingTranslations',
      'GET',
      '/conferences/{conferenceId}/translations/missing',
      'get-missing-translations',
      'organizer',
    ),
    tables: ['events', 'stream-state', 'read-models'],
  },
  {
    ...route(
      'GetDelegateCounts',
      'GET',
      '/conferences/{conferenceId}/delegate-counts',
      'get-delegate-counts',
      'public',
    ),
    tables: ['events', 'stream-state', 'read-models'],
  },
  // Visa letters read side (CONTRACT 4.4): the organizer's review list and the consulates' verification.
  {
    ...route(
      'ListVisaLetters',
      'GET',
      '/conferences/{conferenceId}/visa-letters',
      'list-visa-letters',
      'organizer',
    ),
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
  {
    ...route('VerifyVisaLetter', 'GET', '/visa-letters/{verificationCode}', 'verify-visa-letter', 'public'),
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
  // The owner of an address confirms it (CONTRACT 5.1).
  {
    // Registers the confirmed request: a data key and the email guard, as RegisterDelegate.
    ...route('ConfirmRegistration', 'POST', '/registrations/confirm', 'confirm-registration', 'public'),
    personalData: 'create',
    // It creates the registration, and with it the key of its sensitive answers (CONTRACT 5.2).
    sensitiveData: 'create',
    tables: ['events', 'stream-state'],
  },
  {
    // The email guard's MAC finds the registration; its new token's hash is sealed under its data key.
    ...route(
      'RequestManageLink',
      'POST',
      '/conferences/{conferenceId}/manage-link',
      'request-manage-link',
      'public',
    ),
    personalData: 'read-mac',
    sendsEmail: true,
    tables: ['events', 'stream-state'],
  },
  route('GetOpenApi', 'GET', '/openapi.json', 'get-openapi', 'public'),
  // The delegate's pages (CONTRACT 5.6): HTML served by the API, each a client of the routes above.
  {
    ...route(
      'GetRegistrationPage',
      'GET',
      '/conferences/{conferenceId}/register',
      'get-registration-page',
      'public',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    // Opens the request its link carries (a MAC-derived key) to show what is being confirmed.
    ...route('GetConfirmationPage', 'GET', '/registrations/confirm', 'get-confirmation-page', 'public'),
    personalData: 'mac',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'GetManagePage',
      'GET',
      '/conferences/{conferenceId}/registrations/{registrationId}/manage',
      'get-manage-page',
      'public',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    ...route('GetPageScript', 'GET', '/pages/{script}', 'get-page-script', 'public'),
    files: PAGE_SCRIPTS.map(pageScriptFile),
  },
  route('GetDocs', 'GET', '/docs', 'get-docs', 'public'),
  {
    ...route('GetDocsAsset', 'GET', '/docs/assets/api-reference.js', 'get-docs-asset', 'public'),
    files: [DOCS_SCRIPT],
  },
  {
    // Approves or rejects pending registrations (CONTRACT 5.3): a rejection's message is sealed under the
    // registration's data key, a rejection releases the email guard read from the opened state.
    ...route(
      'DecideRegistrations',
      'POST',
      '/conferences/{conferenceId}/registration-decisions',
      'decide-registrations',
      'organizer',
    ),
    personalData: 'read',
    timeoutSeconds: DECISIONS_TIMEOUT_SECONDS,
    tables: ['events', 'stream-state'],
  },
  // Invitations bound to one address (CONTRACT 5.3).
  {
    // Makes the invitation's data key (the invitee sealed) and the address's MAC (the guard's key).
    // An organizer or a delegation's focal point (X-Delegation-Token): authorized in the handler.
    ...route(
      'SendInvitation',
      'POST',
      '/conferences/{conferenceId}/invitations',
      'send-invitation',
      'public',
    ),
    personalData: 'create',
    checksDelegationTokens: true,
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'ListInvitations',
      'GET',
      '/conferences/{conferenceId}/invitations',
      'list-invitations',
      'organizer',
    ),
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
  {
    ...route(
      'RemindInvitation',
      'POST',
      '/conferences/{conferenceId}/invitations/{invitationId}/remind',
      'remind-invitation',
      'organizer',
    ),
    personalData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'RevokeInvitation',
      'POST',
      '/conferences/{conferenceId}/invitations/{invitationId}/revoke',
      'revoke-invitation',
      'organizer',
    ),
    personalData: 'read',
    tables: ['events', 'stream-state'],
  },
  {
    // The code is a MAC under the HMAC key: checking it needs that key.
    ...route('DeclineInvitation', 'POST', '/invitations/decline', 'decline-invitation', 'public'),
    personalData: 'read-mac',
    tables: ['events', 'stream-state'],
  },
  // Delegations and the List of Participants (CONTRACT 5.3).
  {
    // Seals the focal point under the delegation's own data key, made with its first event.
    ...route(
      'CreateDelegation',
      'POST',
      '/conferences/{conferenceId}/delegations',
      'create-delegation',
      'organizer',
    ),
    personalData: 'create',
    tables: ['events', 'stream-state'],
  },
  {
    // An organizer or the focal point (X-Delegation-Token), checked in the handler; members from the list.
    ...route(
      'GetDelegation',
      'GET',
      '/conferences/{conferenceId}/delegations/{delegationId}',
      'get-delegation',
      'public',
    ),
    tables: ['events', 'stream-state', 'personal-read-models'],
    checksDelegationTokens: true,
  },
  {
    ...route(
      'NameHeadOfDelegation',
      'POST',
      '/conferences/{conferenceId}/delegations/{delegationId}/head',
      'name-head-of-delegation',
      'public',
    ),
    checksDelegationTokens: true,
    tables: ['events', 'stream-state'],
  },
  {
    ...route(
      'ChangeDelegationCredentials',
      'POST',
      '/conferences/{conferenceId}/delegations/{delegationId}/credentials',
      'change-delegation-credentials',
      'organizer',
    ),
    tables: ['events', 'stream-state'],
  },
  {
    // Cancels the member (its email guard read opened) and seals the substitute's invitation, in one step.
    ...route(
      'SubstituteDelegationMember',
      'POST',
      '/conferences/{conferenceId}/delegations/{delegationId}/substitute',
      'substitute-delegation-member',
      'public',
    ),
    personalData: 'read-create',
    checksDelegationTokens: true,
    tables: ['events', 'stream-state'],
  },
  {
    // The participant entries of the registrant list: only the public fields of consenting seat holders.
    ...route(
      'GetParticipants',
      'GET',
      '/conferences/{conferenceId}/participants',
      'get-participants',
      'public',
    ),
    tables: ['events', 'stream-state', 'personal-read-models'],
  },
];
