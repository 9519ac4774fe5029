import { invitationStatuses } from '../../domain/invitation/events.js';
import type { InvitationRow } from '../../domain/projections/invitations.js';
import { invitationList, parseInvitationStatusFilter } from '../../domain/projections/invitations.js';
import { loadConference } from '../shared/commands/conference.js';
import { badRequest } from '../shared/http/errors.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { invitationsProjection } from '../shared/projections/projections.js';
import { readModelRows } from '../shared/projections/read-model-rows.js';

/** CONTRACT 5.3: the organizer's list of a conference's invitations (`?status=` filters). */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  await loadConference(conferenceId);
  const filter = parseInvitationStatusFilter(request.event.queryStringParameters?.status);
  if ('unknown' in filter)
    throw badRequest(`Unknown invitation status ${filter.unknown.map((s) => `"${s}"`).join(', ')}`, [
      { path: 'status', message: `must be one or more of ${invitationStatuses.join(', ')}, comma-separated` },
    ]);
  const rows = await readModelRows<InvitationRow | null>(invitationsProjection.name, conferenceId);
  return {
    status: 200,
    body: {
      invitations: invitationList(
        rows.filter((row) => row !== null),
        filter.statuses,
      ),
    },
    headers: { 'cache-control': 'no-store' },
  };
});
