import { readAgenda } from '../shared/commands/agenda.js';
import { c3vocSchedule } from '../shared/formats/c3voc-schedule.js';
import { conditionalGet, httpRoute, pathId, requestBaseUrl } from '../shared/http/http.js';

export const handler = httpRoute('public', async (request) => {
  const agenda = await readAgenda(pathId(request, 'conferenceId'));
  const schedule = c3vocSchedule(agenda, requestBaseUrl(request));
  return conditionalGet(request, JSON.stringify(schedule), 'application/json');
});
