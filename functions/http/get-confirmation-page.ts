import { conferenceNameIn } from '../../domain/conference/decider.js';
import { requestLanguage } from '../../domain/notifications/registration-request-email.js';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../../domain/shared/languages.js';
import { fullName } from '../../domain/shared/names.js';
import { html, pageResponse } from '../pages/page.js';
import { pageStrings } from '../pages/strings.js';
import { loadConference } from '../shared/commands/conference.js';
import { eventStore } from '../shared/event-store/stores.js';
import { httpRoute } from '../shared/http/http.js';
import {
  isWellFormedRequestToken,
  openRequest,
  requestTokenKey,
} from '../shared/registration-requests/request-token.js';

/** The request a link's token still stands for: it opens, has not expired, and was not confirmed yet. */
const pendingRequest = async (token: string, now: Date) => {
  if (!isWellFormedRequestToken(token)) return undefined;
  const request = await openRequest(token, now);
  if (!request) return undefined;
  if (await eventStore().guardOwner(requestTokenKey(token))) return undefined;
  const conference = await loadConference(request.conferenceId).catch(() => undefined);
  return conference ? { request, conference } : undefined;
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * `GET /registrations/confirm?token=…` (CONTRACT 5.6): the page a confirmation email links to. It shows
 * what is being confirmed (the token opened here, on the server) and a button; the GET itself changes
 * nothing, so a mail scanner that fetches the link confirms nothing. A token that is unknown, expired or
 * used gets a page saying so and what to do, never a stack trace.
 */
export const handler = httpRoute('public', async (request) => {
  const token = request.event.queryStringParameters?.token ?? '';
  const found = await pendingRequest(token, new Date());
  const asked = request.event.queryStringParameters?.lang;
  const language: Language = (LANGUAGES as readonly string[]).includes(asked ?? '')
    ? (asked as Language)
    : found
      ? requestLanguage(found.conference, text(found.request.body.language) || undefined)
      : DEFAULT_LANGUAGE;
  const strings = pageStrings[language];
  if (!found) {
    const answer = pageResponse({
      language,
      title: strings.confirmTitle,
      script: 'confirm',
      main: `<h1>${html(strings.confirmTitle)}</h1>
<p class="error" role="alert">${html(strings.confirmInvalid)}</p>`,
    });
    return { ...answer, status: 404 };
  }
  const { body } = found.request;
  const rows: [string, string][] = [
    [strings.registerTitle, conferenceNameIn(found.conference, language)],
    [
      `${strings.givenName} / ${strings.familyName}`,
      fullName({ givenName: text(body.givenName), familyName: text(body.familyName) }),
    ],
    [strings.email, text(body.email)],
    [strings.category, text(body.category)],
  ];
  return pageResponse({
    language,
    title: strings.confirmTitle,
    script: 'confirm',
    main: `<h1>${html(strings.confirmTitle)}</h1>
<p>${html(strings.confirmIntro)}</p>
<dl>${rows.map(([term, value]) => `<dt>${html(term)}</dt><dd>${html(value)}</dd>`).join('')}</dl>
<noscript><p class="error">${html(strings.needsScript)}</p></noscript>
<button type="button" id="confirm">${html(strings.confirmButton)}</button>`,
  });
});
