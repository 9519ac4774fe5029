import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import { type Conference, policyOf, requiresEmailConfirmation } from '../../domain/conference/decider.js';
import { invitationRefusal } from '../../domain/invitation/decider.js';
import { commandMetadata } from '../shared/commands/command.js';
import { existingConference } from '../shared/commands/conference.js';
import { loadStream, loadStreamWith, runCommand } from '../shared/commands/pipeline.js';
import {
  checkAnswersNow,
  type NewRegistration,
  NOT_INVITED,
  registerDelegate,
} from '../shared/commands/registrations.js';
import { conferenceStream, invitationStream } from '../shared/commands/streams.js';
import { type Idempotency, idempotent } from '../shared/event-store/idempotency.js';
import { hashManageToken, newManageToken } from '../shared/http/auth.js';
import { forbidden } from '../shared/http/errors.js';
import { type HttpResponse, httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { invitationIdOfCode } from '../shared/invitations/invitation-code.js';
import { emailKeys, usePersonalData } from '../shared/personal-data/personal-data.js';
import {
  emailGuardKeysOf,
  requestConfirmation,
} from '../shared/registration-requests/registration-requests.js';
import { registrationRequestSchema } from './api-schemas.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export type RegistrationBody = z.infer<typeof registrationRequestSchema>;

export interface Registered {
  registrationId: string;
  status: 'registered' | 'waitlisted' | 'pending';
  manageToken: string;
}

/**
 * Registers the body of a registration: at once on a v1 conference, on confirmation on one with
 * `emailConfirmation` (functions/http/confirm-registration.ts). `answer` makes the HTTP answer of the
 * result, which the Idempotency-Key record stores with the events.
 */
export const registerBody = async (
  conferenceId: string,
  body: RegistrationBody,
  metadata: ReturnType<typeof commandMetadata>,
  idempotency: Idempotency,
  answer: (registered: Registered) => HttpResponse,
  singleUse?: NewRegistration['singleUse'],
  conferenceRead?: NewRegistration['conferenceRead'],
): Promise<HttpResponse> => {
  const { consent: _consent, answers, invitationCode, ...delegate } = body;
  const invitationId = invitationCode === undefined ? undefined : await invitationOfCode(invitationCode);
  const registrationId = randomUUID();
  const manageToken = newManageToken();
  const command = registerDelegate({
    conferenceId,
    registrationId,
    delegate,
    ...(await emailKeys().of(conferenceId, delegate.email)),
    manageTokenHash: hashManageToken(manageToken),
    ...(answers === undefined ? {} : { answers }),
    now: metadata.now,
    ...(singleUse ? { singleUse } : {}),
    ...(invitationId ? { invitationId } : {}),
    ...(conferenceRead ? { conferenceRead } : {}),
  });
  const respond = (status: Registered['status']) => answer({ registrationId, status, manageToken });
  const status = await runCommand(command, {
    ...metadata,
    conferenceId,
    idempotency: (result) => idempotency.record(respond(result)),
  });
  return respond(status);
};

/** The invitation a code is for; a code that is not this server's is the one 403 (CONTRACT 5.3). */
const invitationOfCode = async (code: string): Promise<string> => {
  const invitationId = await invitationIdOfCode(code);
  if (!invitationId) throw forbidden(NOT_INVITED);
  return invitationId;
};

/**
 * Before a confirmation is mailed (CONTRACT 5.1), the request is checked as the registration will be: a
 * category by invitation without a code admitting this address is the same 403 now, not later by email.
 */
const checkInvitationNow = async (
  conference: Conference,
  conferenceId: string,
  body: RegistrationBody,
): Promise<void> => {
  const required = policyOf(conference, body.category) === 'invitation';
  if (body.invitationCode === undefined) {
    if (required) throw forbidden(NOT_INVITED);
    return;
  }
  const invitationId = await invitationOfCode(body.invitationCode);
  const { state } = await loadStream(invitationStream(invitationId));
  const { emailKey } = await emailKeys().of(conferenceId, body.email);
  const now = new Date().toISOString();
  if (invitationRefusal(state, { conferenceId, category: body.category, emailKey, now }))
    throw forbidden(NOT_INVITED);
};

export const handler = httpRoute('public', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const body = parseBody(request, registrationRequestSchema);
    const metadata = commandMetadata(request);
    // Read once: the registration's command decides on this read (no second read of the conference).
    // With it, in the same round trip, the address's email guards, which a request to confirm checks next.
    const { current, legacy } = await emailGuardKeysOf(conferenceId, body.email);
    const { read: conferenceRead, guards } = await loadStreamWith(conferenceStream(conferenceId), [
      current,
      legacy,
    ]);
    const conference = existingConference(conferenceRead.state, conferenceId);
    // CONTRACT 5.1: the owner of the address confirms first; nothing is held until then.
    if (requiresEmailConfirmation(conference)) {
      // The answers are checked now too (400 before any email); the confirmation checks them again.
      await checkAnswersNow(conferenceId, body.category, body.answers, conferenceRead);
      await checkInvitationNow(conference, conferenceId, body);
      return requestConfirmation(conference, body, idempotency, metadata, guards);
    }
    return registerBody(
      conferenceId,
      body,
      metadata,
      idempotency,
      (registered) => ({ status: 201, body: registered }),
      undefined,
      conferenceRead,
    );
  }),
);
