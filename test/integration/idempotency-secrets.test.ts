import {
  type CipherKey,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IDEMPOTENCY_SECRET_PURPOSE,
  idempotencyKeys,
} from '../../functions/shared/event-store/idempotency.js';
import { localServerSecrets } from '../../local/server-secrets.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';

/**
 * Issue 16, 4(b): a stored Idempotency-Key response can hold a manage token and names, so its encryption
 * key mixes the client's key with a secret only the server holds (DATA_DIR locally, a KMS HMAC key in the
 * cloud), the request body's hash is an HMAC, and the record's key is one too. Read here through the real
 * handler and the stream-state table of DynamoDB Local, as a reader of the table would.
 */
let environment: HandlerEnvironment;
let registerDelegate: Handler;
let conferenceId: string;

const path = () => `/conferences/${conferenceId}/registrations`;
const scope = () => `POST ${path()}`;
const form = (email: string) => ({
  givenName: 'Ana',
  familyName: 'Pérez-Marcador',
  email,
  country: 'MX',
  city: 'Mexico City',
  organization: 'Ciudad de México',
  category: 'mayor',
  consent: true,
});

const register = async (key: string, body: unknown) => {
  const result = (await registerDelegate(
    httpEvent('POST', path(), {
      body,
      headers: { 'idempotency-key': key },
      pathParameters: { conferenceId },
    }),
    lambdaContext('RegisterDelegate'),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    replayed: result.headers?.['idempotent-replayed'] === 'true',
    body: JSON.parse(String(result.body)) as { registrationId: string; manageToken: string },
  };
};

/** The Idempotency-Key records of the stream-state table, as stored. */
const storedRecords = async () => {
  const { Items = [] } = await environment.tables.client.send(
    new ScanCommand({ TableName: environment.tables.streamState }),
  );
  return Items.map((item) => unmarshall(item)).filter((item) => item.kind === 'idempotency');
};

/** A sealed response (iv.tag.body, base64url), opened with `key`; throws when the key is not the one. */
const openWith = (sealed: string, key: CipherKey): string => {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv as Buffer);
  decipher.setAuthTag(tag as Buffer);
  return Buffer.concat([decipher.update(body as Buffer), decipher.final()]).toString('utf8');
};

/** How a response was keyed before v2: from the client's Idempotency-Key alone (vendored from v1). */
const v1CipherKey = (idempotencyKey: string, inScope: string) =>
  Buffer.from(hkdfSync('sha256', idempotencyKey, inScope, 'idempotent-response', 32));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('idempotency-secrets', { logLevel: 'SILENT' });
  const createConference = await importHandler('functions/http/create-conference.ts');
  registerDelegate = await importHandler('functions/http/register-delegate.ts');
  const created = (await createConference(
    httpEvent('POST', '/conferences', {
      body: { ...iclc2015, startDate: '2099-09-28', endDate: '2099-09-30' },
      headers: { authorization: `Bearer ${environment.organizerToken}` },
    }),
    lambdaContext('CreateConference'),
  )) as APIGatewayProxyStructuredResultV2;
  expect(created.statusCode).toBe(201);
  conferenceId = JSON.parse(String(created.body)).conferenceId;
}, 60_000);

afterAll(() => environment.dispose());

describe('Stored Idempotency-Key responses', () => {
  it('replay the first response to the same key and body, and refuse another body (422)', async () => {
    const key = randomUUID();
    const first = await register(key, form('replay@example.org'));
    const again = await register(key, form('replay@example.org'));
    const other = await register(key, form('someone-else@example.org'));
    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(again).toEqual({ ...first, replayed: true });
    expect(other.status).toBe(422);
  });

  it('hold nothing a reader of the table can read or test without the server’s secret', async () => {
    const key = randomUUID();
    const email = `marker-${randomUUID().slice(0, 8)}@example.org`;
    const body = JSON.stringify(form(email));
    const { body: answer } = await register(key, body);
    const secret = await (await localServerSecrets(environment.dataDir)).secret(IDEMPOTENCY_SECRET_PURPOSE);
    const keys = idempotencyKeys(secret, key, scope());
    const records = await storedRecords();
    const record = records.find((item) => item.pk === keys.storageKey);
    if (!record) throw new Error('no record stored under the v2 storage key');

    // Positive control: with the client's key and the server's secret, the response opens, token and all.
    expect(openWith(String(record.response), keys.cipher)).toContain(answer.manageToken);
    expect(record.requestHash).toBe(keys.requestHash(body));

    // In the clear: neither the token, nor the name, nor the address.
    const text = JSON.stringify(records);
    for (const secretText of [answer.manageToken, 'Marcador', email]) expect(text).not.toContain(secretText);
    // The record's key and the body's hash are not plain hashes anyone can recompute or test.
    expect(record.pk).not.toBe(`idempotency#${sha256(`${scope()}\n${key}`)}`);
    expect(record.requestHash).not.toBe(sha256(body));
    expect(record.requestHash).not.toBe(createHmac('sha256', key).update(body).digest('hex'));
    // The client's key alone (v1's derivation) does not open it, nor the key with another server's secret.
    expect(() => openWith(String(record.response), v1CipherKey(key, scope()))).toThrow();
    const otherServer = idempotencyKeys(randomBytes(32), key, scope());
    expect(() => openWith(String(record.response), otherServer.cipher)).toThrow();
    expect(otherServer.storageKey).not.toBe(keys.storageKey);
  });

  it('are keyed for any path, however long (HKDF takes at most 1,024 bytes of info)', () => {
    const secret = randomBytes(32);
    const long = idempotencyKeys(secret, 'k', `POST /conferences/${'A'.repeat(5_000)}/registrations`);
    const other = idempotencyKeys(secret, 'k', `POST /conferences/${'A'.repeat(4_999)}/registrations`);
    expect(long.cipher.symmetricKeySize).toBe(32);
    expect(long.storageKey).not.toBe(other.storageKey);
  });

  it('made before v2 (keyed by the client’s key alone) are treated as absent: the command runs as new', async () => {
    const key = randomUUID();
    const body = JSON.stringify(form('before-v2@example.org'));
    // A v1 record, as v1 stored it: a SHA-256 storage key and body hash, the response keyed by the key alone.
    const v1Response = JSON.stringify({
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ registrationId: 'stored-before-v2', manageToken: 'v1-token' }),
    });
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', v1CipherKey(key, scope()), iv);
    const sealed = Buffer.concat([cipher.update(v1Response, 'utf8'), cipher.final()]);
    const now = Math.floor(Date.now() / 1000);
    await environment.tables.client.send(
      new PutItemCommand({
        TableName: environment.tables.streamState,
        Item: marshall({
          pk: `idempotency#${sha256(`${scope()}\n${key}`)}`,
          sk: 0,
          kind: 'idempotency',
          requestHash: sha256(body),
          response: [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.'),
          expiresAt: now + 3600,
        }),
      }),
    );

    const first = await register(key, body);
    expect(first.status).toBe(201);
    expect(first.replayed).toBe(false);
    expect(first.body.registrationId).not.toBe('stored-before-v2');
    // From then on the v2 record answers the retry.
    expect(await register(key, body)).toEqual({ ...first, replayed: true });
  });
});
