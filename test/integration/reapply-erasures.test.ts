import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { readModelItemFate, reapplyErasures } from '../../functions/shared/personal-data/reapply.js';
import { eraseSensitiveForRetention } from '../../functions/shared/personal-data/retention.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import {
  registrantListProjection,
  visaLettersProjection,
} from '../../functions/shared/projections/projections.js';
import { readModelPartition, rowKey } from '../../functions/shared/projections/read-models.js';
import { iclc2015 } from '../domain/fixtures.js';
import { searchTables } from '../support/marker-search.js';
import { dataKeyItems, storeWithCodec } from '../support/personal-data.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * `npm run reapply-erasures` after a restore: the read models of plaintext personal data were filled while
 * an erased registration's key was readable again (a rebuild after a restore of the data keys); re-applying
 * the erasures empties its rows and deletes its index entries there, and leaves everyone else's.
 */
const handlers = useRouteHandlers('reapply', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let opened: EventStore;

beforeAll(async () => {
  opened = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, { open: true });
}, 60_000);

const register = async (conferenceId: string, familyName: string, answers?: Record<string, unknown>) => {
  const response = await call(
    'RegisterDelegate',
    { conferenceId },
    {
      body: {
        givenName: 'Ana',
        familyName,
        email: `${familyName.toLowerCase()}@example.org`,
        country: 'MX',
        city: 'Puebla',
        category: 'mayor',
        consent: true,
        ...(answers ? { answers } : {}),
      },
    },
  );
  expect(response.status).toBe(201);
  return response.body.registrationId as string;
};

/** `npm run reapply-erasures` on this file's tables; with `readModels`, the personal read models scrubbed too. */
const reapply = ({ readModels }: { readModels: boolean }) => {
  const { tables } = handlers.environment;
  return reapplyErasures({
    client: tables.client,
    eventsTable: tables.events,
    dataKeysTable: tables.dataKeys,
    ...(readModels ? { personalReadModelsTable: tables.personalReadModels } : {}),
  });
};

