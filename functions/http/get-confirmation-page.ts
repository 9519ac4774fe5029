import { DEFAULT_LANGUAGE } from '../../domain/shared/languages.js';
import { html, pageResponse } from '../pages/page.js';
import { pageStrings } from '../pages/strings.js';
import { httpRoute } from '../shared/http/http.js';

/**
 * `GET /registrations/confirm?token=…`: the page a confirmation email links to (CONTRACT 5.6). It shows
 * what is being confirmed and a button; the GET itself changes nothing, so a mail scanner that fetches the
 * link confirms nothing. A token that is not valid any more gets a page saying so and what to do.
 */
export const handler = httpRoute('public', async (request) => {
  const language = DEFAULT_LANGUAGE;
  const strings = pageStrings[language];
  return pageResponse({
    language,
    title: strings.confirmTitle,
    script: 'confirm',
    main: `<h1>${html(strings.confirmTitle)}</h1>
<noscript><p class="error">${html(strings.needsScript)}</p></noscript>
<button type="button" id="confirm">${html(strings.confirmButton)}</button>`,
  });
});
