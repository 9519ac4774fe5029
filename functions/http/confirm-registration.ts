import { commandMetadata } from '../shared/commands/command.js';
import { UNKNOWN_REQUEST } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { badRequest, notFound } from '../shared/http/errors.js';
import { httpRoute, parseBody } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import {
  isWellFormedRequestToken,
  openRequest,
  requestTokenKey,
} from '../shared/registration-requests/request-token.js';
import { confirmRegistrationRequestSchema, registrationRequestSchema } from './api-schemas.js';
import { registerBody } from './register-delegate.js';

// Creates the registration (its data key and email guard): granted personal data as the registration is.
usePersonalData();

/** A used claim outlives its token by this much, so TTL never frees it while the token still opens. */
const USED_CLAIM_MARGIN_SECONDS = 60 * 60;

/**
 * `POST /registrations/confirm` (CONTRACT 5.1): the owner of the address confirms the request its link
 * carries. The registration is made then, through the same command as a v1 registration (seat or
 * waitlist decided now), with the token claimed in the same transaction: it registers once. Unknown,
 * expired and used tokens get one and the same 404.
 */
export const handler = httpRoute('public', (request) =>
  idempotent(request, async (idempotency) => {
    const { token } = parseBody(request, confirmRegistrationRequestSchema);
    if (!isWellFormedRequestToken(token))
      throw badRequest('The token is not a confirmation token', [
        { path: 'token', message: 'is not the token of a confirmation link' },
      ]);
    const metadata = commandMetadata(request);
    const found = await openRequest(token, new Date(metadata.now));
    if (!found) throw notFound(UNKNOWN_REQUEST);
    // Checked again as it is now: a field added meanwhile rides along, a body no longer valid is void.
    const body = registrationRequestSchema.safeParse(found.body);
    if (!body.success) throw notFound(UNKNOWN_REQUEST);
    const { conferenceId } = found;
    return registerBody(
      conferenceId,
      body.data,
      metadata,
      idempotency,
      ({ registrationId, status, manageToken }) => ({
        status: 201,
        body: { registrationId, conferenceId, status, manageToken },
      }),
      { key: requestTokenKey(token), expiresAt: found.expiresAt + USED_CLAIM_MARGIN_SECONDS },
    );
  }),
);
