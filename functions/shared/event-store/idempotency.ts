import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
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
  /**
   * For a request of many commands each on its own (e.g. bulk decisions): the record of one part, appended
   * with that part's events, and that part's response as a first run stored it. A retry after a run that
   * stopped halfway answers the parts done as they were answered, and runs the others.
   */
  part(name: string): IdempotentPart;
  /** Stores the whole response by itself, once every part is done (a request of many transactions). */
  store(response: HttpResponse): Promise<void>;
  /** The whole response as a first run stored it (422 for another body under the key), if one did. */
  stored(): Promise<HttpResponse | undefined>;
}

export interface IdempotentPart {
  record(response: HttpResponse): IdempotencyWrite | undefined;
  stored(): Promise<HttpResponse | undefined>;
}

const noPart: IdempotentPart = { record: () => undefined, stored: async () => undefined };

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
  // KeyObjects: node:crypto checks a raw Buffer key anew on every cipher or HMAC it makes.
  const hashKey = createSecretKey(derive('idempotent-request-hash'));
  return {
    storageKey: `idempotency#${derive('idempotent-storage-key').toString('hex')}`,
    requestHash: (body: string) => createHmac('sha256', hashKey).update(body, 'utf8').digest('hex'),
    cipher: createSecretKey(derive('idempotent-response')),
  };
};

const seal = (plain: string, key: KeyObject): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
};

const open = (sealed: string, key: KeyObject): string => {
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
  if (key === undefined)
    return run({
      record: () => undefined,
      part: () => noPart,
      store: async () => undefined,
      stored: async () => undefined,
    });
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

  const recordUnder = (storage: string, response: HttpResponse): IdempotencyWrite => ({
    key: storage,
    requestHash,
    response: seal(JSON.stringify(response), keys.cipher),
    expiresAt: nowSeconds() + RETENTION_SECONDS,
    now: nowSeconds(),
  });
  // A part's record is under the request's storage key and the part's name (a registration id, say).
  const partKey = (name: string) => `${storageKey}#${name}`;

  try {
    return await run({
      record: (response) => recordUnder(storageKey, response),
      part: (name) => ({
        record: (response) => recordUnder(partKey(name), response),
        stored: async () => replay(await storedRecord(partKey(name))),
      }),
      store: async (response) => {
        await eventStore().append({
          streams: [],
          idempotency: recordUnder(storageKey, response),
          conferenceId: '',
          correlationId: '',
          now: new Date().toISOString(),
        });
      },
      stored: async () => replay(await storedRecord(storageKey)),
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
