import { readAgenda } from '../shared/commands/agenda.js';
import { agendaCalendar, CALENDAR_CONTENT_TYPE } from '../shared/formats/agenda-calendar.js';
import { conditionalGet, httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('public', async (request) => {
  const agenda = await readAgenda(pathId(request, 'conferenceId'));
  return conditionalGet(request, agendaCalendar(agenda), CALENDAR_CONTENT_TYPE);
});
