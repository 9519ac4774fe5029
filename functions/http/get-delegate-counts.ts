import { toDelegateCounts } from '../../domain/projections/delegate-counts.js';
import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { delegateCountsProjection } from '../shared/projections/projections.js';
import { readModelItem, SUMMARY } from '../shared/projections/read-models.js';

export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const conference = await loadConference(conferenceId);
  const summary = await readModelItem(delegateCountsProjection.name, conferenceId, SUMMARY);
  return {
    status: 200,
    body: toDelegateCounts(conferenceId, conference.capacity, summary ?? {}),
    headers: { 'cache-control': 'no-cache' },
  };
});
