import { commandMetadata } from '../shared/commands/command.js';
import { changeInvitation } from '../shared/commands/invitations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted the invitee's personal data (infra/definitions): the end of an invitation frees its address's guard.
usePersonalData();

/** CONTRACT 5.3: revokes a pending invitation (409 otherwise); its code admits no one any more. */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const invitationId = pathId(request, 'invitationId');
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { invitationId, status: 'revoked' as const } };
    await runCommand(
      changeInvitation(invitationId, { type: 'RevokeInvitation', now: metadata.now }, conferenceId),
      { ...metadata, conferenceId, idempotency: () => idempotency.record(response) },
    );
    return response;
  }),
);