const partitionItems = async (pk: string) => {
  const { Items } = await handlers.environment.tables.client.send(
    new QueryCommand({
      TableName: handlers.environment.tables.personalReadModels,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': pk }),
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => unmarshall(item));
};

describe('reapply-erasures on DynamoDB Local', () => {
  it('empties the read-model rows of erased registrations and deletes their index entries, and only theirs', async () => {
    const created = await call('CreateConference', {}, { body: iclc2015, headers: organizer() });
    expect(created.status).toBe(201);
    const conferenceId = created.body.conferenceId as string;
    const erasedMarker = `Erased${randomUUID().slice(0, 8)}`;
    const keptMarker = `Kept${randomUUID().slice(0, 8)}`;
    const erasedId = await register(conferenceId, erasedMarker);
    const keptId = await register(conferenceId, keptMarker);

    // The read models as a rebuild fills them while the key is readable: both registrations in plaintext.
    for (const projection of [registrantListProjection, visaLettersProjection]) {
      const runner = new ProjectionRunner<unknown>(projection as never, {
        client: handlers.environment.tables.client,
        tableName: handlers.environment.tables.personalReadModels,
        store: opened,
      });
      for (const id of [erasedId, keptId])
        for (const event of await opened.load(registrationStreamId(id))) await runner.apply(event, 1);
    }
    const personal = [handlers.environment.tables.personalReadModels];
    expect(
      (await searchTables(handlers.environment.tables.client, [erasedMarker], personal)).length,
    ).toBeGreaterThan(0);
    const rowsPk = readModelPartition(registrantListProjection.name, 1, conferenceId);
    const before = await partitionItems(rowsPk);
    expect(before.find((item) => item.sk === rowKey(registrationStreamId(erasedId)))?.state).toBeTruthy();

    // Erased through the API; the projectors never saw it (as after the restore).
    const erased = await call(
      'ErasePersonalData',
      { conferenceId, registrationId: erasedId },
      { headers: organizer() },
    );
    expect(erased.status).toBe(200);

    const result = await reapply({ readModels: true });
    expect(result.erasures).toBe(1);
    expect(result.readModelItems).toBeGreaterThan(2); // two rows and the index entries of one

    expect(await searchTables(handlers.environment.tables.client, [erasedMarker], personal)).toEqual([]);
    // The positive control: the other registration is untouched, in rows and index entries.
    expect(
      (await searchTables(handlers.environment.tables.client, [keptMarker], personal)).length,
    ).toBeGreaterThan(0);
    const after = await partitionItems(rowsPk);
    const erasedRow = after.find((item) => item.sk === rowKey(registrationStreamId(erasedId)));
    // Its row keeps the checkpoint (a late delivery is still skipped), with no state.
    expect(erasedRow).toMatchObject({ state: null });
    expect(typeof erasedRow?.version).toBe('number');
    expect(after.find((item) => item.sk === rowKey(registrationStreamId(keptId)))?.state).toBeTruthy();
    const entries = await partitionItems(`${rowsPk}#all`);
    expect(entries.some((entry) => String(entry.sk).endsWith(`|${keptId}`))).toBe(true);
    expect(entries.some((entry) => String(entry.sk).endsWith(`|${erasedId}`))).toBe(false);

    // Idempotent: a second run finds nothing more to do.
    const again = await reapply({ readModels: true });
    expect(again.readModelItems).toBe(0);
  });
});

describe('reapply-erasures and the sensitive answers’ key (CONTRACT 5.2)', () => {
  it('after a restore, removes it again from the keys of registrations whose sensitive answers were erased, and leaves no key of one erased whole', async () => {
    const created = await call('CreateConference', {}, { body: iclc2015, headers: organizer() });
    expect(created.status).toBe(201);
    const conferenceId = created.body.conferenceId as string;
    const form = await call(
      'PutRegistrationForm',
      { conferenceId },
      {
        body: { fields: [{ fieldId: 'diet', type: 'text', label: 'Dietary needs', sensitive: true }] },
        headers: organizer(),
      },
    );
    expect(form.status).toBe(200);
    const registerAnswering = (familyName: string) =>
      register(conferenceId, familyName, { diet: `Diet of ${familyName}` });
    const sensitiveErased = await registerAnswering(`Sensitive${randomUUID().slice(0, 8)}`);
    const wholeErased = await registerAnswering(`Whole${randomUUID().slice(0, 8)}`);
    const kept = await registerAnswering(`Kept${randomUUID().slice(0, 8)}`);
    const keyItems = (registrationId: string) =>
      dataKeyItems(handlers.environment.tables.client, handlers.environment.tables.dataKeys, registrationId);
    // The backup a point-in-time restore brings back: each key item as it was before the erasures.
    const backup = new Map<string, Record<string, AttributeValue>[]>();
    for (const id of [sensitiveErased, wholeErased, kept]) {
      const items = await keyItems(id);
      expect(items.map((item) => unmarshall(item).sk)).toEqual(['data-key']);
      expect(unmarshall(items[0] ?? {}).sensitiveWrappedKey).toBeDefined();
      backup.set(id, items);
    }

    expect(await eraseSensitiveForRetention(conferenceId, sensitiveErased, 'test-retention')).toBe('erased');
    const erased = await call(
      'ErasePersonalData',
      { conferenceId, registrationId: wholeErased },
      { headers: organizer() },
    );
    expect(erased.status).toBe(200);

    // The restore: the data-keys table back at the backup (its markers and deletions gone).
    for (const id of [sensitiveErased, wholeErased]) {
      for (const item of await keyItems(id))
        await handlers.environment.tables.client.send(
          new DeleteItemCommand({
            TableName: handlers.environment.tables.dataKeys,
            Key: { pk: item.pk as AttributeValue, sk: item.sk as AttributeValue },
          }),
        );
      for (const item of backup.get(id) ?? [])
        await handlers.environment.tables.client.send(
          new PutItemCommand({ TableName: handlers.environment.tables.dataKeys, Item: item }),
        );
    }
    // Readable again, as the restore left them.
    expect(unmarshall((await keyItems(sensitiveErased))[0] ?? {}).sensitiveWrappedKey).toBeDefined();

    const result = await reapply({ readModels: false });
    expect(result.erasures).toBeGreaterThanOrEqual(2);

    const sorted = async (id: string) =>
      (await keyItems(id))
        .map((item) => unmarshall(item))
        .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    // Its data key stays; the sensitive key's wrapped form is gone again, and its marker is back.
    const afterSensitive = await sorted(sensitiveErased);
    expect(afterSensitive.map((item) => item.sk)).toEqual(['data-key', 'sensitive-erased']);
    expect(afterSensitive[0]).toMatchObject({ wrappedKey: expect.anything() });
    expect(afterSensitive[0]).not.toHaveProperty('sensitiveWrappedKey');
    expect(afterSensitive[0]).not.toHaveProperty('sensitiveMasterKeyId');
    // Erased whole: only the marker, no key material and no item left behind.
    expect((await sorted(wholeErased)).map((item) => Object.keys(item).sort())).toEqual([
      ['erasedAt', 'pk', 'sk'],
    ]);
    // The positive control: the kept registration's two keys are untouched.
    expect(await keyItems(kept)).toEqual(backup.get(kept));

    // Read with the sensitive key asked for (a new environment: nothing cached), the sensitive answers are
    // erased and the rest opens; the kept registration's sensitive answers open.
    const fresh = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
      openSensitive: true,
    });
    const [first] = await fresh.load(registrationStreamId(sensitiveErased));
    expect(first?.data).toMatchObject({ sensitive: { unavailable: 'erased' }, personal: { city: 'Puebla' } });
    const [keptFirst] = await fresh.load(registrationStreamId(kept));
    expect(keptFirst?.data).toMatchObject({ sensitive: { diet: expect.stringMatching(/^Diet of Kept/) } });
    const [wholeFirst] = await fresh.load(registrationStreamId(wholeErased));
    expect(wholeFirst?.data).toMatchObject({
      sensitive: { unavailable: 'erased' },
      personal: { unavailable: 'erased' },
    });

    // Idempotent: a second run leaves the same items.
    await reapply({ readModels: false });
    expect(await sorted(sensitiveErased)).toEqual(afterSensitive);
  });
});

