import { type Conference, conferenceNameIn } from '../conference/decider.js';
import type { EmailContent, EmailRecipient } from './delegate-email.js';

/** The visa letter events a delegate is emailed about (CONTRACT section 4.4). */
export const visaLetterNoticeOf: Partial<Record<string, VisaLetterNotice>> = {
  VisaLetterIssued: 'issued',
  VisaLetterDeclined: 'declined',
};

export type VisaLetterNotice = 'issued' | 'declined';

export const visaLetterNotifierEventTypes = ['VisaLetterIssued', 'VisaLetterDeclined'] as const;

/** The decision an email tells: the verification address of an issued letter, the reason of a declined one. */
export type VisaLetterDecision =
  | { notice: 'issued'; verificationCode: string; verificationUrl: string; attachment: string }
  | { notice: 'declined'; reason: string };

/** The email about a decision on a delegate's visa letter request. */
export const visaLetterEmail = (
  decision: VisaLetterDecision,
  registration: EmailRecipient,
  conference: Conference,
): EmailContent => {
  const greeting = `Dear ${registration.givenName} ${registration.familyName},`;
  const team = `The ${conference.acronym} team`;
  const facts: EmailContent['facts'] = [
    ['Conference', conferenceNameIn(conference)],
    ['Dates', `${conference.startDate} – ${conference.endDate}`],
    ['Venue', `${conference.venue}, ${conference.city}`],
    ['Registration', registration.registrationId],
  ];
  if (decision.notice === 'issued')
    return {
      subject: `${conference.acronym}: Your letter of invitation for the visa application`,
      paragraphs: [
        greeting,
        `Your letter of invitation is attached (${decision.attachment}). Present it to the consulate with your visa application.`,
        `A consular officer can confirm the letter at ${decision.verificationUrl}, or by scanning the QR code printed on it.`,
        'You can download the letter again at any time from your registration.',
        team,
      ],
      facts: [...facts, ['Verification code', decision.verificationCode]],
    };
  return {
    subject: `${conference.acronym}: Your visa letter request was declined`,
    paragraphs: [
      greeting,
      'We are sorry: the organizers could not issue a letter of invitation on your request.',
      `The reason given: ${decision.reason}`,
      'If the details of the request can be put right, you may send a new request from your registration.',
      team,
    ],
    facts,
  };
};
