import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { InvalidEventError } from '../../domain/events.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import {
  AppendConflictError,
  type EventStore,
  type Guard,
} from '../../functions/shared/event-store/event-store.js';
import { supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { localClientConfig } from '../../local/aws-config.js';
import { createTables } from '../../local/create-tables.js';
import { localKeyService } from '../../local/personal-data-keys.js';
import { delegate } from '../domain/fixtures.js';
import { storeWithCodec } from '../support/personal-data.js';

let client: DynamoDBClient;
let store: EventStore;
let eventsTable: string;

beforeAll(async () => {
  client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
  const names = await createTables(client, { prefix: `es${randomUUID().slice(0, 8)}` });
  eventsTable = names.Events as string;
  supplyAdapters({ keyService: await localKeyService(await mkdtemp(join(tmpdir(), 'event-store-keys-'))) });
  store = storeWithCodec(client, {
    events: eventsTable,
    streamState: names.StreamState as string,
    dataKeys: names.DataKeys as string,
  });
});

const registered = (registrationId: string, email = delegate.email): RegistrationEvent => ({
  type: 'DelegateRegistered',
  data: {
    registrationId,
    conferenceId: 'c1',
    country: delegate.country,
    category: delegate.category,
    registeredAt: '2015-09-01T10:00:00.000Z',
    personal: {
      givenName: delegate.givenName,
      familyName: delegate.familyName,
      email,
      city: delegate.city,
      manageTokenHash: 'h',
    },
  },
});
const checkedIn = (registrationId: string): RegistrationEvent => ({
  type: 'DelegateCheckedIn',
  data: { registrationId, checkedInAt: '2015-09-28T08:00:00.000Z' },
});
const context = { conferenceId: 'c1', correlationId: 'test', now: '2015-09-01T10:00:00.000Z' };

/** A seat guard of its own (a new key) that takes a seat while fewer than `below` are held. */
const seatsBelow = (below: number): Guard => ({
  op: 'increment',
  name: 'seats',
  key: `guard#seats#${randomUUID()}`,
  counter: 'held',
  by: 1,
  below,
});

const appendTo = (
  streamId: string,
  expectedVersion: number,
  events: RegistrationEvent[],
  guards: Guard[] = [],
) => store.append({ ...context, streams: [{ streamId, expectedVersion, events }], guards });

const conflictOf = async (promise: Promise<unknown>): Promise<AppendConflictError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppendConflictError);
  return error as AppendConflictError;
};

