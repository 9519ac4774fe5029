import { parseRegistrantQuery, presentRegistrant } from '../../domain/projections/registrant-list.js';
import { loadConference } from '../shared/commands/conference.js';
import { withDelegationNames } from '../shared/commands/delegations.js';
import { seesSensitiveAnswers } from '../shared/http/auth.js';
import { badRequest } from '../shared/http/errors.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { InvalidCursorError, registrantPage } from '../shared/projections/registrant-list.js';

export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const parsed = parseRegistrantQuery(request.event.queryStringParameters ?? {}, { paged: true });
  if ('errors' in parsed) throw badRequest('The query is not valid', parsed.errors);
  // The conference check runs beside the page's reads: one round trip more, no more waiting.
  const [, page] = await Promise.all([
    loadConference(conferenceId),
    registrantPage(conferenceId, parsed.query).catch((error: unknown) => {
      if (error instanceof InvalidCursorError)
        throw badRequest('The cursor is not valid', [{ path: 'cursor', message: error.message }]);
      throw error;
    }),
  ]);
  const sees = seesSensitiveAnswers(request.principal);
  const named = await withDelegationNames(conferenceId, page.registrations);
  const body = { ...page, registrations: named.map((row) => presentRegistrant(row, sees)) };
  return { status: 200, body, headers: { 'cache-control': 'no-store' } };
});
