/**
 * The HTTP API of CONTRACT section 2, declared once. CDK makes one function and one route per entry;
 * the local HTTP server dispatches to the same handler modules with API Gateway v2 events.
 */
import { FONT_FILES } from '../../functions/shared/documents/font-files.js';
import type { PersonalDataAccess } from './tables.js';

export type Access = 'public' | 'organizer' | 'delegate';

export interface RouteDefinition {
  /** PascalCase, used for the function's logical id. */
  name: string;
  method: 'GET' | 'POST';
  /** API Gateway path template, e.g. `/conferences/{conferenceId}`. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /**
   * `organizer` routes also get the API Gateway JWT authorizer in the cloud; `delegate` routes accept a
   * manage token or an organizer JWT and so are checked in the handler only. Handlers always check.
   */
  access: Access;
  /** Needs write access to the event store. */
  writes: boolean;
  /**
   * Files the handler reads at run time, by path in the repository: copied next to the function's bundle
   * (infra/constructs/lambda-function.ts) and read with `readBundledFile` (functions/shared/http/bundled-files.ts).
   */
  files?: string[];
  /** What it may do with personal data; without it, nothing (no key, no plaintext). */
  personalData?: PersonalDataAccess;
  /**
   * Route-level throttling of the API Gateway stage (requests per second, burst) instead of the stage's
   * default: for a public route whose answers must not be enumerated.
   */
  throttle?: RouteThrottle;
  /**
   * Answers a body too large to return inline (CONTRACT 4.3, over 5 MB) with 303 and a link to it:
   * writes it to the exports bucket (EXPORTS_BUCKET) and presigns a GET of it.
   */
  publishesExports?: boolean;
  /**
   * Prints PDFs (pdfkit lays out every page on the CPU): a full vCPU (1,769 MB) instead of the 512 MB
   * default's share of one, and `timeoutSeconds` where many pages are printed at once.
   */
  prints?: { timeoutSeconds?: number };
}

/**
 * Lambda gives a function CPU in proportion to its memory, a full vCPU at 1,769 MB: 600 badges take about
 * 2 s of CPU (bench on this machine), so 7 s or more at 512 MB, beside a 10 s timeout.
 */
export const PRINTING_MEMORY_MB = 1769;
/** All badges of a conference at once: within API Gateway's 30 s integration limit. */
export const BADGES_TIMEOUT_SECONDS = 28;

export interface RouteThrottle {
  rateLimit: number;
  burstLimit: number;
}

/**
 * `GET /visa-letters/{verificationCode}` answers anyone (a consulate): throttled far below the stage's
 * default so that verification codes cannot be enumerated (CONTRACT 4.4, issue 12 item 4). A consulate
 * checks a letter now and then; 128-bit codes at 2 requests a second take longer than the universe's age.
 */
export const VISA_LETTER_VERIFICATION_THROTTLE: RouteThrottle = { rateLimit: 2, burstLimit: 5 };

/** The Scalar API reference bundle (standalone build) that the page of `GET /docs` runs. */
export const DOCS_SCRIPT = 'node_modules/@scalar/api-reference/dist/browser/standalone.js';

const route = (
  name: string,
  method: RouteDefinition['method'],
  path: string,
  file: string,
  access: Access,
  writes = method === 'POST',
): RouteDefinition => ({ name, method, path, entry: `functions/http/${file}.ts`, access, writes });

