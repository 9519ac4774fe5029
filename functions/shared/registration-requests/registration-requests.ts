import { type Conference, registrationWindowRefusal } from '../../../domain/conference/decider.js';
import {
  alreadyRegisteredEmail,
  confirmationEmail,
  manageLinkEmail,
  requestLanguage,
} from '../../../domain/notifications/registration-request-email.js';
import { emailGuardKey } from '../../../domain/registration/invariants.js';
import { requestEmailFor, requestExpiresAt } from '../../../domain/registration/request.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import { fullName } from '../../../domain/shared/names.js';
import type { Idempotency } from '../event-store/idempotency.js';
import { eventStore } from '../event-store/stores.js';
import type { HttpResponse } from '../http/http.js';
import { emailKeys } from '../personal-data/personal-data.js';
import { publicApiUrl } from '../runtime/config.js';
import { sendRateLimited } from './request-emails.js';
import { sealRequest } from './request-token.js';

/** The one answer to a registration of an `emailConfirmation` conference, whatever the address's state. */
export const CONFIRMATION_SENT = { status: 202, body: { status: 'confirmation-sent' } } as const;
/** The one answer to a manage-link request, whether or not the address is registered. */
export const LINK_SENT = { status: 202, body: { status: 'link-sent' } } as const;

/**
 * Stores the answer under the request's Idempotency-Key (CONTRACT 2) when nothing else is appended: the
 * same key again gets this answer and sends no second email. Without a key, nothing is written.
 */
export const recordAnswer = async (
  idempotency: Idempotency,
  response: HttpResponse,
  context: { conferenceId: string; correlationId: string; now: string },
): Promise<void> => {
  const record = idempotency.record(response);
  if (!record) return;
  await eventStore().append({ ...context, streams: [], idempotency: record });
};

/**
 * The keys of an address's email guards at a conference: under its email key, and under the key of old
 * that a registration made before the keys covered the conference still holds.
 */
export const emailGuardKeysOf = async (conferenceId: string, address: string) => {
  const { emailKey, legacyEmailKey } = await emailKeys().of(conferenceId, address);
  return {
    emailKey,
    current: emailGuardKey(conferenceId, emailKey),
    legacy: emailGuardKey(conferenceId, legacyEmailKey),
  };
};

const ownerOf = (item: Record<string, unknown> | undefined) =>
  typeof item?.owner === 'string' ? item.owner : undefined;

/**
 * The registration holding the address at the conference now (its email guard's owner), if any: under the
 * guard's key, or under the key of old (emailGuardKeysOf). `emailKey` keys the address's email rate.
 * `guards`: the guard items as the caller read them already (with the conference, in one round trip);
 * else both are read here, in one.
 */
export const activeRegistrationOf = async (
  conferenceId: string,
  address: string,
  guards?: ReadonlyMap<string, Record<string, unknown>>,
) => {
  const { emailKey, current, legacy } = await emailGuardKeysOf(conferenceId, address);
  const read = guards ?? (await eventStore().guardItems([current, legacy]));
  return { emailKey, registrationId: ownerOf(read.get(current)) ?? ownerOf(read.get(legacy)) };
};

/**
 * A registration of a conference with `emailConfirmation` (CONTRACT 5.1): nothing is held or stored. The
 * address gets a confirmation link whose token seals the whole body, or, when it holds an active
 * registration already, a notice without a token; past the rate, nothing. The answer is the same 202.
 * The token is sealed in either case, so both cases do the same work before the email.
 */
export const requestConfirmation = async (
  conference: Conference,
  body: { email: string; givenName: string; familyName: string } & Record<string, unknown>,
  idempotency: Idempotency,
  context: { correlationId: string; now: string },
  /** The address's email guards (emailGuardKeysOf) as read with the conference; else read here. */
  guards?: ReadonlyMap<string, Record<string, unknown>>,
) => {
  const now = new Date(context.now);
  const refusal = registrationWindowRefusal(conference, context.now);
  if (refusal) throw new ConflictError(refusal);
  await recordAnswer(idempotency, CONFIRMATION_SENT, { ...context, conferenceId: conference.conferenceId });
  const { emailKey, registrationId } = await activeRegistrationOf(
    conference.conferenceId,
    body.email,
    guards,
  );
  const expiresAt = requestExpiresAt(now.toISOString());
  const token = await sealRequest({ conferenceId: conference.conferenceId, body, expiresAt }, now);
  const kind = requestEmailFor(registrationId !== undefined);
  const language = requestLanguage(conference, typeof body.language === 'string' ? body.language : undefined);
  await sendRateLimited(
    conference,
    emailKey,
    { name: fullName(body), address: body.email },
    kind,
    () =>
      kind === 'confirmation'
        ? confirmationEmail(
            conference,
            body,
            `${publicApiUrl()}registrations/confirm?token=${token}`,
            language,
          )
        : alreadyRegisteredEmail(
            conference,
            managePage(conference.conferenceId, registrationId ?? ''),
            language,
          ),
    now,
  );
  return CONFIRMATION_SENT;
};

/** The delegate's page (CONTRACT 5.6), without a token: it offers to email a new link. */
export const managePage = (conferenceId: string, registrationId: string) =>
  `${publicApiUrl()}conferences/${conferenceId}/registrations/${registrationId}/manage`;

/** The link of a new manage token: the token in the fragment only, which no server ever receives. */
export const manageLink = (conferenceId: string, registrationId: string, manageToken: string) =>
  `${managePage(conferenceId, registrationId)}#token=${manageToken}`;

export { manageLinkEmail };
