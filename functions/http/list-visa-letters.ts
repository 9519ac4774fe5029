import { parseStatusFilter, visaLetterStatuses } from '../../domain/projections/visa-letters.js';
import { loadConference } from '../shared/commands/conference.js';
import { badRequest } from '../shared/http/errors.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { visaLettersOf } from '../shared/projections/visa-letters.js';

export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  await loadConference(conferenceId);
  const filter = parseStatusFilter(request.event.queryStringParameters?.status);
  if ('unknown' in filter)
    throw badRequest(`Unknown visa letter status ${filter.unknown.map((s) => `"${s}"`).join(', ')}`, [
      { path: 'status', message: `must be one or more of ${visaLetterStatuses.join(', ')}, comma-separated` },
    ]);
  return {
    status: 200,
    body: { visaLetters: await visaLettersOf(conferenceId, filter.statuses) },
    headers: { 'cache-control': 'no-store' },
  };
});
