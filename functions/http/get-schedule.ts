import { conferenceLanguages } from '../../domain/shared/languages.js';
import { readAgenda } from '../shared/commands/agenda.js';
import { c3vocSchedule } from '../shared/formats/c3voc-schedule.js';
import { conditionalGet, httpRoute, pathId, requestBaseUrl } from '../shared/http/http.js';
import { languageHeaders, negotiatedLanguage } from '../shared/http/language.js';

export const handler = httpRoute('public', async (request) => {
  const agenda = await readAgenda(pathId(request, 'conferenceId'));
  const language = negotiatedLanguage(request, conferenceLanguages(agenda.conference));
  const schedule = c3vocSchedule(agenda, requestBaseUrl(request), language);
  return conditionalGet(request, JSON.stringify(schedule), 'application/json', languageHeaders(language));
});
