import { conferenceLanguages } from '../../domain/shared/languages.js';
import { loadConference, loadRegistrationForm } from '../shared/commands/conference.js';
import { registrationFormBody } from '../shared/forms/registration-form.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { languageHeaders, negotiatedLanguage } from '../shared/http/language.js';

/**
 * CONTRACT 5.2: the form in force (version 0 and no fields when none was put) and its JSON Schema, whose
 * titles are the labels in the negotiated language (CONTRACT 5.4); `fields` keep every translation.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const [conference, form] = await Promise.all([
    loadConference(conferenceId),
    loadRegistrationForm(conferenceId),
  ]);
  const languages = conferenceLanguages(conference);
  const language = negotiatedLanguage(request, languages);
  return {
    status: 200,
    body: registrationFormBody(form, language, languages.defaultLanguage),
    headers: { 'cache-control': 'no-cache', ...languageHeaders(language) },
  };
});
