import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_SOURCE, type RuleDefinition } from '../../infra/definitions/rules.js';
import { localClientConfig } from '../../local/aws-config.js';
import {
  appendDeadLetter,
  handoverState,
  PIPE_DEAD_LETTER_QUEUE,
  pendingHandovers,
  readDeadLetters,
  redriveFolder,
} from '../../local/dead-letters.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { silentLogger } from '../../local/log.js';
import { redriveLocal } from '../../local/redrive.js';
import { iclc2015 } from '../domain/fixtures.js';

/**
 * A poison event on the local stack: its consumer fails it until the cause is fixed, it lands in the
 * rule's dead-letter file after maxReceiveCount deliveries, and the redrive (the code of
 * `npm run dlq -- redrive`) brings it back, whether `npm start` runs or not.
 */

const rule: RuleDefinition = {
  name: 'Flaky',
  description: 'fails the poison until it is fixed',
  pattern: { source: [EVENT_SOURCE], 'detail-type': ['ConferenceCreated'] },
  consumer: 'unused: loadConsumer is given',
  maxReceiveCount: 3,
  writes: false,
};

const poison = new Set<string>();
let fixed = false;
/** Every delivery of every event: its id, receive count and whether it was handled. */
const deliveries: Array<{ eventId: string; receiveCount: string; handled: boolean }> = [];

const consumer = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const { eventId } = JSON.parse(record.body).detail as { eventId: string };
    const handled = fixed || !poison.has(eventId);
    deliveries.push({ eventId, receiveCount: record.attributes.ApproximateReceiveCount, handled });
    if (!handled) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
};

let dataDir: string;
let tablePrefix: string;
let stack: LocalStack | undefined;

const start = async () => {
  stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { endpoint: inject('dynamoDbEndpoint') },
    tablePrefix,
    rules: [rule],
    loadConsumer: async () => consumer,
    retryDelay: { baseMs: 5, maxMs: 20 },
    logger: () => silentLogger,
  });
  return stack;
};

const conferenceItem = (eventId: string) => {
  const conferenceId = randomUUID();
  return {
    pk: `conference-${conferenceId}`,
    sk: 1,
    kind: 'event',
    eventId,
    type: 'ConferenceCreated',
    streamId: `conference-${conferenceId}`,
    version: 1,
    conferenceId,
    occurredAt: '2015-06-01T12:00:00.000Z',
    data: { conferenceId, ...iclc2015, name: 'ICLC', capacity: 10, rooms: [{ name: 'Main' }] },
    metadata: { correlationId: 'c', schemaVersion: 1 },
  };
};

const store = async (running: LocalStack, eventId: string) => {
  const client = new DynamoDBClient(localClientConfig(running.dynamoDbEndpoint));
  try {
    const item = conferenceItem(eventId);
    await client.send(new PutItemCommand({ TableName: running.tables.events, Item: marshall(item) }));
    return item;
  } finally {
    client.destroy();
  }
};

const deadLetterDir = () => join(dataDir, 'dead-letters');

const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

