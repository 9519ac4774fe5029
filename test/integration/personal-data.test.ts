import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../domain/events.js';
import {
  personalDataOf,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { EventStore } from '../../functions/shared/event-store/event-store.js';
import { personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys, PersonalDataUnavailableError } from '../../functions/shared/personal-data/data-keys.js';
import { EmailKeys } from '../../functions/shared/personal-data/email-key.js';
import { openFields, sealFields } from '../../functions/shared/personal-data/fields.js';
import type { KeyService } from '../../functions/shared/personal-data/key-service.js';
import { localKeyService } from '../../local/personal-data-keys.js';
import { delegate } from '../domain/fixtures.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
let keys: KeyService;
let calls: { generate: number; decrypt: number; mac: number };
let dataDir: string;

/** A store whose key service counts its calls, with a fresh cache (another execution environment). */
const storeOf = (open: boolean) => {
  const dataKeys = new DataKeys({
    client: tables.client,
    tableName: tables.dataKeys,
    keyService: () => counted,
  });
  return {
    dataKeys,
    store: new EventStore({
      client: tables.client,
      tableName: tables.events,
      stateTableName: tables.streamState,
      codec: personalDataCodec({ dataKeys, open }),
    }),
  };
};

const counted: KeyService = {
  generateDataKey: (context) => {
    calls.generate++;
    return keys.generateDataKey(context);
  },
  decryptDataKey: (wrapped, context) => {
    calls.decrypt++;
    return keys.decryptDataKey(wrapped, context);
  },
  mac: (message) => {
    calls.mac++;
    return keys.mac(message);
  },
};

beforeAll(async () => {
  tables = await createTestTables('personal-data');
  dataDir = await mkdtemp(join(tmpdir(), 'personal-data-'));
  keys = await localKeyService(dataDir);
  calls = { generate: 0, decrypt: 0, mac: 0 };
});

const now = '2015-09-01T10:00:00.000Z';
const context = { conferenceId: 'c1', correlationId: 'test', now };

const register = (registrationId: string, email = `${registrationId}@example.org`) =>
  registrationDecider.decide(
    {
      type: 'RegisterDelegate',
      registrationId,
      conferenceId: 'c1',
      delegate: { ...delegate, givenName: 'Marker-Given', familyName: 'Marker-Family', email },
      emailKey: 'email-key',
      manageTokenHash: 'f'.repeat(64),
      seatAvailable: true,
      now,
    },
    registrationDecider.initialState,
  );

const rawItems = async (registrationId: string) => {
  const { Items = [] } = await tables.client.send(new ScanCommand({ TableName: tables.events }));
  return Items.map((item) => unmarshall(item)).filter((item) => item.data?.registrationId === registrationId);
};

describe('Personal data in the event store', () => {
  it('stores the personal part as one opaque string and gives it back opened', async () => {
    const registrationId = randomUUID();
    const { store } = storeOf(false);
    const [written] = await store.append({
      ...context,
      streams: [
        {
          streamId: registrationStreamId(registrationId),
          expectedVersion: 0,
          events: register(registrationId),
        },
      ],
    });
    const [item] = await rawItems(registrationId);
    const stored = JSON.stringify(item);
    for (const plain of [
      'Marker-Given',
      'Marker-Family',
      `${registrationId}@example.org`,
      'Mexico City',
      'f'.repeat(64),
      'email-key',
    ])
      expect(stored).not.toContain(plain);
    expect(typeof item?.data.personal).toBe('string');
    expect(item?.data).toMatchObject({ registrationId, country: 'MX', category: 'mayor' });
    expect(item?.metadata.schemaVersion).toBe(2);

    const [sealed] = await storeOf(false).store.load(registrationStreamId(registrationId));
    expect(typeof (sealed?.data as { personal: unknown } | undefined)?.personal).toBe('string');

    const [opened] = await storeOf(true).store.load(registrationStreamId(registrationId));
    expect(opened?.data).toEqual(written?.data);
    expect(personalDataOf([opened as RegistrationEvent])).toMatchObject({
      givenName: 'Marker-Given',
      email: `${registrationId}@example.org`,
      manageTokenHash: 'f'.repeat(64),
    });
  });

  it('makes the data key in the append: a refused append leaves no key; KMS is asked once per environment', async () => {
    const registrationId = randomUUID();
    const streamId = registrationStreamId(registrationId);
    const { store } = storeOf(true);
    const before = { ...calls };
    await store.append({
      ...context,
      streams: [{ streamId, expectedVersion: 0, events: register(registrationId) }],
    });
    const refused = randomUUID();
    await expect(
      store.append({
        ...context,
        streams: [
          { streamId: registrationStreamId(refused), expectedVersion: 0, events: register(refused) },
          { streamId, expectedVersion: 0, events: register(registrationId) },
        ],
      }),
    ).rejects.toThrow(/Append refused/);
    const { Item } = await tables.client.send(
      new GetItemCommand({ TableName: tables.dataKeys, Key: marshall({ pk: refused, sk: 'data-key' }) }),
    );
    expect(Item).toBeUndefined();
    for (let i = 0; i < 3; i++) await store.load(streamId);
    expect(calls.generate - before.generate).toBe(2);
    // The key made for this environment is cached: reading back needs no KMS call at all.
    expect(calls.decrypt - before.decrypt).toBe(0);
    const other = storeOf(true).store;
    for (let i = 0; i < 3; i++) await other.load(streamId);
    expect(calls.decrypt - before.decrypt).toBe(1);
  });

  it('destroys the key with PersonalDataErased: reads then give the erased marker, in every environment', async () => {
    const registrationId = randomUUID();
    const streamId = registrationStreamId(registrationId);
    const { store } = storeOf(true);
    await store.append({
      ...context,
      streams: [{ streamId, expectedVersion: 0, events: register(registrationId) }],
    });
    const warm = storeOf(true).store;
    await warm.load(streamId);
    const state = fold(registrationDecider, (await store.load(streamId)) as RegistrationEvent[]);
    const erasure = registrationDecider.decide({ type: 'ErasePersonalData', by: 'delegate', now }, state);
    await store.append({ ...context, streams: [{ streamId, expectedVersion: 1, events: erasure }] });

    const { Items = [] } = await tables.client.send(
      new ScanCommand({
        TableName: tables.dataKeys,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': registrationId }),
      }),
    );
    expect(Items.map((item) => unmarshall(item))).toEqual([
      { pk: registrationId, sk: 'erased', erasedAt: now },
    ]);
    const fresh = (await storeOf(true).store.load(streamId)) as RegistrationEvent[];
    expect(fresh.map((event) => event.type)).toEqual([
      'DelegateRegistered',
      'RegistrationCancelled',
      'PersonalDataErased',
    ]);
    expect((fresh[0]?.data as { personal: unknown } | undefined)?.personal).toEqual({
      unavailable: 'erased',
    });
    expect(personalDataOf(fresh)).toBe('erased');
    expect(fold(registrationDecider, fresh)).toMatchObject({ status: 'erased' });
  });

  it('a key missing for a registration that is not erased is a server fault, never "erased"', async () => {
    const registrationId = randomUUID();
    const streamId = registrationStreamId(registrationId);
    await storeOf(false).store.append({
      ...context,
      streams: [{ streamId, expectedVersion: 0, events: register(registrationId) }],
    });
    await tables.client.send(
      new DeleteItemCommand({
        TableName: tables.dataKeys,
        Key: marshall({ pk: registrationId, sk: 'data-key' }),
      }),
    );
    const error = await storeOf(true)
      .store.load(streamId)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalDataUnavailableError);
    expect((error as Error).message).toMatch(/missing/);
    // Readers that do not open personal data are not affected.
    expect(await storeOf(false).store.load(streamId)).toHaveLength(1);
  });

  it('a key that does not unwrap, or a personal part that does not open, is a server fault too', async () => {
    const registrationId = randomUUID();
    const streamId = registrationStreamId(registrationId);
    await storeOf(false).store.append({
      ...context,
      streams: [{ streamId, expectedVersion: 0, events: register(registrationId) }],
    });
    const other = await localKeyService(await mkdtemp(join(tmpdir(), 'other-master-')));
    const foreign = await other.generateDataKey({ registrationId });
    await tables.client.send(
      new PutItemCommand({
        TableName: tables.dataKeys,
        Item: marshall({ pk: registrationId, sk: 'data-key', wrappedKey: foreign.wrapped, masterKeyId: 'x' }),
      }),
    );
    await expect(storeOf(true).store.load(streamId)).rejects.toThrow(/cannot be unwrapped/);
  });

  it('reads stored v1 events (plaintext, before encryption) through the upcaster', async () => {
    const registrationId = randomUUID();
    const streamId = registrationStreamId(registrationId);
    const v1 = {
      pk: streamId,
      sk: 1,
      kind: 'event',
      eventId: randomUUID(),
      type: 'DelegateWaitlisted',
      streamId,
      version: 1,
      conferenceId: 'c1',
      occurredAt: now,
      data: {
        ...delegate,
        email: 'Old.Style@Example.org',
        registrationId,
        conferenceId: 'c1',
        manageTokenHash: 'a'.repeat(64),
        registeredAt: now,
      },
      metadata: { correlationId: 'v1', schemaVersion: 1 },
    };
    await tables.client.send(new PutItemCommand({ TableName: tables.events, Item: marshall(v1) }));
    for (const open of [true, false]) {
      const [event] = (await storeOf(open).store.load(streamId)) as RegistrationEvent[];
      expect(event?.data).toEqual({
        registrationId,
        conferenceId: 'c1',
        country: 'MX',
        category: 'mayor',
        registeredAt: now,
        personal: {
          givenName: 'Ana',
          familyName: 'Pérez',
          email: 'Old.Style@Example.org',
          city: 'Mexico City',
          organization: 'Ciudad de México',
          manageTokenHash: 'a'.repeat(64),
        },
      });
      // Its guard was keyed by the lower-cased address then, and a cancellation releases that one.
      expect(fold(registrationDecider, event ? [event] : [])).toMatchObject({
        status: 'waitlisted',
        secrets: { emailGuard: 'old.style@example.org', manageTokenHash: 'a'.repeat(64) },
      });
    }
    expect(parseEnvelope(v1).metadata.schemaVersion).toBe(2);
  });

  it('refuses to store personal data without a codec', async () => {
    const plain = new EventStore({
      client: tables.client,
      tableName: tables.events,
      stateTableName: tables.streamState,
    });
    const registrationId = randomUUID();
    await expect(
      plain.append({
        ...context,
        streams: [
          {
            streamId: registrationStreamId(registrationId),
            expectedVersion: 0,
            events: register(registrationId),
          },
        ],
      }),
    ).rejects.toThrow(/no codec/);
    expect(await rawItems(registrationId)).toEqual([]);
  });
});