describe('Event store on DynamoDB Local', () => {
  it('appends and loads envelopes in version order', async () => {
    const stream = `registration-${randomUUID()}`;
    await appendTo(stream, 0, [registered('r1')]);
    await appendTo(stream, 1, [checkedIn('r1')]);
    const events = await store.load(stream);
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ['DelegateRegistered', 1],
      ['DelegateCheckedIn', 2],
    ]);
    expect(events[0]).toMatchObject({
      streamId: stream,
      conferenceId: 'c1',
      metadata: { correlationId: 'test', schemaVersion: 2 },
    });
    expect(await store.load(stream, { afterVersion: 1 })).toHaveLength(1);
  });

  it('lets exactly one of concurrent appends at the same version win', async () => {
    const stream = `registration-${randomUUID()}`;
    await appendTo(stream, 0, [registered('r1')]);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => appendTo(stream, 1, [checkedIn('r1')])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(AppendConflictError);
      expect((result.reason as AppendConflictError).conflicts).toEqual([
        { reason: 'stream', streamId: stream, expectedVersion: 1 },
      ]);
    }
    expect(await store.load(stream)).toHaveLength(2);
  });

  it('refuses to leave a gap: version n+1 only when the stream is at exactly n', async () => {
    const stream = `registration-${randomUUID()}`;
    await appendTo(stream, 0, [registered('r1')]);
    const ahead = await conflictOf(appendTo(stream, 3, [checkedIn('r1')]));
    expect(ahead.message).toContain(`stream ${stream} is not at version 3`);
    await conflictOf(appendTo(stream, 0, [registered('r1')]));
    expect((await store.load(stream)).map((e) => e.version)).toEqual([1]);
  });

  it('names the guard that clashed and writes nothing of the refused append', async () => {
    const claim = (owner: string): Guard => ({
      op: 'claim',
      name: 'email',
      key: 'guard#email#c1#a-x@example.org',
      owner,
    });
    const first = `registration-${randomUUID()}`;
    const second = `registration-${randomUUID()}`;
    await appendTo(first, 0, [registered('r1')], [claim('r1')]);
    const clash = await conflictOf(appendTo(second, 0, [registered('r2')], [claim('r2')]));
    expect(clash.guard('email')).toBe(true);
    expect(clash.conflicts).toEqual([
      { reason: 'guard', name: 'email', key: 'guard#email#c1#a-x@example.org' },
    ]);
    expect(await store.load(second)).toEqual([]);
  });

  it('appends to several streams atomically: one conflict and none is written', async () => {
    const fresh = `registration-${randomUUID()}`;
    const existing = `registration-${randomUUID()}`;
    await appendTo(existing, 0, [registered('r1')]);
    const error = await conflictOf(
      store.append({
        ...context,
        streams: [
          { streamId: fresh, expectedVersion: 0, events: [registered('r2')] },
          { streamId: existing, expectedVersion: 0, events: [registered('r1')] },
        ],
      }),
    );
    expect(error.conflicts).toEqual([{ reason: 'stream', streamId: existing, expectedVersion: 0 }]);
    expect(await store.load(fresh)).toEqual([]);
  });

  it('holds an append to streams it read but does not write: refused once such a stream moved on', async () => {
    const read = `registration-${randomUUID()}`;
    await appendTo(read, 0, [registered('r1')]);
    const append = (target: string) =>
      store.append({
        ...context,
        streams: [{ streamId: target, expectedVersion: 0, events: [registered('r2')] }],
        unchanged: [{ streamId: read, version: 1 }],
      });
    const first = `registration-${randomUUID()}`;
    await append(first);
    expect(await store.load(first)).toHaveLength(1);

    await appendTo(read, 1, [checkedIn('r1')]);
    const second = `registration-${randomUUID()}`;
    const conflict = await conflictOf(append(second));
    expect(conflict.conflicts).toEqual([{ reason: 'stream', streamId: read, expectedVersion: 1 }]);
    expect(await store.load(second)).toEqual([]);
  });

  it('never lets more appends take a seat than the capacity, under concurrency', async () => {
    const seats = seatsBelow(5);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        appendTo(`registration-${randomUUID()}`, 0, [registered('r')], [seats]),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const result of results.filter((r) => r.status === 'rejected'))
      expect((result.reason as AppendConflictError).guard('seats')).toBe(true);
  });

  it('writes one item alone as a single conditional write, refused as a transaction of it would be', async () => {
    // An Idempotency-Key record stored by itself: one item, sent as a PutItem (event-store.ts sendSingleWrite).
    const key = `idempotency#${randomUUID()}`;
    const record = (requestHash: string, now: number) => ({
      key,
      requestHash,
      response: `response of ${requestHash}`,
      expiresAt: now + 60,
      now,
    });
    const storeAlone = (idempotency: ReturnType<typeof record>) =>
      store.append({ ...context, streams: [], idempotency });
    await storeAlone(record('first', 1_000));
    const used = await conflictOf(storeAlone(record('second', 1_000)));
    expect(used.idempotency?.stored).toMatchObject({ pk: key, requestHash: 'first', expiresAt: 1_060 });
    expect(await store.idempotencyRecord(key)).toMatchObject({ requestHash: 'first' });
    // Past its expiry the record may be overwritten, as the transaction's condition allowed.
    await storeAlone(record('third', 2_000));
    expect(await store.idempotencyRecord(key)).toMatchObject({ requestHash: 'third', expiresAt: 2_060 });

    // One guard written alone: refused with the item as it was, for the command to decide again.
    const seats = seatsBelow(2);
    await store.writeGuards([seats]);
    await store.writeGuards([seats]);
    const full = await conflictOf(store.writeGuards([seats]));
    expect(full.refusedGuards('seats')).toEqual([
      { reason: 'guard', name: 'seats', key: seats.key, stored: expect.objectContaining({ held: 2 }) },
    ]);
    expect(await store.guardCounters(seats.key, ['held'])).toEqual({ held: 2 });
  });

  it('validates events when writing: invalid data is refused before anything is written', async () => {
    const stream = `registration-${randomUUID()}`;
    const invalid = registered('r1');
    if (invalid.type === 'DelegateRegistered') invalid.data.country = 'XX';
    await expect(appendTo(stream, 0, [invalid])).rejects.toBeInstanceOf(InvalidEventError);
    expect(await store.load(stream)).toEqual([]);
  });

  it('validates events when reading: a corrupt item is not passed on', async () => {
    const stream = `registration-${randomUUID()}`;
    await client.send(
      new PutItemCommand({
        TableName: eventsTable,
        Item: marshall({
          pk: stream,
          sk: 1,
          kind: 'event',
          eventId: 'e1',
          type: 'DelegateRegistered',
          streamId: stream,
          version: 1,
          conferenceId: 'c1',
          occurredAt: '2015-09-01T10:00:00.000Z',
          data: { registrationId: 'r1' },
          metadata: { correlationId: 'x', schemaVersion: 1 },
        }),
      }),
    );
    await expect(store.load(stream)).rejects.toBeInstanceOf(InvalidEventError);
  });
});