describe('what an erasure does to a read-model item', () => {
  const erased = new Set(['r-erased']);
  it('empties rows, deletes index entries and lookup copies, keeps pointers and others', () => {
    expect(readModelItemFate({ sk: 'stream#registration-r-erased', state: { x: 1 } }, erased)).toEqual({
      action: 'empty',
    });
    expect(
      readModelItemFate({ sk: 'stream#visa-letter-v1', state: { registrationId: 'r-erased' } }, erased),
    ).toEqual({ action: 'empty' });
    expect(readModelItemFate({ sk: 'stream#registration-r-erased', state: null }, erased)).toEqual({
      action: 'keep',
    });
    expect(readModelItemFate({ sk: 'lookup', state: { registrationId: 'r-erased' } }, erased)).toEqual({
      action: 'delete',
    });
    expect(readModelItemFate({ sk: 'n|perez\u0001ana|r-erased', s: 'registered' }, erased)).toEqual({
      action: 'delete',
    });
    expect(readModelItemFate({ sk: 'n|perez\u0001ana|r-kept', s: 'registered' }, erased)).toEqual({
      action: 'keep',
    });
    expect(readModelItemFate({ sk: 'pointer', active: 2 }, erased)).toEqual({ action: 'keep' });
    expect(readModelItemFate({ sk: 'lookup', state: { registrationId: 'r-kept' } }, erased)).toEqual({
      action: 'keep',
    });
  });
});
