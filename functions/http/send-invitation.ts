import { randomUUID } from 'node:crypto';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { commandMetadata } from '../shared/commands/command.js';
import { loadConference } from '../shared/commands/conference.js';
import { sendInvitation } from '../shared/commands/invitations.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeDelegationCaller, delegationActorOf } from '../shared/http/delegation-token.js';
import { badRequest, forbidden } from '../shared/http/errors.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { emailKeys, usePersonalData } from '../shared/personal-data/personal-data.js';
import { invitationRequestSchema } from './api-schemas.js';

// Granted the invitee's personal data (infra/definitions): it makes the invitation's data key and the MAC.
usePersonalData();

/** An invitation without `expiresAt` works this long. */
export const DEFAULT_INVITATION_DAYS = 30;

/**
 * CONTRACT 5.3: an organizer invites one address. The invitee is emailed the code by the notifier (once,
 * on InvitationSent); a second live invitation of the address in the conference is 409.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  // An organizer, or a focal point inviting into their own delegation (CONTRACT 5.3): 403 for another's.
  const caller = await authorizeDelegationCaller(request, conferenceId);
  return idempotent(request, async (idempotency) => {
    const sent = parseBody(request, invitationRequestSchema);
    if (
      caller.kind === 'focal-point' &&
      sent.delegationId !== undefined &&
      sent.delegationId !== caller.delegationId
    )
      throw forbidden('The delegation token is good for its own delegation only');
    const body = caller.kind === 'focal-point' ? { ...sent, delegationId: caller.delegationId } : sent;
    const metadata = { ...commandMetadata(request), actor: delegationActorOf(caller) };
    const conference = await loadConference(conferenceId);
    const { languages } = conferenceLanguages(conference);
    if (body.language !== undefined && !languages.includes(body.language))
      throw badRequest(`The conference does not offer the language ${body.language}`, [
        { path: 'language', message: `must be one of the conference's languages: ${languages.join(', ')}` },
      ]);
    const invitationId = randomUUID();
    const expiresAt = new Date(
      body.expiresAt ?? Date.parse(metadata.now) + DEFAULT_INVITATION_DAYS * 86_400_000,
    ).toISOString();
    const { emailKey } = await emailKeys().of(conferenceId, body.email);
    const response = { status: 201, body: { invitationId, status: 'sent' as const } };
    await runCommand(
      sendInvitation({
        conferenceId,
        invitationId,
        category: body.category,
        ...(body.delegationId === undefined ? {} : { delegationId: body.delegationId }),
        skipModeration: body.skipModeration ?? false,
        expiresAt,
        invitee: {
          email: body.email,
          givenName: body.givenName,
          familyName: body.familyName,
          language: body.language,
        },
        emailKey,
        now: metadata.now,
      }),
      { ...metadata, conferenceId, idempotency: () => idempotency.record(response) },
    );
    return response;
  });
});
