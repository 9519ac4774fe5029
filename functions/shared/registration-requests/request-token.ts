import { createHash, randomUUID } from 'node:crypto';
import { EncryptJWT, errors, jwtDecrypt } from 'jose';
import { keyService } from '../personal-data/key-service.js';

/**
 * The token of a registration request (CONTRACT 5.1): the whole validated registration body, sealed as a
 * compact JWE (`dir`, A256GCM, by jose) and carried in the confirmation link itself, so the server stores
 * nothing of a request, in plaintext or otherwise, until its owner confirms it. Its key is derived from the
 * personal-data key service: an HMAC (KMS GenerateMac in the cloud) of a fixed purpose label, which no email
 * guard input can equal (an address always has an "@"). The token expires after 24 h (its `exp`, checked
 * against an injected clock) and works once (a claim on its hash, written with the registration).
 */
const KEY_LABEL = 'learning-cities/registration-request-token/v1';

let tokenKey: Promise<Uint8Array> | undefined;

const key = (): Promise<Uint8Array> => {
  tokenKey ??= keyService()
    .mac(Buffer.from(KEY_LABEL, 'utf8'))
    .then((mac) => new Uint8Array(mac));
  // A failed derivation is asked again next time, not cached.
  tokenKey.catch(() => {
    tokenKey = undefined;
  });
  return tokenKey;
};

export interface RegistrationRequest {
  conferenceId: string;
  /** The registration body as validated when requested: every field rides along, checked again on confirm. */
  body: Record<string, unknown>;
  /** Epoch seconds after which the request is void. */
  expiresAt: number;
}

/** A compact JWE of `dir` + A256GCM: five base64url parts, the second (the wrapped key) empty. */
const COMPACT_DIR_JWE =
  /^[A-Za-z0-9_-]{10,200}\.\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{1,60000}\.[A-Za-z0-9_-]{22}$/;

/** Whether a string is shaped like a request token at all (else the request is malformed: 400). */
export const isWellFormedRequestToken = (token: string): boolean => COMPACT_DIR_JWE.test(token);

export const sealRequest = async (request: RegistrationRequest, now: Date): Promise<string> =>
  new EncryptJWT({ cid: request.conferenceId, req: request.body })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'registration-request' })
    .setJti(randomUUID())
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(request.expiresAt)
    .encrypt(await key());

/**
 * The request a token seals, if it opens under this server's key and has not expired at `now`; else
 * undefined (unknown and expired look alike from outside: 404).
 */
export const openRequest = async (token: string, now: Date): Promise<RegistrationRequest | undefined> => {
  try {
    const { payload } = await jwtDecrypt(token, await key(), {
      currentDate: now,
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      typ: 'registration-request',
      clockTolerance: 0,
    });
    const { cid, req, exp } = payload as { cid?: unknown; req?: unknown; exp?: unknown };
    if (typeof cid !== 'string' || typeof req !== 'object' || req === null || typeof exp !== 'number')
      return undefined;
    return { conferenceId: cid, body: req as Record<string, unknown>, expiresAt: exp };
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
};

/** What the single-use claim is keyed by: a hash of the token (the token itself is kept nowhere). */
export const requestTokenKey = (token: string): string =>
  `guard#registration-request#${createHash('sha256').update(token).digest('base64url')}`;
