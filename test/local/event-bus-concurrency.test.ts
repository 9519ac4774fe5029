import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { EVENT_SOURCE, type RuleDefinition } from '../../infra/definitions/rules.js';
import { readDeadLetters } from '../../local/dead-letters.js';
import { type BusEvent, type EventBusOptions, startEventBus } from '../../local/event-bus.js';
import { silentLogger } from '../../local/log.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'event-bus-concurrency-test-'));
  return () => rm(dataDir, { recursive: true, force: true });
});

const rule: RuleDefinition = {
  name: 'Registrations',
  description: 'test rule',
  pattern: { source: [EVENT_SOURCE], 'detail-type': ['DelegateRegistered'] },
  consumer: 'unused: loadConsumer is given',
  maxReceiveCount: 3,
  writes: false,
};

let sequence = 0;
const busEvent = (): BusEvent => ({
  version: '0',
  id: `event-${++sequence}`,
  'detail-type': 'DelegateRegistered',
  source: EVENT_SOURCE,
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'local',
  resources: [],
  detail: { type: 'DelegateRegistered' },
});

const ids = (event: SQSEvent) => event.Records.map((record) => (JSON.parse(record.body) as BusEvent).id);

const startBus = (options: Partial<EventBusOptions>) =>
  startEventBus({
    rules: [rule],
    deadLetterDir: join(dataDir, 'dead-letters'),
    retryDelay: { baseMs: 5, maxMs: 20 },
    logger: silentLogger,
    ...options,
  });

/** A promise and the function that resolves it. */
const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('local event bus: concurrent batches per rule', () => {
  it('delivers up to `concurrency` batches at a time, each message once, and is idle only after all', async () => {
    const release = gate();
    const batches: string[][] = [];
    let inFlight = 0;
    let most = 0;
    const bus = await startBus({
      concurrency: 3,
      loadConsumer: async () => async (event) => {
        batches.push(ids(event));
        most = Math.max(most, ++inFlight);
        await release.opened;
        inFlight -= 1;
      },
    });
    const published = Array.from({ length: 45 }, () => busEvent());
    for (const event of published) bus.publish(event);
    let idle = false;
    const idled = bus.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 10]);
    expect(idle).toBe(false);
    release.open();
    await idled;
    await bus.stop();
    expect(most).toBe(3);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 10, 10, 5]);
    expect(batches.flat().sort()).toEqual(published.map((event) => event.id).sort());
  });

  it('retries and dead-letters a failing message while other batches go on', async () => {
    const published = Array.from({ length: 25 }, () => busEvent());
    const poison = published[3]?.id;
    const delivered: string[] = [];
    const bus = await startBus({
      concurrency: 2,
      loadConsumer: async () => async (event) => {
        const failed = event.Records.filter((record) => (JSON.parse(record.body) as BusEvent).id === poison);
        delivered.push(...ids(event).filter((id) => id !== poison));
        return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
      },
    });
    for (const event of published) bus.publish(event);
    await bus.idle();
    await bus.stop();
    expect(delivered.sort()).toEqual(
      published
        .map((event) => event.id)
        .filter((id) => id !== poison)
        .sort(),
    );
    const dead = await readDeadLetters(join(dataDir, 'dead-letters'), rule.name);
    expect(dead.map((letter) => (letter.body as BusEvent).id)).toEqual([poison]);
    expect(dead[0]?.receiveCount).toBe(3);
  });

  it('waits at stop for every batch in flight and keeps only the undelivered messages', async () => {
    const stateDir = join(dataDir, 'queues');
    const release = gate();
    const first: string[] = [];
    const bus = await startBus({
      concurrency: 2,
      stateDir,
      loadConsumer: async () => async (event) => {
        await release.opened;
        first.push(...ids(event));
      },
    });
    const published = Array.from({ length: 25 }, () => busEvent());
    for (const event of published) bus.publish(event);
    await tick();
    const stopped = bus.stop();
    release.open();
    await stopped;
    expect(first).toHaveLength(20);

    const second: string[] = [];
    const again = await startBus({
      concurrency: 2,
      stateDir,
      loadConsumer: async () => async (event) => {
        second.push(...ids(event));
      },
    });
    await again.idle();
    await again.stop();
    expect([...first, ...second].sort()).toEqual(published.map((event) => event.id).sort());
    expect(second).toHaveLength(5);
  });
});
