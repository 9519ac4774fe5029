import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { toDelegateCounts } from '../../domain/projections/delegate-counts.js';
import {
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { delegateCountsProjection } from '../../functions/shared/projections/projections.js';
import { readModelPartition, SUMMARY } from '../../functions/shared/projections/read-models.js';
import { localClientConfig } from '../../local/aws-config.js';
import { delegate } from '../domain/fixtures.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { threeTimesShuffled } from '../support/redeliveries.js';
import { appendConference } from '../support/seed.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
let store: EventStore;
let runner: ProjectionRunner<unknown>;
const conferenceId = randomUUID();
const history: EventEnvelope[] = [];

const countries = ['MX', 'FI', 'KR', 'GB', 'JO', 'PY'];
const categories = ['mayor', 'academic', 'civil-society'] as const;

/** Writes a realistic history through the deciders: 40 delegates, some promoted, checked in, cancelled. */
const writeHistory = async () => {
  const now = (minute: number) => new Date(Date.UTC(2015, 8, 1, 8, minute)).toISOString();
  history.push(...(await appendConference(store, conferenceId, { now: now(0) })));
  for (let i = 0; i < 40; i++) {
    const registrationId = randomUUID();
    const commands: RegistrationCommand[] = [
      {
        type: 'RegisterDelegate',
        registrationId,
        conferenceId,
        delegate: {
          ...delegate,
          email: `d${i}@example.org`,
          country: countries[i % 6] as string,
          category: categories[i % 3] ?? 'other',
        },
        emailKey: testEmailKey(`d${i}@example.org`),
        manageTokenHash: 'h',
        seatAvailable: i % 4 !== 0,
        now: now(i + 1),
      },
    ];
    if (i % 4 === 0 && i % 8 === 0) commands.push({ type: 'PromoteWaitlistedDelegate', now: now(i + 2) });
    if (i % 3 === 0 && i % 4 !== 0) commands.push({ type: 'CheckInDelegate', now: now(i + 2) });
    if (i % 5 === 0) commands.push({ type: 'CancelRegistration', by: 'delegate', now: now(i + 3) });
    const events: RegistrationEvent[] = [];
    for (const command of commands)
      events.push(...registrationDecider.decide(command, fold(registrationDecider, events)));
    history.push(
      ...(await store.append({
        conferenceId,
        correlationId: 'seed',
        now: now(i + 1),
        streams: [{ streamId: registrationStreamId(registrationId), expectedVersion: 0, events }],
      })),
    );
  }
};

const summary = async (generation: number) => {
  const { Item } = await tables.client.send(
    new GetItemCommand({
      TableName: tables.readModels,
      Key: marshall({ pk: readModelPartition('delegate-counts', generation, conferenceId), sk: SUMMARY }),
      ConsistentRead: true,
    }),
  );
  return toDelegateCounts(conferenceId, 600, Item ? unmarshall(Item) : {});
};

beforeAll(async () => {
  tables = await createTestTables('counts-redelivery');
  store = storeWithCodec(tables.client, tables);
  runner = new ProjectionRunner(delegateCountsProjection as never, {
    client: tables.client,
    tableName: tables.readModels,
    store,
  });
  await writeHistory();
});

describe('Delegate counts projection under redelivery (DynamoDB Local)', () => {
  it('gives the same counts when every event arrives three times, shuffled and concurrently, as in order', async () => {
    for (const event of history) await runner.apply(event, 1);
    const inOrder = await summary(1);

    const deliveries = threeTimesShuffled(history, 2015);
    for (let i = 0; i < deliveries.length; i += 6)
      await Promise.all(deliveries.slice(i, i + 6).map((event) => runner.apply(event, 2)));
    const redelivered = await summary(2);

    expect(redelivered).toEqual(inOrder);
    // And both equal what the event store says, computed independently here.
    const final = new Map<string, string>();
    const seen = new Map<string, { country: string; category: string }>();
    for (const event of history) {
      if (event.type === 'DelegateRegistered' || event.type === 'DelegateWaitlisted') {
        seen.set(event.streamId, { country: event.data.country, category: event.data.category });
        final.set(event.streamId, event.type === 'DelegateRegistered' ? 'registered' : 'waitlisted');
      }
      if (event.type === 'WaitlistedDelegatePromoted') final.set(event.streamId, 'registered');
      if (event.type === 'DelegateCheckedIn') final.set(event.streamId, 'checked-in');
      if (event.type === 'RegistrationCancelled') final.set(event.streamId, 'cancelled');
    }
    const statuses = [...final.values()];
    const holders = [...final.entries()].filter(([, s]) => s === 'registered' || s === 'checked-in');
    expect(inOrder).toMatchObject({
      registered: holders.length,
      checkedIn: statuses.filter((s) => s === 'checked-in').length,
      waitlisted: statuses.filter((s) => s === 'waitlisted').length,
      cancelled: statuses.filter((s) => s === 'cancelled').length,
      countries: new Set(holders.map(([id]) => seen.get(id)?.country)).size,
      asOf: history
        .map((e) => e.occurredAt)
        .sort()
        .at(-1),
    });
    expect(inOrder.registered).toBeGreaterThan(10);
    expect(inOrder.cancelled).toBeGreaterThan(3);
  });

  it('gives the same counts and asOf when the redeliveries come in batches of 10, four at a time (applyBatch)', async () => {
    for (const event of history) await runner.apply(event, 4);
    const inOrder = await summary(4);
    const deliveries = threeTimesShuffled(history, 2026);
    const batches: EventEnvelope[][] = [];
    for (let i = 0; i < deliveries.length; i += 10) batches.push(deliveries.slice(i, i + 10));
    let handled = 0;
    for (let i = 0; i < batches.length; i += 4)
      for (const outcome of await Promise.all(
        batches.slice(i, i + 4).map((batch) => runner.applyBatch(batch, 5)),
      ))
        handled += outcome.applied + outcome.duplicate + outcome.ignored;
    expect(handled).toBe(deliveries.length);
    expect(await summary(5)).toEqual(inOrder);
    expect(inOrder.registered).toBeGreaterThan(10);
  });

  it('applies a batch of new registrations in one request, rows, counters and asOf together', async () => {
    const client = new DynamoDBClient(localClientConfig(tables.endpoint));
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'requestCounter' },
    );
    const counting = new ProjectionRunner(delegateCountsProjection as never, {
      client,
      tableName: tables.readModels,
      store,
    });
    const firsts = history.filter(
      (event) => event.type === 'DelegateRegistered' || event.type === 'DelegateWaitlisted',
    );
    const batch = firsts.slice(0, 10);
    expect(batch).toHaveLength(10);
    expect(await counting.applyBatch(batch, 6)).toEqual({ applied: 10, duplicate: 0, ignored: 0 });
    expect(sent).toEqual(['TransactWriteItemsCommand']);
    const counts = await summary(6);
    expect(counts.registered + counts.waitlisted).toBe(10);
    expect(counts.asOf).toBe(
      batch
        .map((event) => event.occurredAt)
        .sort()
        .at(-1),
    );
    // The same batch again: every event a duplicate, nothing written but a read.
    sent.length = 0;
    expect(await counting.applyBatch([...batch].reverse(), 6)).toEqual({
      applied: 0,
      duplicate: 10,
      ignored: 0,
    });
    expect(await summary(6)).toEqual(counts);
    client.destroy();
  });

  it('fills a gap from the event store when a later event arrives first', async () => {
    const stream = history.filter((e) => e.type === 'RegistrationCancelled')[0]?.streamId as string;
    const events = history.filter((e) => e.streamId === stream);
    expect(events.length).toBeGreaterThan(1);
    const last = events.at(-1) as EventEnvelope;
    expect(await runner.apply(last, 3)).toBe('applied');
    for (const event of events) expect(await runner.apply(event, 3)).toBe('duplicate');
    expect(await summary(3)).toMatchObject({ cancelled: 1, registered: 0, waitlisted: 0 });
  });
});
