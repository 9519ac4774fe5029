import { parseRegistrantQuery } from '../../domain/projections/registrant-list.js';
import { loadConference } from '../shared/commands/conference.js';
import {
  type BadgeHolder,
  badgeOf,
  badgesDocument,
  pdfResponse,
} from '../shared/documents/badge-documents.js';
import { badRequest } from '../shared/http/errors.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { allRegistrants } from '../shared/projections/registrant-list.js';

const SEAT_STATUSES = ['registered', 'checked-in'] as const;
/** Check-in codes made at once (each one MAC by the key service). */
const CODES_AT_ONCE = 20;

/**
 * CONTRACT 4.3: the badges of the seat holders the list's filters select (default: every seat holder),
 * one page each, in the list's order, read from the registrant list (a projection: exact within seconds).
 */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const parsed = parseRegistrantQuery(request.event.queryStringParameters ?? {}, { paged: false });
  if ('errors' in parsed) throw badRequest('The query is not valid', parsed.errors);
  const { filters, sort } = parsed.query;
  const statuses = (filters.statuses ?? SEAT_STATUSES).filter((status) =>
    (SEAT_STATUSES as readonly string[]).includes(status),
  );
  if (statuses.length === 0)
    throw badRequest('Badges are printed for seat holders only', [
      { path: 'status', message: `must name at least one of ${SEAT_STATUSES.join(', ')}` },
    ]);
  const conference = await loadConference(conferenceId);
  const holders: BadgeHolder[] = [];
  for await (const row of allRegistrants(conferenceId, { ...filters, statuses }, { sort })) holders.push(row);
  const badges = [];
  for (let i = 0; i < holders.length; i += CODES_AT_ONCE)
    badges.push(...(await Promise.all(holders.slice(i, i + CODES_AT_ONCE).map(badgeOf))));
  return pdfResponse(
    request,
    await badgesDocument(conference, badges),
    `badges-${conference.acronym.replace(/[^\w-]+/g, '') || 'conference'}.pdf`,
  );
});
