import { type Conference, conferenceNameIn } from '../conference/decider.js';
import { personalDataOf } from '../registration/decider.js';
import type { DelegatePersonal, RegistrationEvent } from '../registration/events.js';
import type { Language } from '../shared/languages.js';
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
): EmailContent => {
  const say = (id: MessageId, values?: MessageValues) => message(language, id, values);
  const paragraphs = [
    greeting(registration, language),
    say(`status.${notice}`),
    ...(checkInCode ? [say('checkInCode', { code: checkInCode })] : []),
    ...(notice === 'cancelled' ? [] : [say('manage', { link: managePage })]),
    signature(conference, language),
  ];
  return {
    language,
    subject: say(`subject.${notice}`, { acronym: conference.acronym }),
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
