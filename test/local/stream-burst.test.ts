import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventBus } from '../../local/event-bus.js';
import type { LocalLogger } from '../../local/log.js';
import { startStreamPoller } from '../../local/stream-poller.js';
import { iclc2015 } from '../domain/fixtures.js';
import { testRule } from '../support/bus-events.js';
import { createTestTables, type TestTables } from '../support/tables.js';

/**
 * A burst into a table whose stream the poller has already read to its (empty) end, as `npm start` does
 * before the first request: every event reaches the bus exactly once, with no trimmed-data warning and no
 * second reading of the shard. (DynamoDB Local numbers stream records with one counter for the whole
 * database, so the first record of a shard lies past the shard's starting sequence number.)
 */

const BURST = 5_000;

let tables: TestTables;
let dataDir: string;
beforeAll(async () => {
  tables = await createTestTables('stream-burst');
  dataDir = await mkdtemp(join(tmpdir(), 'stream-burst-'));
});
afterAll(async () => {
  tables.client.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

const eventItem = (n: number) => {
  const conferenceId = `burst-${n}`;
  return {
    pk: `conference-${conferenceId}`,
    sk: 1,
    kind: 'event',
    eventId: `event-${n}-${randomUUID()}`,
    type: 'ConferenceCreated',
    streamId: `conference-${conferenceId}`,
    version: 1,
    conferenceId,
    occurredAt: '2015-06-01T12:00:00.000Z',
    data: { conferenceId, ...iclc2015, capacity: 10, rooms: [{ name: 'Main' }] },
    metadata: { correlationId: 'burst', schemaVersion: 1 },
  };
};

describe('stream poller under a burst', () => {
  it(`carries ${BURST} events written at once to the bus exactly once each, with no warning`, async () => {
    const messages: string[] = [];
    const logger = (component: string): LocalLogger => ({
      info: () => {},
      warn: (message) => messages.push(`${component} warn: ${message}`),
      error: (message) => messages.push(`${component} error: ${message}`),
    });
    const delivered = new Map<string, number>();
    const bus = await startEventBus({
      rules: [testRule('Watcher', ['ConferenceCreated'])],
      deadLetterDir: join(dataDir, 'dead-letters'),
      loadConsumer: async () => async (event) => {
        for (const record of event.Records) {
          const { eventId } = JSON.parse(record.body).detail as { eventId: string };
          delivered.set(eventId, (delivered.get(eventId) ?? 0) + 1);
        }
      },
      logger: logger('bus'),
    });
    const poller = await startStreamPoller({
      endpoint: tables.endpoint,
      tableName: tables.events,
      publish: (event) => bus.publish(event),
      deadLetterDir: join(dataDir, 'dead-letters'),
      checkpointFile: join(dataDir, 'stream-checkpoints.json'),
      logger: logger('pipe'),
    });
    const items = Array.from({ length: BURST }, (_, n) => eventItem(n));
    try {
      await poller.caughtUp(); // the empty stream read to its end: the poller waits for what comes next
      // Something else is written first, in another table of the same DynamoDB Local (a read model, or
      // the raw floor of proof:load): it moves the database's sequence counter past the shard's start.
      await tables.client.send(
        new PutItemCommand({ TableName: tables.readModels, Item: marshall({ pk: 'other', sk: 'table' }) }),
      );

      const batches = Array.from({ length: BURST / 25 }, (_, n) => items.slice(n * 25, n * 25 + 25));
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let batch = batches[next++]; batch; batch = batches[next++]) {
            let requests = batch.map((item) => ({ PutRequest: { Item: marshall(item) } }));
            while (requests.length > 0) {
              const { UnprocessedItems } = await tables.client.send(
                new BatchWriteItemCommand({ RequestItems: { [tables.events]: requests } }),
              );
              requests = (UnprocessedItems?.[tables.events] ?? []) as typeof requests;
            }
          }
        }),
      );
      await poller.caughtUp();
      await bus.idle();
      await poller.caughtUp();
    } finally {
      await poller.stop();
      await bus.stop();
    }

    expect(messages).toEqual([]);
    expect(delivered.size).toBe(BURST);
    expect(items.filter((item) => delivered.get(item.eventId) !== 1)).toEqual([]);
  }, 180_000);
});
