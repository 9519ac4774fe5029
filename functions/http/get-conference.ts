import { localizedConference } from '../../domain/projections/agenda.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { languageHeaders, negotiatedLanguage } from '../shared/http/language.js';

export const handler = httpRoute('public', async (request) => {
  const conference = await loadConference(pathId(request, 'conferenceId'));
  const language = negotiatedLanguage(request, conferenceLanguages(conference));
  return { status: 200, body: localizedConference(conference, language), headers: languageHeaders(language) };
});