const of = (eventId: string) => deliveries.filter((delivery) => delivery.eventId === eventId);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dead-letters-test-'));
  tablePrefix = `dlq-${randomUUID().slice(0, 8)}-`;
  await start();
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('dead letters, locally', () => {
  it('holds a poison event after maxReceiveCount deliveries and redrives it to the running stack once fixed', async () => {
    const running = stack as LocalStack;
    const eventId = `poison-${randomUUID()}`;
    poison.add(eventId);
    fixed = false;
    await store(running, eventId);
    await running.settled();

    expect(of(eventId).map((delivery) => delivery.receiveCount)).toEqual(['1', '2', '3']);
    const letters = await readDeadLetters(deadLetterDir(), rule.name);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ queue: rule.name, receiveCount: 3, body: { detail: { eventId } } });

    fixed = true;
    const result = await redriveLocal({ deadLetterDir: deadLetterDir(), queue: rule.name, rules: [rule] });
    expect(result).toMatchObject({ queue: rule.name, handedOver: 1, kept: 0 });
    expect(await readDeadLetters(deadLetterDir(), rule.name)).toEqual([]); // handed over, not lost
    await until(async () => (await handoverState(result.file as string)) === 'done', 'the hand-over');

    expect(of(eventId).at(-1)).toEqual({ eventId, receiveCount: '1', handled: true });
    expect(await readDeadLetters(deadLetterDir(), rule.name)).toEqual([]);
    expect(await pendingHandovers(redriveFolder(deadLetterDir()))).toEqual([]);
  });

  it('lists the dead letters from the command line', async () => {
    const running = stack as LocalStack;
    const eventId = `poison-${randomUUID()}`;
    poison.add(eventId);
    fixed = false;
    await store(running, eventId);
    await running.settled();
    const { AWS_LAMBDA_MAX_CONCURRENCY: _lambda, ...shell } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/ops/dlq.ts', 'list'],
      {
        env: { ...shell, DATA_DIR: dataDir },
        timeout: 30_000,
      },
    );
    expect(stdout).toContain(`${rule.name}: 1 messages`);
    expect(stdout).toMatch(
      new RegExp(`received 3× {2}ConferenceCreated ${eventId} \\(conference-[\\w-]+ v1\\)`),
    );
    expect(stdout).toContain('error: reported in batchItemFailures');
  });

  it('keeps redriven messages for the next start when the stack is not running', async () => {
    const [letter] = await readDeadLetters(deadLetterDir(), rule.name);
    const body = letter?.body as { detail: { eventId: string } } | undefined;
    const eventId = body?.detail.eventId ?? 'missing';
    expect(eventId).toMatch(/^poison-/);
    await stack?.stop();
    stack = undefined;

    fixed = true;
    const result = await redriveLocal({ deadLetterDir: deadLetterDir(), queue: rule.name, rules: [rule] });
    expect(result.handedOver).toBe(1);
    await sleep(700);
    expect(await handoverState(result.file as string)).toBe('waiting');
    expect(await readDeadLetters(deadLetterDir(), rule.name)).toEqual([]);
    expect(of(eventId).some((delivery) => delivery.handled)).toBe(false);

    const running = await start();
    await until(async () => (await handoverState(result.file as string)) === 'done', 'the hand-over');
    await running.settled();
    expect(of(eventId).at(-1)).toEqual({ eventId, receiveCount: '1', handled: true });
    expect(await readDeadLetters(deadLetterDir(), rule.name)).toEqual([]);
  });

  it('enriches the pipe’s dead letters again and publishes them on the bus', async () => {
    const running = stack as LocalStack;
    const eventId = `pipe-${randomUUID()}`;
    const item = conferenceItem(eventId);
    const record: DynamoDBRecord = {
      eventID: '1',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
        NewImage: marshall(item) as never,
        SequenceNumber: '100',
        StreamViewType: 'NEW_IMAGE',
      },
    };
    await appendDeadLetter(deadLetterDir(), {
      queue: PIPE_DEAD_LETTER_QUEUE,
      failedAt: new Date().toISOString(),
      receiveCount: 6,
      error: 'the enrichment failed',
      body: [record],
    });
    const result = await redriveLocal({
      deadLetterDir: deadLetterDir(),
      queue: PIPE_DEAD_LETTER_QUEUE,
      rules: [rule],
    });
    expect(result).toMatchObject({ handedOver: 1, kept: 0 });
    await until(async () => (await handoverState(result.file as string)) === 'done', 'the hand-over');
    await running.settled();
    expect(of(eventId)).toEqual([{ eventId, receiveCount: '1', handled: true }]);
    expect(await readDeadLetters(deadLetterDir(), PIPE_DEAD_LETTER_QUEUE)).toEqual([]);
    expect((await readdir(redriveFolder(deadLetterDir()))).filter((name) => !name.startsWith('.'))).toEqual(
      [],
    );
  });
});
