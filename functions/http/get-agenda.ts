import { toAgenda } from '../../domain/projections/agenda.js';
import { readAgenda } from '../shared/commands/agenda.js';
import { conditionalGet, httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('public', async (request) => {
  const agenda = await readAgenda(pathId(request, 'conferenceId'));
  return conditionalGet(request, JSON.stringify(toAgenda(agenda.conference, agenda)), 'application/json');
});