describe('Sealed fields', () => {
  const key = Buffer.alloc(32, 7);
  const binding = { registrationId: 'r1', eventType: 'DelegateRegistered', fieldSet: 1 };
  it('open only under the same key, registration and event type (AAD)', () => {
    const sealed = sealFields(key, { givenName: 'Ana' }, binding);
    expect(sealed).toMatch(/^pd1\.1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(openFields(key, sealed, binding).fields).toEqual({ givenName: 'Ana' });
    expect(() => openFields(key, sealed, { ...binding, registrationId: 'r2' })).toThrow(/does not open/);
    expect(() => openFields(key, sealed, { ...binding, eventType: 'DelegateWaitlisted' })).toThrow(
      /does not open/,
    );
    expect(() => openFields(Buffer.alloc(32, 8), sealed, binding)).toThrow(/does not open/);
    expect(() => openFields(key, sealed.replace('pd1.1.', 'pd1.2.'), binding)).toThrow(/does not open/);
  });
  it('never seal the same fields to the same text (a random IV each time)', () => {
    expect(sealFields(key, { a: 1 }, binding)).not.toBe(sealFields(key, { a: 1 }, binding));
  });
});

describe('The email guard key', () => {
  it('is an HMAC of the normalized email: the same for NFC/NFD, case and spaces; never the address', async () => {
    const before = calls.mac;
    const emails = new EmailKeys(() => counted);
    const nfc = 'José.Nuñez@Example.org';
    const a = await emails.of('c1', nfc);
    const b = await emails.of('c1', `  ${nfc.normalize('NFD').toUpperCase()} `);
    expect(a).toEqual(b);
    expect(a.emailKey).toMatch(/^[\w-]{43}$/);
    expect(a.legacyEmailKey).toMatch(/^[\w-]{43}$/);
    expect(a.emailKey).not.toContain('example');
    // One MAC for the key, one for the key of old; the second call is cached.
    expect(calls.mac - before).toBe(2);
    const elsewhere = await localKeyService(await mkdtemp(join(tmpdir(), 'other-mac-')));
    const other = await new EmailKeys(() => elsewhere).of('c1', nfc);
    expect(other.emailKey).not.toBe(a.emailKey);
    expect(other.legacyEmailKey).not.toBe(a.legacyEmailKey);
  });
  it('covers its purpose and the conference: one address gives unrelated keys in two conferences', async () => {
    const emails = new EmailKeys(() => counted);
    const first = await emails.of('conference-1', 'ana@example.org');
    const second = await emails.of('conference-2', 'ana@example.org');
    expect(first.emailKey).not.toBe(second.emailKey);
    // The key of old was the MAC of the address alone: the same in every conference, unlike the new one.
    expect(first.legacyEmailKey).toBe(second.legacyEmailKey);
    expect(first.emailKey).not.toBe(first.legacyEmailKey);
    const plain = Buffer.from(await counted.mac(Buffer.from('ana@example.org', 'utf8'))).toString(
      'base64url',
    );
    expect(first.legacyEmailKey).toBe(plain);
    expect(first.emailKey).not.toBe(plain);
  });
  it('keeps its key in a 0600 file of the data directory', async () => {
    const { stat } = await import('node:fs/promises');
    const file = join(dataDir, 'keys', 'master-key.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8'))).sort()).toEqual([
      'keyId',
      'macKey',
      'wrappingKey',
    ]);
  });
});
