import { type Conference, conferenceNameIn } from '../conference/decider.js';
import { personalDataOf } from '../registration/decider.js';
import type { DelegatePersonal, RegistrationEvent, RejectionReasonCode } from '../registration/events.js';
import { conferenceLanguages, type Language, type Translatable, textIn } from '../shared/languages.js';
import { fullName, type NameOrder } from '../shared/names.js';
import { normalizeEmail } from '../shared/values.js';
import { calendarDate, type MessageId, type MessageValues, message } from './messages/index.js';

/** Whom a delegate email is for: the registration and the names it greets. */
export interface EmailRecipient {
  registrationId: string;
  givenName: string;
  familyName: string;
  /** The order the name is written in, when the delegate chose one (else by its script: "Dear 李明"). */
  nameOrder?: NameOrder | null;
  /** The details a changed registration now has: listed in its email. */
  email?: string;
  city?: string;
  organization?: string;
}

/** The notices of a seat just taken: they carry the check-in code. */
export const seatNotices: readonly string[] = ['registered', 'promoted'];

export type DelegateNotice =
  | 'registered'
  | 'waitlisted'
  | 'promoted'
  | 'cancelled'
  | 'details-changed'
  | 'pending'
  | 'rejected';

export const noticeOf: Partial<Record<string, DelegateNotice>> = {
  DelegateRegistered: 'registered',
  DelegateWaitlisted: 'waitlisted',
  WaitlistedDelegatePromoted: 'promoted',
  RegistrationCancelled: 'cancelled',
  DelegateDetailsChanged: 'details-changed',
  // A moderated category's registration (CONTRACT 5.3): told it awaits a decision, then of the decision.
  RegistrationPending: 'pending',
  RegistrationRejected: 'rejected',
};

/**
 * The notice an event of a registration is told to its delegate with, if any: an approval is told as the
 * registration it became (a seat, with the check-in code, or the waitlist), as a new registration is.
 */
export const delegateNoticeOf = (event: { type: string; data: unknown }): DelegateNotice | undefined => {
  if (event.type === 'RegistrationApproved')
    return (event.data as { status: string }).status === 'registered' ? 'registered' : 'waitlisted';
  return noticeOf[event.type];
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
  'RegistrationPending',
  'RegistrationApproved',
  'RegistrationRejected',
  ...agendaChangeEventTypes,
  // Visa letter decisions (domain/notifications/visa-letter-email.ts).
  'VisaLetterIssued',
  'VisaLetterDeclined',
  // A delegation's focal point gets its delegation link (domain/notifications/delegation-email.ts).
  'DelegationCreated',
  // Invitations and their reminders (domain/notifications/invitation-email.ts).
  'InvitationSent',
  'InvitationReminded',
] as const;

export interface EmailContent {
  /** The language it is written in (the HTML part's `lang` and, for Arabic, `dir="rtl"`). */
  language: Language;
  subject: string;
  /** The seat holder's check-in code: shown as text and as a QR code image. */
  checkInCode?: string;
  /** Paragraphs, shared by the plain-text and the HTML part. */
  paragraphs: string[];
  facts: [label: string, value: string][];
}

/** What an email is written for: the delegate's language and the conference's time zone for moments. */
export interface EmailLocale {
  language: Language;
  /** The delegate's page (CONTRACT 5.6), linked instead of describing API calls. */
  managePage: string;
}

/** The conference's dates and daily hours, in the language's conventions. */
export const conferenceFacts = (conference: Conference, language: Language): EmailContent['facts'] => {
  const dates =
    conference.startDate === conference.endDate
      ? message(language, 'date', { start: calendarDate(conference.startDate) })
      : message(language, 'dates', {
          start: calendarDate(conference.startDate),
          end: calendarDate(conference.endDate),
        });
  const { dailyStart, dailyEnd, timezone } = conference;
  const hours = message(language, 'dailyHours', { dailyStart, dailyEnd, timezone });
  return [
    [message(language, 'fact.conference'), conferenceNameIn(conference, language)],
    [message(language, 'fact.dates'), `${dates}, ${hours}`],
    [message(language, 'fact.venue'), `${conference.venue}, ${conference.city}`],
  ];
};

