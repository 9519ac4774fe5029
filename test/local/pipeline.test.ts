import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import type { RuleDefinition } from '../../infra/definitions/rules.js';
import { PIPE_DEAD_LETTER_QUEUE, readDeadLetters } from '../../local/dead-letters.js';
import { type BusEvent, startEventBus } from '../../local/event-bus.js';
import { silentLogger } from '../../local/log.js';
import { type StreamPollerOptions, startStreamPoller } from '../../local/stream-poller.js';
import { iclc2015 } from '../domain/fixtures.js';
import { testRule as rule } from '../support/bus-events.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
let dataDir: string;

beforeAll(async () => {
  tables = await createTestTables('pipeline');
});
afterAll(() => tables.client.destroy());

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pipeline-test-'));
  return () => rm(dataDir, { recursive: true, force: true });
});

const conferenceCreated = (streamId: string, version: number, eventId: string = randomUUID()) => ({
  pk: streamId,
  sk: version,
  kind: 'event',
  catalog: 'conference',
  eventId,
  type: 'ConferenceCreated',
  streamId,
  version,
  conferenceId: streamId.replace('conference-', ''),
  occurredAt: '2015-06-01T12:00:00.000Z',
  data: {
    conferenceId: streamId.replace('conference-', ''),
    ...iclc2015,
    capacity: 650,
    rooms: [{ name: 'Sala Principal', capacity: 650 }],
  },
  metadata: { correlationId: 'c', schemaVersion: 1 },
});

const ofStream = (events: BusEvent[], streamId: string) =>
  events
    .map((event) => event.detail as { streamId: string; version: number })
    .filter((detail) => detail.streamId === streamId);

const put = (item: Record<string, unknown>) =>
  tables.client.send(new PutItemCommand({ TableName: tables.events, Item: marshall(item) }));

/** A bus with the given rules whose consumers record what they get, and a poller on the events table. */
const startPipeline = async (rules: RuleDefinition[], poller: Partial<StreamPollerOptions> = {}) => {
  const deliveries: Array<{ rule: string; event: SQSEvent }> = [];
  const bus = await startEventBus({
    rules,
    deadLetterDir: join(dataDir, 'dead-letters'),
    loadConsumer: async (definition) => async (event) => {
      deliveries.push({ rule: definition.name, event });
      return { batchItemFailures: [] };
    },
    logger: silentLogger,
  });
  const published: BusEvent[] = [];
  const streamPoller = await startStreamPoller({
    endpoint: tables.endpoint,
    tableName: tables.events,
    publish: (event) => {
      published.push(event);
      return bus.publish(event);
    },
    deadLetterDir: join(dataDir, 'dead-letters'),
    checkpointFile: join(dataDir, 'pipeline', 'stream-checkpoints.json'),
    logger: silentLogger,
    ...poller,
  });
  return {
    deliveries,
    published,
    settle: async () => {
      await streamPoller.caughtUp();
      await bus.idle();
    },
    stop: async () => {
      await streamPoller.stop();
      await bus.stop();
    },
  };
};

