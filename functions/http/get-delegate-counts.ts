import { toDelegateCounts } from '../../domain/projections/delegate-counts.js';
import { httpRoute, pathId } from '../shared/http.js';
import { delegateCountsProjection } from '../shared/projections.js';
import { readModelItem, SUMMARY } from '../shared/read-models.js';
import { loadConference } from '../shared/stores.js';

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
