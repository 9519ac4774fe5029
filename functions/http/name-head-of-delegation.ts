import { commandMetadata } from '../shared/commands/command.js';
import { nameHeadOfDelegation } from '../shared/commands/delegations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeDelegationCaller, delegationActorOf } from '../shared/http/delegation-token.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { headOfDelegationRequestSchema } from './api-schemas.js';

/**
 * CONTRACT 5.3: the organizer or the delegation's focal point (X-Delegation-Token, 403 for another
 * delegation's) names an active member its head: 409 when the registration is not one.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const delegationId = pathId(request, 'delegationId');
  const caller = await authorizeDelegationCaller(request, conferenceId, delegationId);
  return idempotent(request, async (idempotency) => {
    const { registrationId } = parseBody(request, headOfDelegationRequestSchema);
    const metadata = { ...commandMetadata(request), actor: delegationActorOf(caller) };
    const response = { status: 200, body: { delegationId, headOfDelegation: registrationId } };
    await runCommand(nameHeadOfDelegation(conferenceId, delegationId, registrationId, metadata.now), {
      ...metadata,
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  });
});
