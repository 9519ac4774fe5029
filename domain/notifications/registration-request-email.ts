/**
 * The emails of registration requests and manage links (CONTRACT 5.1), from the message catalogs in the
 * language asked for (the request's `language`, else the conference's default). None of them is sent by
 * the notifier: each carries a secret that only the function answering the request ever holds.
 */
import { type Conference, conferenceNameIn } from '../conference/decider.js';
import { REQUEST_LIFETIME_SECONDS } from '../registration/request.js';
import { conferenceLanguages, type Language } from '../shared/languages.js';
import type { NameOrder } from '../shared/names.js';
import { conferenceFacts, type EmailContent, greeting, signature } from './delegate-email.js';
import { message } from './messages/index.js';

/** The language to write a request's email in: the one the body asked for if offered, else the default. */
export const requestLanguage = (conference: Conference, asked: string | undefined): Language => {
  const { languages, defaultLanguage } = conferenceLanguages(conference);
  return languages.find((language) => language === asked) ?? defaultLanguage;
};

/** The link that confirms a request: the token in its query (a GET of it confirms nothing by itself). */
export const confirmationEmail = (
  conference: Conference,
  request: { givenName: string; familyName: string; nameOrder?: NameOrder | null },
  link: string,
  language: Language,
): EmailContent => ({
  language,
  subject: message(language, 'confirm.subject', { acronym: conference.acronym }),
  paragraphs: [
    greeting({ registrationId: '', ...request }, language),
    message(language, 'confirm.body', {
      conference: conferenceNameIn(conference, language),
      hours: REQUEST_LIFETIME_SECONDS / 3600,
    }),
    link,
    message(language, 'confirm.ignore'),
    signature(conference, language),
  ],
  facts: conferenceFacts(conference, language),
});

/** To an address that is already registered: no token, and the page that emails a new manage link. */
export const alreadyRegisteredEmail = (
  conference: Conference,
  managePage: string,
  language: Language,
): EmailContent => ({
  language,
  subject: message(language, 'registeredAlready.subject', { acronym: conference.acronym }),
  paragraphs: [
    message(language, 'registeredAlready.body', { conference: conferenceNameIn(conference, language) }),
    message(language, 'registeredAlready.newLink', { link: managePage }),
    signature(conference, language),
  ],
  facts: conferenceFacts(conference, language),
});

/** A new manage link: the token only in the fragment, so that no server log ever holds it. */
export const manageLinkEmail = (
  conference: Conference,
  registrationId: string,
  link: string,
  language: Language,
): EmailContent => ({
  language,
  subject: message(language, 'manageLink.subject', { acronym: conference.acronym }),
  paragraphs: [
    message(language, 'manageLink.body', { conference: conferenceNameIn(conference, language), link }),
    message(language, 'manageLink.old'),
    signature(conference, language),
  ],
  facts: [...conferenceFacts(conference, language), [message(language, 'fact.registration'), registrationId]],
});
