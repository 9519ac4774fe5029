import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { DomainError } from '../../../domain/shared/errors.js';
import { badRequest, HttpProblem } from '../http/errors.js';
import type { HttpRequest, HttpResponse } from '../http/http.js';
import { serverSecrets } from '../personal-data/server-secrets.js';
import { AppendConflictError, type IdempotencyWrite } from './event-store.js';
import { eventStore } from './stores.js';

const RETENTION_SECONDS = 24 * 60 * 60;

export interface Idempotency {
  /** The record to append with the command's events, so the response is stored in the same transaction. */
  record(response: HttpResponse): IdempotencyWrite | undefined;
}

/** The purpose of the server's secret that keys stored responses (functions/shared/personal-data/server-secrets.ts). */
export const IDEMPOTENCY_SECRET_PURPOSE = 'idempotent-responses/v2';

/**
 * The keys of one Idempotency-Key in one scope (method and path). Stored responses may hold a secret (the
 * manage token of a registration) and names, so everything stored is keyed with both the client's key and
 * a secret only the server holds (HKDF: the server's secret as salt, the client's key as input): a copy of
 * the table, or a reader of it, learns nothing without the server's secret, and the server replays a
 * response only to a client that sends the key again.
 * - `storageKey`: where the record is, an HMAC (a plain hash of a guessable key would say it was used);
 * - `requestHash`: the body's HMAC (a plain hash of a body of names and an address is tested by guessing);
 * - `cipher`: the AES-256-GCM key of the stored response.
 * Records stored before v2 (a SHA-256 storage key, a key from the client's key alone) are never found
 * under these storage keys: they are treated as absent (a retry runs the command again) and expire within
 * 24 hours.
 */
export const idempotencyKeys = (secret: Uint8Array, idempotencyKey: string, scope: string) => {
  // HKDF's info is at most 1,024 bytes and a path may be longer: the scope goes in as its SHA-256.
  const scopeHash = createHash('sha256').update(scope, 'utf8').digest('hex');
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync('sha256', idempotencyKey, secret, `${purpose}\n${scopeHash}`, 32));
  const hashKey = derive('idempotent-request-hash');
  return {
    storageKey: `idempotency#${derive('idempotent-storage-key').toString('hex')}`,
    requestHash: (body: string) => createHmac('sha256', hashKey).update(body, 'utf8').digest('hex'),
    cipher: derive('idempotent-response'),
  };
};

const seal = (plain: string, key: Buffer): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
};

const open = (sealed: string, key: Buffer): string => {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error('Malformed stored response');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
};

const storedRecord = (storageKey: string): Promise<Record<string, unknown> | undefined> =>
  eventStore().idempotencyRecord(storageKey);

/**
 * Runs a command under the request's Idempotency-Key (CONTRACT section 2): the same key and body within
 * 24 hours get the first response again and change nothing; the same key with another body gets 422.
 */
export const idempotent = async (
  request: HttpRequest,
  run: (idempotency: Idempotency) => Promise<HttpResponse>,
): Promise<HttpResponse> => {
  const key = request.header('idempotency-key');
  if (key === undefined) return run({ record: () => undefined });
  if (key.length < 1 || key.length > 128)
    throw badRequest('The Idempotency-Key header is not valid', [
      { path: 'Idempotency-Key', message: 'must be 1 to 128 characters' },
    ]);

  const scope = `${request.method} ${request.path}`;
  const keys = idempotencyKeys(await serverSecrets().secret(IDEMPOTENCY_SECRET_PURPOSE), key, scope);
  const { storageKey } = keys;
  const requestHash = keys.requestHash(request.rawBody);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const replay = (stored: Record<string, unknown> | undefined): HttpResponse | undefined => {
    if (!stored || typeof stored.expiresAt !== 'number' || stored.expiresAt < nowSeconds()) return undefined;
    if (stored.requestHash !== requestHash)
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used with another request body',
      );
    const response = JSON.parse(open(String(stored.response), keys.cipher)) as HttpResponse;
    return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } };
  };

  try {
    return await run({
      record: (response) => ({
        key: storageKey,
        requestHash,
        response: seal(JSON.stringify(response), keys.cipher),
        expiresAt: nowSeconds() + RETENTION_SECONDS,
        now: nowSeconds(),
      }),
    });
  } catch (error) {
    if (error instanceof AppendConflictError && error.idempotency) {
      const replayed = replay(error.idempotency.stored ?? (await storedRecord(storageKey)));
      if (replayed) return replayed;
    }
    // A refused command may be the retry of one that succeeded (e.g. a second cancel): answer as the first.
    if (
      error instanceof DomainError ||
      error instanceof HttpProblem ||
      error instanceof AppendConflictError
    ) {
      const replayed = replay(await storedRecord(storageKey));
      if (replayed) return replayed;
    }
    throw error;
  }
};
