import { randomUUID } from 'node:crypto';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { commandMetadata } from '../shared/commands/command.js';
import { loadConference } from '../shared/commands/conference.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { substituteMember } from '../shared/commands/substitution.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeDelegationCaller, delegationActorOf } from '../shared/http/delegation-token.js';
import { badRequest } from '../shared/http/errors.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { emailKeys, usePersonalData } from '../shared/personal-data/personal-data.js';
import { substitutionRequestSchema } from './api-schemas.js';
import { DEFAULT_INVITATION_DAYS } from './send-invitation.js';

// Granted personal data (infra/definitions): it reads the member's email guard (opened) to free it, and
// makes the substitute invitation's data key and the address's MAC.
usePersonalData();

/**
 * CONTRACT 5.3: the organizer or the delegation's focal point substitutes a member: the member's
 * registration cancelled and the substitute invited, in one transaction, within the quota. 201 the new
 * invitation; 409 when the registration is not an active member or the address is already invited.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const delegationId = pathId(request, 'delegationId');
  const caller = await authorizeDelegationCaller(request, conferenceId, delegationId);
  return idempotent(request, async (idempotency) => {
    const { registrationId, invitation } = parseBody(request, substitutionRequestSchema);
    const metadata = { ...commandMetadata(request), actor: delegationActorOf(caller) };
    const conference = await loadConference(conferenceId);
    const { languages } = conferenceLanguages(conference);
    if (invitation.language !== undefined && !languages.includes(invitation.language))
      throw badRequest(`The conference does not offer the language ${invitation.language}`, [
        { path: 'invitation.language', message: `must be one of ${languages.join(', ')}` },
      ]);
    const invitationId = randomUUID();
    const expiresAt = new Date(
      invitation.expiresAt ?? Date.parse(metadata.now) + DEFAULT_INVITATION_DAYS * 86_400_000,
    ).toISOString();
    const { emailKey } = await emailKeys().of(conferenceId, invitation.email);
    const response = { status: 201, body: { invitationId, status: 'sent' as const } };
    await runCommand(
      substituteMember({
        conferenceId,
        delegationId,
        registrationId,
        invitation: {
          invitationId,
          category: invitation.category,
          skipModeration: invitation.skipModeration ?? false,
          expiresAt,
          invitee: {
            email: invitation.email,
            givenName: invitation.givenName,
            familyName: invitation.familyName,
            language: invitation.language,
          },
          emailKey,
          now: metadata.now,
        },
        now: metadata.now,
      }),
      { ...metadata, conferenceId, idempotency: () => idempotency.record(response) },
    );
    return response;
  });
});
