import { localizedConference } from '../../domain/projections/agenda.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { html, pageResponse } from '../pages/page.js';
import { pageStrings } from '../pages/strings.js';
import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { negotiatedLanguage } from '../shared/http/language.js';

/**
 * `GET .../registrations/{registrationId}/manage#token=…`: the delegate's page (CONTRACT 5.6). The token
 * is in the fragment, which the browser never sends: this answer is the same for everyone, and the
 * page's script reads the registration with the token through the API.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const conference = await loadConference(conferenceId);
  const language = negotiatedLanguage(request, conferenceLanguages(conference), { lenient: true });
  const strings = pageStrings[language];
  const { name } = localizedConference(conference, language);
  return pageResponse({
    language,
    title: `${strings.manageTitle}: ${name}`,
    script: 'manage',
    main: `<h1>${html(strings.manageTitle)}</h1>
<p>${html(name)}</p>
<noscript><p class="error">${html(strings.needsScript)}</p></noscript>
<div id="content"></div>`,
    data: { conferenceId, registrationId },
  });
});
