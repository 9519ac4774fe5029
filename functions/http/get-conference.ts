import { httpRoute, pathId } from '../shared/http.js';
import { loadConference } from '../shared/stores.js';

export const handler = httpRoute('public', async (request) => ({
  status: 200,
  body: await loadConference(pathId(request, 'conferenceId')),
}));
