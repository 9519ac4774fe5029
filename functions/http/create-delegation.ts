import { randomUUID } from 'node:crypto';
import { commandMetadata } from '../shared/commands/command.js';
import { createDelegation } from '../shared/commands/delegations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { delegationRequestSchema } from './api-schemas.js';

// Granted the making of a data key (infra/definitions): the focal point is sealed under the delegation's own.
usePersonalData();

/**
 * CONTRACT 5.3: an organizer creates a delegation with its quota and focal point. The focal point gets the
 * delegation link by email (the notifier, on DelegationCreated); the answer holds no token.
 */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const details = parseBody(request, delegationRequestSchema);
    const delegationId = randomUUID();
    const metadata = commandMetadata(request);
    const response = { status: 201, body: { delegationId } };
    await runCommand(createDelegation({ conferenceId, delegationId, details, now: metadata.now }), {
      ...metadata,
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
