import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('public', async (request) => ({
  status: 200,
  body: await loadConference(pathId(request, 'conferenceId')),
}));