const statusLabel: Record<DelegateNotice, MessageId> = {
  registered: 'label.registered',
  waitlisted: 'label.waitlisted',
  promoted: 'label.registered',
  cancelled: 'label.cancelled',
  'details-changed': 'label.unchanged',
  pending: 'label.pending',
  rejected: 'label.rejected',
};

const subjectOf: Record<DelegateNotice, MessageId> = {
  registered: 'subject.registered',
  waitlisted: 'subject.waitlisted',
  promoted: 'subject.promoted',
  cancelled: 'subject.cancelled',
  'details-changed': 'subject.details-changed',
  pending: 'pending.subject',
  rejected: 'rejected.subject',
};

const statusOf: Record<DelegateNotice, MessageId> = {
  registered: 'status.registered',
  waitlisted: 'status.waitlisted',
  promoted: 'status.promoted',
  cancelled: 'status.cancelled',
  'details-changed': 'status.details-changed',
  pending: 'pending.body',
  rejected: 'rejected.body',
};

/** Why a registration was rejected, as its email tells it: the reason and the organizers' message, if any. */
export interface RejectionNotice {
  reasonCode: RejectionReasonCode;
  message?: Translatable;
}

/** A reason code as the catalogs' select takes it: ICU selectors are identifiers (`not-eligible` → `not_eligible`). */
export const reasonSelector = (reasonCode: RejectionReasonCode): string => reasonCode.replaceAll('-', '_');

/** The paragraphs that say why: the reason, and the organizers' message in the delegate's language. */
const rejectionParagraphs = (
  rejection: RejectionNotice | undefined,
  conference: Conference,
  language: Language,
): string[] => {
  if (!rejection) return [];
  const { defaultLanguage } = conferenceLanguages(conference);
  const written =
    rejection.message === undefined ? undefined : textIn(rejection.message, language, defaultLanguage);
  return [
    message(language, 'rejected.reason', { reasonCode: reasonSelector(rejection.reasonCode) }),
    ...(written ? [message(language, 'rejected.message', { message: written })] : []),
  ];
};

/** The greeting and the signature of every delegate email. */
export const greeting = (registration: EmailRecipient, language: Language) =>
  message(language, 'greeting', { name: fullName(registration) });
export const signature = (conference: Conference, language: Language) =>
  message(language, 'team', { acronym: conference.acronym });

/** The email a delegate gets when their registration changes (CONTRACT section 3, notifications). */
export const delegateEmail = (
  notice: DelegateNotice,
  registration: EmailRecipient,
  conference: Conference,
  { language, managePage }: EmailLocale,
  checkInCode?: string,
  rejection?: RejectionNotice,
): EmailContent => {
  const say = (id: MessageId, values?: MessageValues) => message(language, id, values);
  const paragraphs = [
    greeting(registration, language),
    say(statusOf[notice]),
    ...(notice === 'rejected' ? rejectionParagraphs(rejection, conference, language) : []),
    ...(checkInCode ? [say('checkInCode', { code: checkInCode })] : []),
    ...(notice === 'cancelled' || notice === 'rejected' ? [] : [say('manage', { link: managePage })]),
    signature(conference, language),
  ];
  return {
    language,
    subject: say(subjectOf[notice], { acronym: conference.acronym }),
    ...(checkInCode ? { checkInCode } : {}),
    paragraphs,
    facts: [
      ...conferenceFacts(conference, language),
      ...(notice === 'details-changed'
        ? ([
            [say('fact.name'), fullName(registration)],
            [say('fact.email'), registration.email ?? ''],
            [say('fact.city'), registration.city ?? ''],
            [say('fact.organization'), registration.organization ?? '—'],
          ] as [string, string][])
        : [[say('fact.status'), say(statusLabel[notice])] as [string, string]]),
      [say('fact.registration'), registration.registrationId],
      ...(checkInCode ? [[say('fact.checkInCode'), checkInCode] as [string, string]] : []),
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
export const previousAddressEmail = (
  registration: EmailRecipient,
  conference: Conference,
  language: Language,
): EmailContent => ({
  language,
  subject: message(language, 'previousAddress.subject', { acronym: conference.acronym }),
  paragraphs: [
    greeting(registration, language),
    message(language, 'previousAddress.moved'),
    message(language, 'notYou'),
    signature(conference, language),
  ],
  facts: [
    [message(language, 'fact.conference'), conferenceNameIn(conference, language)],
    [message(language, 'fact.registration'), registration.registrationId],
  ],
});
