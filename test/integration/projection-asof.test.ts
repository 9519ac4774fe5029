import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { delegateCountsProjection } from '../../functions/shared/projections/projections.js';
import { readModelPartition, SUMMARY } from '../../functions/shared/projections/read-models.js';
import { localClientConfig } from '../../local/aws-config.js';
import { delegate } from '../domain/fixtures.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { appendConference } from '../support/seed.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
let store: EventStore;
const conferenceId = randomUUID();
const history: EventEnvelope[] = [];
const at = (minute: number) => new Date(Date.UTC(2015, 8, 1, 8, minute)).toISOString();

/** The conference, then three registrations a minute apart. */
const writeHistory = async () => {
  history.push(...(await appendConference(store, conferenceId, { now: at(0) })));
  for (let i = 1; i <= 3; i++) {
    const registrationId = randomUUID();
    const events = registrationDecider.decide(
      {
        type: 'RegisterDelegate',
        registrationId,
        conferenceId,
        delegate: { ...delegate, email: `asof${i}@example.org` },
        emailKey: testEmailKey(`asof${i}@example.org`),
        manageTokenHash: 'h',
        seatAvailable: true,
        now: at(i),
      },
      registrationDecider.initialState,
    );
    history.push(
      ...(await store.append({
        conferenceId,
        correlationId: 'seed',
        now: at(i),
        streams: [{ streamId: registrationStreamId(registrationId), expectedVersion: 0, events }],
      })),
    );
  }
};

/** A runner on its own client that counts the requests it sends, by command. */
const countingRunner = () => {
  const client = new DynamoDBClient(localClientConfig(tables.endpoint));
  const sent: string[] = [];
  /** Run once, before the next request of that command. */
  const before: Array<{ command: string; run: () => Promise<void> }> = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const hook = before.findIndex((candidate) => candidate.command === command);
      if (hook >= 0) await before.splice(hook, 1)[0]?.run();
      sent.push(command);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const runner = new ProjectionRunner(delegateCountsProjection as never, {
    client,
    tableName: tables.readModels,
    store,
  });
  return { runner, sent, before };
};

const summary = async (generation: number) => {
  const { Item } = await tables.client.send(
    new GetItemCommand({
      TableName: tables.readModels,
      Key: marshall({ pk: readModelPartition('delegate-counts', generation, conferenceId), sk: SUMMARY }),
      ConsistentRead: true,
    }),
  );
  return Item ? unmarshall(Item) : {};
};

beforeAll(async () => {
  tables = await createTestTables('projection-asof');
  store = storeWithCodec(tables.client, tables);
  await writeHistory();
});

describe('Projection runner: asOf in the projection transaction (DynamoDB Local)', () => {
  it('applies an event in two requests, skips a duplicate in one, and keeps asOf the newest', async () => {
    const { runner, sent } = countingRunner();
    const [conference, first, second, third] = history as [
      EventEnvelope,
      EventEnvelope,
      EventEnvelope,
      EventEnvelope,
    ];
    expect(await runner.apply(conference, 1)).toBe('applied');
    expect(await runner.apply(third, 1)).toBe('applied');
    expect(sent).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect((await summary(1)).asOf).toBe(at(3));

    sent.length = 0;
    expect(await runner.apply(first, 1)).toBe('applied'); // older than asOf: asOf left out, stays
    expect(await runner.apply(third, 1)).toBe('duplicate');
    expect(sent).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'BatchGetItemCommand']);
    expect(await runner.apply(second, 1)).toBe('applied');
    expect(await summary(1)).toMatchObject({ asOf: at(3), registered: 3 });
  });

  it('writes again without asOf when only the asOf condition refused the transaction', async () => {
    const { runner, sent, before } = countingRunner();
    const [conference, first] = history as [EventEnvelope, EventEnvelope];
    expect(await runner.apply(conference, 2)).toBe('applied');
    const later = at(30);
    // A newer event lands between the runner's read and its write.
    before.push({
      command: 'TransactWriteItemsCommand',
      run: async () => {
        await tables.client.send(
          new UpdateItemCommand({
            TableName: tables.readModels,
            Key: marshall({ pk: readModelPartition('delegate-counts', 2, conferenceId), sk: SUMMARY }),
            UpdateExpression: 'SET asOf = :t',
            ExpressionAttributeValues: marshall({ ':t': later }),
          }),
        );
      },
    });
    sent.length = 0;
    expect(await runner.apply(first, 2)).toBe('applied');
    expect(sent).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await summary(2)).toMatchObject({ asOf: later, registered: 1 });
    expect(await runner.apply(first, 2)).toBe('duplicate');
    expect(await summary(2)).toMatchObject({ asOf: later, registered: 1 });
  });

  it('advances a summary left behind when a duplicate is newer than its asOf', async () => {
    const { runner } = countingRunner();
    const [conference] = history as [EventEnvelope];
    expect(await runner.apply(conference, 3)).toBe('applied');
    await tables.client.send(
      new UpdateItemCommand({
        TableName: tables.readModels,
        Key: marshall({ pk: readModelPartition('delegate-counts', 3, conferenceId), sk: SUMMARY }),
        UpdateExpression: 'REMOVE asOf',
      }),
    );
    expect(await runner.apply(conference, 3)).toBe('duplicate');
    expect((await summary(3)).asOf).toBe(at(0));
  });
});
