import { createHmac, timingSafeEqual } from 'node:crypto';
import { serverSecrets } from '../personal-data/server-secrets.js';
import { actorOf, authenticate, type Principal } from './auth.js';
import { forbidden, unauthorized } from './errors.js';
import type { HttpRequest } from './http.js';

/**
 * The focal point's delegation token (CONTRACT 5.3): `<delegationId>.<mac>`, the MAC an HMAC-SHA-256 under
 * a server secret of the conference and the delegation. Nothing of it is stored, so no event, read model or
 * log holds the token or a hash of it; whoever holds the server secret (the functions) can check it. It is
 * good for its own delegation's routes only, and sent as `X-Delegation-Token`.
 */
export const DELEGATION_TOKEN_PURPOSE = 'delegation-token/v1';
export const DELEGATION_TOKEN_HEADER = 'x-delegation-token';

const macOf = (secret: Uint8Array, conferenceId: string, delegationId: string): Buffer =>
  createHmac('sha256', secret).update(`${conferenceId}\u0000${delegationId}`, 'utf8').digest();

export const delegationToken = async (conferenceId: string, delegationId: string): Promise<string> =>
  `${delegationId}.${macOf(await serverSecrets().secret(DELEGATION_TOKEN_PURPOSE), conferenceId, delegationId).toString('base64url')}`;

/** The delegation a token was made for, when it is one of this conference's; undefined otherwise. */
export const delegationOfToken = async (conferenceId: string, token: string): Promise<string | undefined> => {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || token.length > 300) return undefined;
  const delegationId = token.slice(0, dot);
  const presented = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = macOf(await serverSecrets().secret(DELEGATION_TOKEN_PURPOSE), conferenceId, delegationId);
  return presented.length === expected.length && timingSafeEqual(presented, expected)
    ? delegationId
    : undefined;
};

/** Who acts on a delegation's route: an organizer, or the focal point of that delegation. */
export type DelegationCaller =
  | { kind: 'organizer'; principal: Principal }
  | { kind: 'focal-point'; delegationId: string };

/**
 * An organizer (Authorization: a JWT of the group `organizers`) or the holder of a delegation token:
 * 401 without either, 403 for a token that is not a delegation token of this conference, or (when
 * `delegationId` is given) of another delegation than the route's.
 */
export const authorizeDelegationCaller = async (
  request: HttpRequest,
  conferenceId: string,
  delegationId?: string,
): Promise<DelegationCaller> => {
  if (request.header('authorization') !== undefined) {
    const principal = await authenticate('organizer', { authorization: request.header('authorization') });
    return { kind: 'organizer', principal };
  }
  const token = request.header(DELEGATION_TOKEN_HEADER);
  if (token === undefined)
    throw unauthorized('An organizer token or the focal point’s X-Delegation-Token header is required');
  const own = await delegationOfToken(conferenceId, token);
  if (own === undefined) throw forbidden('The delegation token is not valid for this conference');
  if (delegationId !== undefined && own !== delegationId)
    throw forbidden('The delegation token is good for its own delegation only');
  return { kind: 'focal-point', delegationId: own };
};

/** The actor an event records for a delegation caller. */
export const delegationActorOf = (caller: DelegationCaller): string | undefined =>
  caller.kind === 'focal-point' ? `focal-point:${caller.delegationId}` : actorOf(caller.principal);
