import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { DomainError } from '../../../domain/shared/errors.js';
import { badRequest, HttpProblem } from '../http/errors.js';
import type { HttpRequest, HttpResponse } from '../http/http.js';
import { AppendConflictError, type IdempotencyWrite } from './event-store.js';
import { eventStore } from './stores.js';

const RETENTION_SECONDS = 24 * 60 * 60;

export interface Idempotency {
  /** The record to append with the command's events, so the response is stored in the same transaction. */
  record(response: HttpResponse): IdempotencyWrite | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Stored responses may hold a secret (the manage token of a registration), so they are kept encrypted
 * with a key derived from the Idempotency-Key itself: only a client that knows the key can have the
 * response replayed, and the table never holds the secret in the clear.
 */
const cipherKey = (idempotencyKey: string, scope: string) =>
  Buffer.from(hkdfSync('sha256', idempotencyKey, scope, 'idempotent-response', 32));

const seal = (plain: string, idempotencyKey: string, scope: string): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cipherKey(idempotencyKey, scope), iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
};

const open = (sealed: string, idempotencyKey: string, scope: string): string => {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error('Malformed stored response');
  const decipher = createDecipheriv('aes-256-gcm', cipherKey(idempotencyKey, scope), iv);
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
  const storageKey = `idempotency#${sha256(`${scope}\n${key}`)}`;
  const requestHash = sha256(request.rawBody);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const replay = (stored: Record<string, unknown> | undefined): HttpResponse | undefined => {
    if (!stored || typeof stored.expiresAt !== 'number' || stored.expiresAt < nowSeconds()) return undefined;
    if (stored.requestHash !== requestHash)
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used with another request body',
      );
    const response = JSON.parse(open(String(stored.response), key, scope)) as HttpResponse;
    return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } };
  };

  try {
    return await run({
      record: (response) => ({
        key: storageKey,
        requestHash,
        response: seal(JSON.stringify(response), key, scope),
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
