import { commandMetadata } from '../shared/commands/command.js';
import { settleDelegation } from '../shared/commands/delegations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { delegationSettingsRequestSchema } from './api-schemas.js';

/**
 * CONTRACT 5.3: the organizer (only) sets the status of a delegation's credentials, and (a field of this
 * route, as the contract has no PATCH of a delegation) its quota: a quota below the places held is 409
 * naming how many. Answers the delegation's settings as they are after it.
 */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const delegationId = pathId(request, 'delegationId');
    const { status, quota } = parseBody(request, delegationSettingsRequestSchema);
    const metadata = commandMetadata(request);
    const answer = (delegation: { credentials: string; quota: number }) => ({
      status: 200,
      body: { delegationId, credentials: delegation.credentials, quota: delegation.quota },
    });
    const delegation = await runCommand(
      settleDelegation({
        conferenceId,
        delegationId,
        ...(status === undefined ? {} : { status }),
        ...(quota === undefined ? {} : { quota }),
        now: metadata.now,
      }),
      { ...metadata, conferenceId, idempotency: (result) => idempotency.record(answer(result)) },
    );
    return answer(delegation);
  }),
);
