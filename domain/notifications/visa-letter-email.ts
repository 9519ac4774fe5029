import type { Conference } from '../conference/decider.js';
import type { Language } from '../shared/languages.js';
import {
  conferenceFacts,
  type EmailContent,
  type EmailRecipient,
  greeting,
  signature,
} from './delegate-email.js';
import { type MessageId, type MessageValues, message } from './messages/index.js';

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
  language: Language,
): EmailContent => {
  const say = (id: MessageId, values?: MessageValues) => message(language, id, values);
  const { acronym } = conference;
  const facts: EmailContent['facts'] = [
    ...conferenceFacts(conference, language),
    [say('fact.registration'), registration.registrationId],
  ];
  if (decision.notice === 'issued')
    return {
      language,
      subject: say('visa.issued.subject', { acronym }),
      paragraphs: [
        greeting(registration, language),
        say('visa.issued.attached', { attachment: decision.attachment }),
        say('visa.issued.verify', { url: decision.verificationUrl }),
        say('visa.issued.again'),
        signature(conference, language),
      ],
      facts: [...facts, [say('fact.verificationCode'), decision.verificationCode]],
    };
  return {
    language,
    subject: say('visa.declined.subject', { acronym }),
    paragraphs: [
      greeting(registration, language),
      say('visa.declined.sorry'),
      say('visa.declined.reason', { reason: decision.reason }),
      say('visa.declined.again'),
      signature(conference, language),
    ],
    facts,
  };
};
