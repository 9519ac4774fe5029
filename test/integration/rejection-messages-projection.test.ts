import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import {
  delegateCountsProjection,
  rejectionMessagesPartition,
} from '../../functions/shared/projections/projections.js';
import { readModelPartition } from '../../functions/shared/projections/read-models.js';
import { deleteOldGenerations } from '../../functions/shared/projections/rebuild.js';
import { delegate } from '../domain/fixtures.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { threeTimesShuffled } from '../support/redeliveries.js';
import { appendConference } from '../support/seed.js';
import { createTestTables, type TestTables } from '../support/tables.js';

/**
 * The delegate counts' side items of rejection messages (what translations/missing lists) on DynamoDB
 * Local: one per rejection with a message, holding its languages and nothing of its text; gone when the
 * registration is erased; the same whether events arrive once in order (apply) or three times shuffled in
 * batches (applyBatch, as a rebuild and the SQS consumer apply them); deleted with their old generation.
 */
let tables: TestTables;
let store: EventStore;
let runner: ProjectionRunner<unknown>;
const conferenceId = randomUUID();
const history: EventEnvelope[] = [];
const now = (minute: number) => new Date(Date.UTC(2015, 8, 1, 8, minute)).toISOString();

/** 24 moderated registrations: rejected with a map, a plain string or no message, approved; some erased. */
const writeHistory = async () => {
  history.push(...(await appendConference(store, conferenceId, { now: now(0) })));
  for (let i = 0; i < 24; i++) {
    const registrationId = randomUUID();
    const commands: RegistrationCommand[] = [
      {
        type: 'RegisterDelegate',
        registrationId,
        conferenceId,
        delegate: { ...delegate, email: `m${i}@example.org`, category: 'civil-society' },
        emailKey: testEmailKey(`m${i}@example.org`),
        manageTokenHash: 'h',
        seatAvailable: true,
        seatShard: 0,
        policy: 'moderated',
        now: now(i + 1),
      },
    ];
    const message =
      i % 4 === 0
        ? { en: `Not this time (${i}).`, fr: `Pas cette fois (${i}).` }
        : i % 4 === 1
          ? `No esta vez (${i}).`
          : undefined;
    if (i % 4 === 3)
      commands.push({ type: 'ApproveRegistration', seatAvailable: true, seatShard: 0, now: now(i + 2) });
    else
      commands.push({
        type: 'RejectRegistration',
        reasonCode: 'other',
        ...(message === undefined ? {} : { message }),
        defaultLanguage: 'es',
        now: now(i + 2),
      });
    if (i % 3 === 0) commands.push({ type: 'ErasePersonalData', by: 'organizer', now: now(i + 3) });
    // Each command its own append, as the API makes them (an erasure destroys the key the first one made).
    const events: RegistrationEvent[] = [];
    for (const [index, command] of commands.entries()) {
      const decided = registrationDecider.decide(command, fold(registrationDecider, events));
      history.push(
        ...(await store.append({
          conferenceId,
          correlationId: 'seed',
          now: now(i + 1 + index),
          streams: [
            {
              streamId: registrationStreamId(registrationId),
              expectedVersion: events.length,
              events: decided,
            },
          ],
        })),
      );
      events.push(...decided);
    }
  }
};

/** The side items of a generation, as stored. */
const sideItems = async (generation: number) => {
  const { Items = [] } = await tables.client.send(
    new QueryCommand({
      TableName: tables.readModels,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({
        ':pk': rejectionMessagesPartition(readModelPartition('delegate-counts', generation, conferenceId)),
      }),
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => unmarshall(item));
};

/** What the side items must be, from the event store's history read here on its own. */
const expected = () => {
  const last = new Map<string, EventEnvelope>();
  for (const event of history)
    if (event.streamId.startsWith('registration-')) last.set(event.streamId, event);
  return [...last.values()]
    .flatMap((event) =>
      event.type === 'RegistrationRejected' && event.data.messageLanguages
        ? [{ sk: event.data.registrationId, l: event.data.messageLanguages }]
        : [],
    )
    .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
};

beforeAll(async () => {
  tables = await createTestTables('rejection-messages');
  store = storeWithCodec(tables.client, tables);
  runner = new ProjectionRunner(delegateCountsProjection as never, {
    client: tables.client,
    tableName: tables.readModels,
    store,
  });
  await writeHistory();
});

describe('Rejection messages beside the delegate counts (DynamoDB Local)', () => {
  it('keeps one item per rejection with a message, its languages only, none for an erased one', async () => {
    for (const event of history) await runner.apply(event, 1);
    const items = await sideItems(1);
    const want = expected();
    // Of 24: 12 rejected with a message, 4 of them erased since (i % 3 === 0 among i % 4 in {0, 1}).
    expect(want).toHaveLength(8);
    expect(want.map(({ l }) => l).sort()).toEqual([
      ['en', 'fr'],
      ['en', 'fr'],
      ['en', 'fr'],
      ['en', 'fr'],
      ['es'],
      ['es'],
      ['es'],
      ['es'],
    ]);
    expect(items.map(({ pk: _pk, ...rest }) => rest)).toEqual(want);
    // The texts stay sealed in their events: none of them is in the read model.
    expect(JSON.stringify(items)).not.toMatch(/this time|esta vez|cette fois/);
  });

  it('is the same when every event arrives three times, shuffled, in batches of 10, four at a time', async () => {
    const deliveries = threeTimesShuffled(history, 19);
    const batches: EventEnvelope[][] = [];
    for (let i = 0; i < deliveries.length; i += 10) batches.push(deliveries.slice(i, i + 10));
    for (let i = 0; i < batches.length; i += 4)
      await Promise.all(batches.slice(i, i + 4).map((batch) => runner.applyBatch(batch, 2)));
    expect((await sideItems(2)).map(({ pk: _pk, ...rest }) => rest)).toEqual(expected());
  });

  it('goes with its generation when the older generations are deleted', async () => {
    expect((await sideItems(1)).length).toBeGreaterThan(0);
    await deleteOldGenerations({
      client: tables.client,
      readModelsTable: tables.readModels,
      changes: [{ projection: delegateCountsProjection.name, previous: 1, generation: 2 }],
      pointerSettleMs: 0,
    });
    expect(await sideItems(1)).toEqual([]);
    expect((await sideItems(2)).map(({ pk: _pk, ...rest }) => rest)).toEqual(expected());
  });
});