export const routes: RouteDefinition[] = [
  route('Health', 'GET', '/health', 'health', 'public'),
  route('ListConferences', 'GET', '/conferences', 'list-conferences', 'public'),
  route('CreateConference', 'POST', '/conferences', 'create-conference', 'organizer'),
  route('GetConference', 'GET', '/conferences/{conferenceId}', 'get-conference', 'public'),
  route(
    'ChangeConferenceSettings',
    'POST',
    '/conferences/{conferenceId}/settings',
    'change-conference-settings',
    'organizer',
  ),
  {
    ...route(
      'RegisterDelegate',
      'POST',
      '/conferences/{conferenceId}/registrations',
      'register-delegate',
      'public',
    ),
    personalData: 'create',
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
  },
  {
    ...route(
      'ErasePersonalData',
      'POST',
      '/conferences/{conferenceId}/registrations/{registrationId}/erase',
      'erase-registration',
      'delegate',
    ),
    personalData: 'erase',
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
  },
  // The registration desk (CONTRACT 4.3): the registrant list and its CSV export.
  route(
    'ListRegistrations',
    'GET',
    '/conferences/{conferenceId}/registrations',
    'list-registrations',
    'organizer',
  ),
  {
    ...route(
      'ExportRegistrations',
      'GET',
      '/conferences/{conferenceId}/registrations.csv',
      'export-registrations',
      'organizer',
    ),
    publishesExports: true,
  },
  route(
    'CheckInDelegate',
    'POST',
    '/conferences/{conferenceId}/registrations/{registrationId}/check-in',
    'check-in-delegate',
    'organizer',
  ),
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
    files: [FONT_FILES.regular, FONT_FILES.bold],
    publishesExports: true,
    prints: {},
  },
  {
    // Reads the registrant list (plaintext read model); the check-in codes are MACs under the HMAC key.
    ...route('GetBadges', 'GET', '/conferences/{conferenceId}/badges.pdf', 'get-badges', 'organizer'),
    personalData: 'mac',
    files: [FONT_FILES.regular, FONT_FILES.bold],
    publishesExports: true,
    prints: { timeoutSeconds: BADGES_TIMEOUT_SECONDS },
  },
  // Documents for a whole conference, made in the background (CONTRACT 5.5): infra/constructs/documents.ts
  // lets StartDocument send to the documents queue.
  route('StartDocument', 'POST', '/conferences/{conferenceId}/documents', 'start-document', 'organizer'),
  route(
    'GetDocument',
    'GET',
    '/conferences/{conferenceId}/documents/{documentId}',
    'get-document',
    'organizer',
  ),
  route('ScheduleSession', 'POST', '/conferences/{conferenceId}/sessions', 'schedule-session', 'organizer'),
  route(
    'RescheduleSession',
    'POST',
    '/conferences/{conferenceId}/sessions/{sessionId}/reschedule',
    'reschedule-session',
    'organizer',
  ),
  route(
    'CancelSession',
    'POST',
    '/conferences/{conferenceId}/sessions/{sessionId}/cancel',
    'cancel-session',
    'organizer',
  ),
  route('GrantAward', 'POST', '/conferences/{conferenceId}/awards', 'grant-award', 'organizer'),
  route('ListAwards', 'GET', '/conferences/{conferenceId}/awards', 'list-awards', 'public'),
  route('GetAgenda', 'GET', '/conferences/{conferenceId}/agenda', 'get-agenda', 'public'),
  route(
    'GetAgendaCalendar',
    'GET',
    '/conferences/{conferenceId}/agenda.ics',
    'get-agenda-calendar',
    'public',
  ),
  route('GetSchedule', 'GET', '/conferences/{conferenceId}/schedule.json', 'get-schedule', 'public'),
  route(
    'GetDelegateCounts',
    'GET',
    '/conferences/{conferenceId}/delegate-counts',
    'get-delegate-counts',
    'public',
  ),
  // Visa letters read side (CONTRACT 4.4): the organizer's review list and the consulates' verification.
  route(
    'ListVisaLetters',
    'GET',
    '/conferences/{conferenceId}/visa-letters',
    'list-visa-letters',
    'organizer',
  ),
  {
    ...route('VerifyVisaLetter', 'GET', '/visa-letters/{verificationCode}', 'verify-visa-letter', 'public'),
    throttle: VISA_LETTER_VERIFICATION_THROTTLE,
  },
  route('GetOpenApi', 'GET', '/openapi.json', 'get-openapi', 'public'),
  route('GetDocs', 'GET', '/docs', 'get-docs', 'public'),
  {
    ...route('GetDocsAsset', 'GET', '/docs/assets/api-reference.js', 'get-docs-asset', 'public'),
    files: [DOCS_SCRIPT],
  },
];
