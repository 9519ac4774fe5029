/**
 * The emails of registration requests and manage links (CONTRACT 5.1), in English for now: one function per
 * message, so that a catalog of languages can take their place. None of them is sent by the notifier: each
 * carries a secret that only the function answering the request ever holds.
 */
import type { Conference } from '../conference/decider.js';
import type { EmailContent } from './delegate-email.js';

const conferenceFacts = (conference: Conference): [string, string][] => [
  ['Conference', conference.name],
  [
    'Dates',
    conference.startDate === conference.endDate
      ? conference.startDate
      : `${conference.startDate} – ${conference.endDate}`,
  ],
  ['Venue', `${conference.venue}, ${conference.city}`],
];

/** The link that confirms a request: the token in its query (a GET of it confirms nothing by itself). */
export const confirmationEmail = (
  conference: Conference,
  request: { givenName: string; familyName: string },
  link: string,
  validUntil: string,
): EmailContent => ({
  subject: `${conference.acronym}: please confirm your registration`,
  paragraphs: [
    `Dear ${request.givenName} ${request.familyName},`,
    `Someone, probably you, asked to register this address for ${conference.name}. Nothing is registered until you confirm: open the link below, or send its token in the body {"token": "…"} of POST /registrations/confirm.`,
    `Confirm your registration: ${link}`,
    `The link is valid until ${validUntil} and works once. Your seat (or your place on the waitlist) is decided when you confirm. If you did not ask for this, ignore this email: nothing is kept about the request.`,
    `The ${conference.acronym} team`,
  ],
  facts: [...conferenceFacts(conference), ['Valid until', validUntil]],
});

/** To an address that is already registered: no token, and how to get a new manage link. */
export const alreadyRegisteredEmail = (conference: Conference): EmailContent => ({
  subject: `${conference.acronym}: you are already registered`,
  paragraphs: [
    'Hello,',
    `Someone, probably you, asked to register this address for ${conference.name}, but it already has an active registration: nothing was registered twice.`,
    `If you lost the manage link of your registration, ask for a new one: send POST /conferences/${conference.conferenceId}/manage-link with the body {"email": "<this address>"}. The new link replaces the old one.`,
    'If you did not ask for this, ignore this email.',
    `The ${conference.acronym} team`,
  ],
  facts: conferenceFacts(conference),
});

/** A new manage link: the token only in the fragment, so that no server log ever holds it. */
export const manageLinkEmail = (
  conference: Conference,
  registrationId: string,
  link: string,
): EmailContent => ({
  subject: `${conference.acronym}: your new manage link`,
  paragraphs: [
    'Hello,',
    `Here is a new link to manage your registration for ${conference.name}. The link you had before no longer works.`,
    `Manage your registration: ${link}`,
    'The token after "#token=" is your new manage token (send it as the X-Manage-Token header). Keep it to yourself. If you did not ask for a new link, someone knows your address: your registration is unchanged, and only this email holds the new token.',
    `The ${conference.acronym} team`,
  ],
  facts: [...conferenceFacts(conference), ['Registration', registrationId]],
});
