import { type Conference, conferenceNameIn } from '../conference/decider.js';
import { personalDataOf } from '../registration/decider.js';
import type { DelegatePersonal, RegistrationEvent } from '../registration/events.js';
import { normalizeEmail } from '../shared/values.js';

/** Whom a delegate email is for: the registration and the names it greets. */
export interface EmailRecipient {
  registrationId: string;
  givenName: string;
  familyName: string;
  /** The details a changed registration now has: listed in its email. */
  email?: string;
  city?: string;
  organization?: string;
}

/** The notices of a seat just taken: they carry the check-in code. */
export const seatNotices: readonly string[] = ['registered', 'promoted'];

export type DelegateNotice = 'registered' | 'waitlisted' | 'promoted' | 'cancelled' | 'details-changed';

export const noticeOf: Partial<Record<string, DelegateNotice>> = {
  DelegateRegistered: 'registered',
  DelegateWaitlisted: 'waitlisted',
  WaitlistedDelegatePromoted: 'promoted',
  RegistrationCancelled: 'cancelled',
  DelegateDetailsChanged: 'details-changed',
};

/** Session changes that subscribers of the agenda-changes topic are told about. */
export const agendaChangeEventTypes = ['SessionRescheduled', 'SessionCancelled'] as const;

/** Everything the notifier acts on: the delegate emails and the agenda changes. */
export const notifierEventTypes = [
  'DelegateRegistered',
  'DelegateWaitlisted',
  'WaitlistedDelegatePromoted',
  'RegistrationCancelled',
  'DelegateDetailsChanged',
  ...agendaChangeEventTypes,
  // Visa letter decisions (domain/notifications/visa-letter-email.ts).
  'VisaLetterIssued',
  'VisaLetterDeclined',
] as const;

export interface EmailContent {
  subject: string;
  /** The seat holder's check-in code: shown as text and as a QR code image. */
  checkInCode?: string;
  /** Paragraphs, shared by the plain-text and the HTML part. */
  paragraphs: string[];
  facts: [label: string, value: string][];
}

const formatDates = (conference: Conference) => {
  const format = (date: string) =>
    new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(`${date}T00:00:00Z`));
  return conference.startDate === conference.endDate
    ? format(conference.startDate)
    : `${format(conference.startDate)} – ${format(conference.endDate)}`;
};

const statusLine: Record<DelegateNotice, (conference: Conference) => string> = {
  registered: () => 'Your registration is confirmed: a seat is reserved for you.',
  waitlisted: () =>
    'All seats are taken for now, so you are on the waitlist. When a seat frees up, the longest-waiting delegate gets it automatically and is told by email.',
  promoted: () => 'Good news: a seat has freed up and it is now yours. Your registration is confirmed.',
  cancelled: () => 'Your registration has been cancelled. We hope to see you at a future conference.',
  'details-changed': () =>
    'The details of your registration have been changed. They now read as below; if you did not ask for this change, please reply to this email.',
};

const subjects: Record<DelegateNotice, string> = {
  registered: 'Registration confirmed',
  waitlisted: 'You are on the waitlist',
  promoted: 'A seat is now yours',
  cancelled: 'Registration cancelled',
  'details-changed': 'Your registration details were changed',
};

const statusLabel: Record<DelegateNotice, string> = {
  registered: 'registered',
  waitlisted: 'waitlisted',
  promoted: 'registered',
  cancelled: 'cancelled',
  'details-changed': 'unchanged',
};

/** The email a delegate gets when their registration changes (CONTRACT section 3, notifications). */
export const delegateEmail = (
  notice: DelegateNotice,
  registration: EmailRecipient,
  conference: Conference,
  checkInCode?: string,
): EmailContent => {
  const cancelPath = `POST /conferences/${conference.conferenceId}/registrations/${registration.registrationId}/cancel`;
  const paragraphs = [
    `Dear ${registration.givenName} ${registration.familyName},`,
    statusLine[notice](conference),
    ...(checkInCode
      ? [
          `At the registration desk, show the QR code in this email (or on your badge), or give the check-in code ${checkInCode}. It checks you in and nothing else; keep it to yourself.`,
        ]
      : []),
    ...(notice === 'cancelled'
      ? []
      : [
          `To cancel, send ${cancelPath} with the header X-Manage-Token set to the manage token you received when you registered. Cancelling frees your seat for a delegate on the waitlist.`,
        ]),
    `The ${conference.acronym} team`,
  ];
  return {
    subject: `${conference.acronym}: ${subjects[notice]}`,
    ...(checkInCode ? { checkInCode } : {}),
    paragraphs,
    facts: [
      ['Conference', conferenceNameIn(conference)],
      [
        'Dates',
        `${formatDates(conference)}, ${conference.dailyStart}–${conference.dailyEnd} (${conference.timezone})`,
      ],
      ['Venue', `${conference.venue}, ${conference.city}`],
      ...(notice === 'details-changed'
        ? ([
            ['Name', `${registration.givenName} ${registration.familyName}`],
            ['Email', registration.email ?? ''],
            ['City', registration.city ?? ''],
            ['Organization', registration.organization ?? '—'],
          ] as [string, string][])
        : [['Status', statusLabel[notice]] as [string, string]]),
      ['Registration', registration.registrationId],
      ...(checkInCode ? [['Check-in code', checkInCode] as [string, string]] : []),
    ],
  };
};

/**
 * The delegate as they were before the last event of `history`, if that event moved the registration to
 * another address (a change of case only is the same mailbox); else undefined.
 */
export const movedAwayFrom = (history: readonly RegistrationEvent[]): DelegatePersonal | undefined => {
  const before = personalDataOf(history.slice(0, -1));
  const after = personalDataOf(history);
  if (typeof before !== 'object' || typeof after !== 'object') return undefined;
  return normalizeEmail(before.email) === normalizeEmail(after.email) ? undefined : before;
};

/**
 * The email to the address a registration had before a correction moved it elsewhere: its owner learns of
 * the change even if it was not theirs to make. It names neither the new address nor the other details.
 */
export const previousAddressEmail = (registration: EmailRecipient, conference: Conference): EmailContent => ({
  subject: `${conference.acronym}: The email address of your registration was changed`,
  paragraphs: [
    `Dear ${registration.givenName} ${registration.familyName},`,
    'The email address of your registration has been changed from this address to another one; messages about your registration now go there.',
    'If you did not ask for this change, please reply to this email.',
    `The ${conference.acronym} team`,
  ],
  facts: [
    ['Conference', conferenceNameIn(conference)],
    ['Registration', registration.registrationId],
  ],
});
