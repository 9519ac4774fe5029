import { type Conference, conferenceNameIn } from '../../../domain/conference/decider.js';
import type { Registration } from '../../../domain/registration/decider.js';
import { GoneError } from '../../../domain/shared/errors.js';
import { conferenceLanguages } from '../../../domain/shared/languages.js';
import {
  type VisaLetterCommand,
  type VisaLetterContext,
  visaLetterDecider,
  visaLetterStreamId,
} from '../../../domain/visa-letter/decider.js';
import type { VisaLetterEvent, VisaLetterRequest } from '../../../domain/visa-letter/events.js';
import { type OpenedVisaLetter, openedVisaLetterOf } from '../../../domain/visa-letter/letter.js';
import type { VisaLetterDocument } from '../documents/visa-letter.js';
import { openedEventStore } from '../event-store/stores.js';
import { existingConference, loadConference } from './conference.js';
import { defineCommand } from './pipeline.js';
import { existingRegistration, loadRegistration } from './registrations.js';
import { conferenceStream, registrationStream, visaLetterStream } from './streams.js';

const erasedAnswer = () => new GoneError('The personal data of this registration was erased');

/** What the decider needs of the registration and the conference. */
const letterContext = (registration: Registration, conference: Conference): VisaLetterContext => ({
  seatHolder: registration.status === 'registered' || registration.status === 'checked-in',
  conferenceEndDate: conference.endDate,
  ...(conference.visaLetterSignatory ? { signatory: conference.visaLetterSignatory } : {}),
});

export interface VisaLetterChange {
  conferenceId: string;
  registrationId: string;
  now: string;
  /** Checked against the registration before deciding (the manage token, or 410 once erased). */
  authorize: (registration: Registration) => void;
}

/**
 * A decision on a registration's visa letter. It depends on the registration (whether it holds a seat,
 * whether it was erased), so the registration's tip is checked unchanged in the same transaction: a
 * cancellation or erasure meanwhile makes it decide again.
 */
const decideOnLetter = (
  change: VisaLetterChange,
  command: (context: VisaLetterContext) => VisaLetterCommand,
) => {
  const { conferenceId, registrationId } = change;
  return defineCommand({
    subject: `The visa letter of registration ${registrationId}`,
    reads: {
      registration: registrationStream(registrationId),
      conference: conferenceStream(conferenceId),
      visaLetter: visaLetterStream(registrationId),
    },
    decide: (streams) => {
      const registration = existingRegistration(streams.registration, conferenceId, registrationId);
      change.authorize(registration);
      if (registration.status === 'erased') throw erasedAnswer();
      const conference = existingConference(streams.conference, conferenceId);
      const events = visaLetterDecider.decide(
        command(letterContext(registration, conference)),
        streams.visaLetter,
      );
      return { append: [{ to: 'visaLetter', events }], unchanged: ['registration'], result: events };
    },
  });
};

/**
 * `request` gives the request body, parsed once the caller is known to be allowed (the manage token is
 * checked on the registration read): a wrong token is 403 whatever the body.
 */
export const requestVisaLetter = (change: VisaLetterChange, request: () => VisaLetterRequest) =>
  decideOnLetter(change, (context) => ({
    type: 'RequestVisaLetter',
    registrationId: change.registrationId,
    request: request(),
    context,
    now: change.now,
  }));

export const issueVisaLetter = (change: VisaLetterChange, verificationCode: string) =>
  decideOnLetter(change, (context) => ({
    type: 'IssueVisaLetter',
    context,
    verificationCode,
    now: change.now,
  }));

export const declineVisaLetter = (change: VisaLetterChange, reason: string) =>
  decideOnLetter(change, () => ({ type: 'DeclineVisaLetter', reason, now: change.now }));

/**
 * A registration's visa letter read opened, with the registration and its conference: for the letter's
 * PDF. 410 once the registration is erased (its letter no longer opens).
 */
export const loadOpenedVisaLetter = async (
  conferenceId: string,
  registrationId: string,
  authorize: (registration: Registration) => void,
): Promise<{ conference: Conference; letter: OpenedVisaLetter | undefined }> => {
  const [registration, conference] = await Promise.all([
    loadRegistration(conferenceId, registrationId),
    loadConference(conferenceId),
  ]);
  authorize(registration);
  if (registration.status === 'erased') throw erasedAnswer();
  const events = (await openedEventStore().load(visaLetterStreamId(registrationId))) as VisaLetterEvent[];
  const letter = openedVisaLetterOf(events);
  if (letter && 'unavailable' in letter) throw erasedAnswer();
  return { conference, letter };
};

/** Where a consulate confirms a letter: the public verification route of the API at `baseUrl`. */
export const verificationUrlOf = (baseUrl: string, verificationCode: string): string =>
  `${baseUrl.replace(/\/+$/, '')}/visa-letters/${encodeURIComponent(verificationCode)}`;

/** What the PDF of an issued letter prints (functions/shared/documents/visa-letter.ts). */
export const visaLetterDocumentOf = (
  conference: Conference,
  letter: OpenedVisaLetter & { status: 'issued' },
  baseUrl: string,
): VisaLetterDocument => {
  const { signatory, verificationCode, decidedAt } = letter;
  if (!signatory || !verificationCode || !decidedAt)
    throw new Error(`The issued visa letter of registration ${letter.registrationId} is incomplete`);
  const { passportName, passportNumber, nationality, dateOfBirth, placeOfIssue } = letter.request;
  return {
    // CONTRACT 5.4: the letter's text in the conference's default language (its name too).
    language: conferenceLanguages(conference).defaultLanguage,
    conference: {
      name: conferenceNameIn(conference),
      acronym: conference.acronym,
      venue: conference.venue,
      city: conference.city,
      country: conference.country,
      startDate: conference.startDate,
      endDate: conference.endDate,
    },
    delegate: {
      passportName,
      passportNumber,
      nationality,
      dateOfBirth,
      ...(placeOfIssue ? { placeOfIssue } : {}),
    },
    signatory,
    issuedAt: decidedAt,
    verificationCode,
    verificationUrl: verificationUrlOf(baseUrl, verificationCode),
  };
};
