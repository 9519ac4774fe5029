import { commandMetadata } from '../shared/commands/command.js';
import { changeInvitation, loadInvitation } from '../shared/commands/invitations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { HttpProblem, notFound } from '../shared/http/errors.js';
import { httpRoute, parseBody } from '../shared/http/http.js';
import { invitationIdOfCode } from '../shared/invitations/invitation-code.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { invitationDeclineSchema } from './api-schemas.js';

// Granted the invitee's personal data (infra/definitions): the end of an invitation frees its address's guard.
usePersonalData();

/** The one answer to a code that is unknown, not this server's, or of an invitation no longer pending. */
const NO_PENDING_INVITATION = 'No pending invitation has this code';

/** CONTRACT 5.3: the invitee declines with the code of the invitation's link, without registering. */
export const handler = httpRoute('public', (request) =>
  idempotent(request, async (idempotency) => {
    const { invitationCode } = parseBody(request, invitationDeclineSchema);
    const invitationId = await invitationIdOfCode(invitationCode);
    if (!invitationId) throw notFound(NO_PENDING_INVITATION);
    // Only its absence is the one answer: a read that failed (DynamoDB busy) stays a 503 to try again.
    const { conferenceId } = await loadInvitation(invitationId).catch((error: unknown) => {
      throw error instanceof HttpProblem && error.status === 404 ? notFound(NO_PENDING_INVITATION) : error;
    });
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { invitationId, status: 'declined' as const } };
    await runCommand(changeInvitation(invitationId, { type: 'DeclineInvitation', now: metadata.now }), {
      ...metadata,
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