describe('stream poller and bus on DynamoDB Local', () => {
  it('carries exactly the inserted event item to the matching consumer, as an SQS batch of EventBridge events', async () => {
    const pipeline = await startPipeline([
      rule('ConferenceWatcher', ['ConferenceCreated']),
      rule('SessionWatcher', ['SessionCancelled']),
    ]);
    try {
      const event = conferenceCreated('conference-1', 1);
      await put(event);
      await put({ pk: 'guard#x', sk: 0, kind: 'guard' });
      await put({ pk: 'idempotency#k', sk: 0, kind: 'idempotency', response: '{}' });
      // Not inserts: a change and a deletion of an event item never reach the bus.
      await tables.client.send(
        new UpdateItemCommand({
          TableName: tables.events,
          Key: marshall({ pk: 'conference-1', sk: 1 }),
          UpdateExpression: 'SET touched = :t',
          ExpressionAttributeValues: marshall({ ':t': true }),
        }),
      );
      await tables.client.send(
        new DeleteItemCommand({ TableName: tables.events, Key: marshall({ pk: 'guard#x', sk: 0 }) }),
      );
      await pipeline.settle();

      expect(pipeline.deliveries.map((delivery) => delivery.rule)).toEqual(['ConferenceWatcher']);
      const records = pipeline.deliveries[0]?.event.Records ?? [];
      expect(records).toHaveLength(1);
      const record = records[0];
      expect(record).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:ConferenceWatcher',
        attributes: { ApproximateReceiveCount: '1' },
      });
      expect(record?.messageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(record?.receiptHandle).toBeTruthy();
      const busEvent = JSON.parse(record?.body ?? '{}');
      expect(busEvent).toEqual({
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'ConferenceCreated',
        source: pipeDefinition.source,
        account: '000000000000',
        time: expect.any(String),
        region: 'local',
        resources: [],
        detail: {
          eventId: event.eventId,
          type: 'ConferenceCreated',
          streamId: 'conference-1',
          version: 1,
          conferenceId: '1',
          occurredAt: event.occurredAt,
          data: event.data,
          metadata: event.metadata,
        },
      });
      expect(Number.isNaN(Date.parse(busEvent.time))).toBe(false);
    } finally {
      await pipeline.stop();
    }
  });

  it('publishes in stream order and goes on after a restart from its checkpoint, without replaying', async () => {
    const watcher = [rule('ConferenceWatcher', ['ConferenceCreated'])];
    const first = await startPipeline(watcher);
    const streamId = `conference-${randomUUID()}`;
    try {
      for (let version = 1; version <= 12; version += 1) await put(conferenceCreated(streamId, version));
      await first.settle();
    } finally {
      await first.stop();
    }
    expect(ofStream(first.published, streamId).map((detail) => detail.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
    const checkpoints = JSON.parse(
      await readFile(join(dataDir, 'pipeline', 'stream-checkpoints.json'), 'utf8'),
    );
    expect(Object.values(checkpoints.shards)).not.toHaveLength(0);

    await put(conferenceCreated(streamId, 13));
    const second = await startPipeline(watcher);
    try {
      await second.settle();
    } finally {
      await second.stop();
    }
    expect(second.published.map((event) => (event.detail as { version: number }).version)).toEqual([13]);
  });

  it('sends a batch whose enrichment keeps failing to the dead letters and keeps reading', async () => {
    const { toEnvelopes } = await import('../../functions/pipe/enrich.js');
    let attempts = 0;
    const pipeline = await startPipeline([rule('ConferenceWatcher', ['ConferenceCreated'])], {
      retryBaseMs: 1,
      enrich: (records: DynamoDBRecord[]) => {
        if (records.some((record) => record.dynamodb?.NewImage?.eventId?.S === 'poison')) {
          attempts += 1;
          throw new Error('cannot enrich the poison');
        }
        return toEnvelopes(records);
      },
    });
    const streamId = `conference-${randomUUID()}`;
    try {
      await pipeline.settle(); // past whatever earlier tests wrote
      await put(conferenceCreated(streamId, 1, 'poison'));
      await pipeline.settle();
      await put(conferenceCreated(streamId, 2));
      await pipeline.settle();
    } finally {
      await pipeline.stop();
    }
    expect(attempts).toBe(1 + pipeDefinition.maxRetryAttempts);
    const letters = await readDeadLetters(join(dataDir, 'dead-letters'), PIPE_DEAD_LETTER_QUEUE);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      queue: PIPE_DEAD_LETTER_QUEUE,
      receiveCount: 1 + pipeDefinition.maxRetryAttempts,
      error: 'cannot enrich the poison',
    });
    const body = letters[0]?.body as DynamoDBRecord[];
    expect(body.map((record) => record.dynamodb?.NewImage?.eventId?.S)).toEqual(['poison']);
    expect(ofStream(pipeline.published, streamId).map((detail) => detail.version)).toEqual([2]);
  });
});
