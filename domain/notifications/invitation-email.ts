import { type Conference, conferenceNameIn } from '../conference/decider.js';
import type { InviteePersonal } from '../invitation/events.js';
import type { Language } from '../shared/languages.js';
import { fullName } from '../shared/names.js';
import { conferenceFacts, type EmailContent, signature } from './delegate-email.js';
import { type MessageId, type MessageValues, message } from './messages/index.js';

export type InvitationNotice = 'invitation' | 'reminder';

/** The links an invitation email carries: the register page with the code, and where to decline. */
export interface InvitationLinks {
  register: string;
  decline: string;
}

/**
 * The email of an invitation or its reminder (CONTRACT 5.3): the link with the code, until when it works,
 * and how to decline, in the invitee's language (else the conference's default), the expiry shown in the
 * conference's time zone.
 */
export const invitationEmail = (
  notice: InvitationNotice,
  invitee: Pick<InviteePersonal, 'givenName' | 'familyName'>,
  invitation: { expiresAt: string },
  conference: Conference,
  language: Language,
  links: InvitationLinks,
): EmailContent => {
  const say = (id: MessageId, values?: MessageValues) => message(language, id, values, conference.timezone);
  const { givenName, familyName } = invitee;
  const greeting =
    givenName !== undefined && familyName !== undefined
      ? say('greeting', { name: fullName({ givenName, familyName }) })
      : say('greeting.invitee');
  return {
    language,
    subject: say(notice === 'invitation' ? 'invitation.subject' : 'reminder.subject', {
      acronym: conference.acronym,
    }),
    paragraphs: [
      greeting,
      say('invitation.body', { conference: conferenceNameIn(conference, language), link: links.register }),
      say('invitation.expires', { expiresAt: new Date(invitation.expiresAt) }),
      say('invitation.decline', { link: links.decline }),
      signature(conference, language),
    ],
    facts: conferenceFacts(conference, language),
  };
};
