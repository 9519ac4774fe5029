import { localizedConference } from '../../domain/projections/agenda.js';
import { delegateCategories } from '../../domain/registration/events.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { html, pageResponse } from '../pages/page.js';
import { pageStrings } from '../pages/strings.js';
import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { negotiatedLanguage } from '../shared/http/language.js';

/** `GET /conferences/{conferenceId}/register`: the conference's registration form (CONTRACT 5.6). */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const conference = await loadConference(conferenceId);
  const languages = conferenceLanguages(conference);
  const language = negotiatedLanguage(request, languages, { lenient: true });
  const strings = pageStrings[language];
  const { name } = localizedConference(conference, language);
  return pageResponse({
    language,
    title: `${strings.registerTitle}: ${name}`,
    script: 'register',
    main: `<h1>${html(name)}</h1>
<h2>${html(strings.registerTitle)}</h2>
<p>${html(strings.registerIntro)}</p>
<noscript><p class="error">${html(strings.needsScript)}</p></noscript>
<p id="form-errors" class="error" role="alert" tabindex="-1" hidden></p>
<form id="registration" novalidate></form>`,
    data: {
      conferenceId,
      categories: delegateCategories,
      languages: languages.languages,
      defaultLanguage: languages.defaultLanguage,
    },
  });
});
