import { type Conference, conferenceNameIn } from '../conference/decider.js';
import type { Language } from '../shared/languages.js';
import { type EmailContent, greeting, signature } from './delegate-email.js';
import { type MessageId, type MessageValues, message } from './messages/index.js';

/** The delegation events a focal point is emailed about (CONTRACT 5.3). */
export const delegationNotifierEventTypes = ['DelegationCreated'] as const;

/**
 * The focal point's email: they act for the delegation with the link, which carries the delegation token
 * (in the fragment: no server log ever holds it). Written in the focal point's language.
 */
export const delegationEmail = (
  delegation: { name: string; quota: number },
  focalPoint: { givenName: string; familyName: string },
  conference: Conference,
  language: Language,
  link: string,
): EmailContent => {
  const say = (id: MessageId, values?: MessageValues) => message(language, id, values);
  return {
    language,
    subject: say('delegation.subject', { acronym: conference.acronym, delegation: delegation.name }),
    paragraphs: [
      greeting({ registrationId: '', ...focalPoint }, language),
      say('delegation.body', {
        delegation: delegation.name,
        conference: conferenceNameIn(conference, language),
        quota: delegation.quota,
        link,
      }),
      say('delegation.keep'),
      signature(conference, language),
    ],
    facts: [],
  };
};
