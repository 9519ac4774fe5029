/**
 * A registration with sensitive answers has two data keys (CONTRACT 5.2): its personal data's and its
 * sensitive answers', each wrapped by the key service under its own encryption context. Sealing its first
 * event asks for both at once (in the cloud: two KMS calls side by side, not one after the other), and
 * writes both wrapped keys on one item (one write less in the registration's transaction).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys } from '../../functions/shared/personal-data/data-keys.js';
import type { EncryptionContext, KeyService } from '../../functions/shared/personal-data/key-service.js';
import { localKeyService } from '../../local/personal-data-keys.js';

describe('the two data keys of a new registration', () => {
  it('are asked of the key service at once, each under its own context, both written on one item', async () => {
    const local = await localKeyService(await mkdtemp(join(tmpdir(), 'keys-at-once-')));
    let inFlight = 0;
    let mostInFlight = 0;
    const contexts: EncryptionContext[] = [];
    // A key service that answers only after a moment, so that calls made one after the other never overlap.
    const slow: KeyService = {
      ...local,
      generateDataKey: async (context) => {
        contexts.push(context);
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 50));
        inFlight--;
        return local.generateDataKey(context);
      },
    };
    // The client is never used: making keys reads nothing, the writes go with the event's transaction.
    const dataKeys = new DataKeys({
      client: new DynamoDBClient({ region: 'local' }),
      tableName: 'DataKeys',
      keyService: () => slow,
    });
    const registrationId = randomUUID();
    const envelope = {
      eventId: randomUUID(),
      type: 'DelegateRegistered',
      streamId: `registration-${registrationId}`,
      version: 1,
      conferenceId: randomUUID(),
      occurredAt: '2015-06-01T00:00:00.000Z',
      data: {
        registrationId,
        personal: { givenName: 'Ana', answers: { visit: 'centro' } },
        sensitive: { diet: 'vegetarian' },
      },
      metadata: { correlationId: randomUUID(), schemaVersion: 2 },
    } as unknown as EventEnvelope;

    const { stored, writes } = await personalDataCodec({ dataKeys, open: false }).seal(envelope);

    expect(mostInFlight).toBe(2);
    expect(contexts).toEqual(
      expect.arrayContaining([{ registrationId }, { registrationId, purpose: 'sensitive' }]),
    );
    const items = writes.map((write) => unmarshall(write.Put?.Item ?? {}));
    expect(items.map((item) => item.sk)).toEqual(['data-key']);
    const [item] = items;
    expect(item?.pk).toBe(registrationId);
    // Two keys, each wrapped under its own context: each unwraps under its own and under no other.
    const personalKey = await local.decryptDataKey(item?.wrappedKey, { registrationId });
    const sensitiveKey = await local.decryptDataKey(item?.sensitiveWrappedKey, {
      registrationId,
      purpose: 'sensitive',
    });
    expect(Buffer.from(personalKey).equals(Buffer.from(sensitiveKey))).toBe(false);
    await expect(local.decryptDataKey(item?.sensitiveWrappedKey, { registrationId })).rejects.toThrow();
    // A retried append makes the same write (the keys made for it are kept while it may be retried).
    const again = await personalDataCodec({ dataKeys, open: false }).seal(envelope);
    expect(again.writes).toEqual(writes);
    const data = stored.data as { personal: unknown; sensitive: unknown };
    expect(data.personal).toMatch(/^pd1\./);
    expect(data.sensitive).toMatch(/^pd1\./);
    expect(JSON.stringify(stored)).not.toContain('vegetarian');
  });
});
