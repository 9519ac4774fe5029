import { conferenceLanguages } from '../../domain/shared/languages.js';
import { readAgenda } from '../shared/commands/agenda.js';
import { agendaCalendar, CALENDAR_CONTENT_TYPE } from '../shared/formats/agenda-calendar.js';
import { conditionalGet, httpRoute, pathId } from '../shared/http/http.js';
import { languageHeaders, negotiatedLanguage } from '../shared/http/language.js';

export const handler = httpRoute('public', async (request) => {
  const agenda = await readAgenda(pathId(request, 'conferenceId'));
  const language = negotiatedLanguage(request, conferenceLanguages(agenda.conference));
  return conditionalGet(
    request,
    agendaCalendar(agenda, language),
    CALENDAR_CONTENT_TYPE,
    languageHeaders(language),
  );
});
