import { ReminderTooSoonError } from '../../domain/invitation/decider.js';
import { commandMetadata } from '../shared/commands/command.js';
import { changeInvitation } from '../shared/commands/invitations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { HttpProblem } from '../shared/http/errors.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted the invitee's personal data (infra/definitions): the invitation folds opened.
usePersonalData();

/**
 * CONTRACT 5.3: reminds the invitee of a pending invitation (the notifier emails the code again, once on
 * InvitationReminded). 409 when it is not pending; 429 with Retry-After when reminded in the last 24 hours.
 */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const invitationId = pathId(request, 'invitationId');
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { invitationId, status: 'sent' as const } };
    try {
      await runCommand(
        changeInvitation(invitationId, { type: 'RemindInvitation', now: metadata.now }, conferenceId),
        { ...metadata, conferenceId, idempotency: () => idempotency.record(response) },
      );
    } catch (error) {
      if (error instanceof ReminderTooSoonError)
        throw new HttpProblem(429, 'Too Many Requests', error.message, [], {
          'retry-after': String(error.retryAfterSeconds),
        });
      throw error;
    }
    return response;
  }),
);
