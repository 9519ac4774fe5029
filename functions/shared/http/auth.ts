import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Registration } from '../../../domain/registration/decider.js';
import { GoneError } from '../../../domain/shared/errors.js';
import { env } from '../../../infra/definitions/tables.js';
import { suppliedAdapter, TokenRejectedError, type TokenVerifier } from '../runtime/adapters.js';
import { forbidden, unauthorized } from './errors.js';

export const ORGANIZERS_GROUP = 'organizers';
/** Organizers who may read sensitive answers one by one (CONTRACT 5.2). */
export const SENSITIVE_DATA_GROUP = 'sensitive-data';

export type Principal =
  | { kind: 'anonymous' }
  /** `sensitiveData`: the token is in the group `sensitive-data` too (CONTRACT 5.2). */
  | { kind: 'organizer'; subject: string; sensitiveData?: boolean }
  | { kind: 'manage-token'; token: string };

let verifier: Promise<TokenVerifier> | undefined;

/**
 * Cognito's user pool in the cloud; the local runtime supplies its own issuer's verifier. aws-jwt-verify is
 * imported by the first request that carries a bearer token: public routes never load it, delegate routes
 * only when an organizer calls them, and organizer routes on their first request.
 */
const cognitoVerifier = async (): Promise<TokenVerifier> => {
  const { CognitoJwtVerifier } = await import('aws-jwt-verify');
  return CognitoJwtVerifier.create({
    userPoolId: process.env[env.userPoolId] ?? '',
    clientId: process.env[env.userPoolClientId] ?? null,
    tokenUse: null,
  });
};

const verifyOrganizer = async (authorization: string): Promise<Principal> => {
  const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0)
    throw unauthorized('The Authorization header must be "Bearer <token>"');
  // A verifier that could not be made is tried again by the next request.
  verifier ??= Promise.resolve(suppliedAdapter('tokenVerifier') ?? cognitoVerifier()).catch(
    (error: unknown) => {
      verifier = undefined;
      throw error;
    },
  );
  const verify = await verifier;
  let payload: Record<string, unknown>;
  try {
    payload = await verify.verify(token);
  } catch (error) {
    throw unauthorized(error instanceof TokenRejectedError ? error.detail : 'The token is not valid');
  }
  const groups = payload['cognito:groups'];
  if (!Array.isArray(groups) || !groups.includes(ORGANIZERS_GROUP))
    throw forbidden(`The token does not carry the "${ORGANIZERS_GROUP}" group`);
  return {
    kind: 'organizer',
    subject: String(payload.sub ?? 'unknown'),
    ...(groups.includes(SENSITIVE_DATA_GROUP) ? { sensitiveData: true } : {}),
  };
};

/**
 * Whether the caller sees sensitive answers one by one: an organizer in the group `sensitive-data`, or the
 * delegate (the manage token's holder, already authorized for the registration by the route).
 */
export const seesSensitiveAnswers = (principal: Principal): boolean =>
  principal.kind === 'manage-token' || (principal.kind === 'organizer' && principal.sensitiveData === true);

/** Who is calling, as far as the route's access level needs to know. */
export const authenticate = async (
  access: 'public' | 'organizer' | 'delegate',
  headers: Record<string, string | undefined>,
): Promise<Principal> => {
  if (access === 'public') return { kind: 'anonymous' };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const authorization = lower.authorization;
  if (authorization) return verifyOrganizer(authorization);
  if (access === 'organizer') throw unauthorized('An organizer token is required');
  const manageToken = lower['x-manage-token'];
  if (manageToken) return { kind: 'manage-token', token: manageToken };
  throw unauthorized('An X-Manage-Token header or an organizer token is required');
};

export const newManageToken = (): string => randomBytes(32).toString('base64url');

export const hashManageToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A delegate route: an organizer, or the holder of this registration's manage token. */
export const authorizeDelegate = (principal: Principal, manageTokenHash: string): void => {
  if (principal.kind === 'organizer') return;
  if (principal.kind !== 'manage-token')
    throw unauthorized('An X-Manage-Token header or an organizer token is required');
  const presented = Buffer.from(hashManageToken(principal.token), 'hex');
  const stored = Buffer.from(manageTokenHash, 'hex');
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored))
    throw forbidden('The manage token does not belong to this registration');
};

/**
 * A delegate route of one registration: an organizer, or the holder of its manage token. Once its
 * personal data is erased (the token's hash with it), every delegate route answers 410.
 */
export const authorizeRegistrationDelegate = (principal: Principal, registration: Registration): void => {
  if (registration.status === 'erased')
    throw new GoneError('The personal data of this registration was erased');
  if (principal.kind === 'organizer') return;
  if (!registration.secrets) throw new Error('The manage token is checked on a registration read opened');
  authorizeDelegate(principal, registration.secrets.manageTokenHash);
};

export const actorOf = (principal: Principal): string | undefined =>
  principal.kind === 'organizer'
    ? `organizer:${principal.subject}`
    : principal.kind === 'manage-token'
      ? 'delegate'
      : undefined;
