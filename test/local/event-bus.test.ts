import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../infra/definitions/rules.js';
import { readDeadLetters } from '../../local/dead-letters.js';
import {
  type BusEvent,
  type EventBusOptions,
  type SqsHandler,
  startEventBus,
} from '../../local/event-bus.js';
import { silentLogger } from '../../local/log.js';
import { testRule as rule } from '../support/bus-events.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'event-bus-test-'));
  return () => rm(dataDir, { recursive: true, force: true });
});

let sequence = 0;
const busEvent = (type: string, detail: Record<string, unknown> = {}): BusEvent => ({
  version: '0',
  id: `event-${++sequence}`,
  'detail-type': type,
  source: EVENT_SOURCE,
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'local',
  resources: [],
  detail: { type, ...detail },
});

const ids = (event: SQSEvent) => event.Records.map((record) => (JSON.parse(record.body) as BusEvent).id);

const startBus = (options: Partial<EventBusOptions> & Pick<EventBusOptions, 'rules'>) =>
  startEventBus({
    deadLetterDir: join(dataDir, 'dead-letters'),
    retryDelay: { baseMs: 5, maxMs: 20 },
    logger: silentLogger,
    ...options,
  });

describe('local event bus', () => {
  it('enqueues an event for each rule whose pattern matches, and for no other', async () => {
    const calls: Record<string, string[]> = { Registrations: [], Sessions: [] };
    const bus = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered']), rule('Sessions', ['SessionCancelled'])],
      loadConsumer: async (definition) => async (event) => {
        calls[definition.name]?.push(...ids(event));
      },
    });
    const registered = busEvent('DelegateRegistered');
    expect(bus.publish(registered)).toEqual(['Registrations']);
    expect(bus.publish(busEvent('ConferenceCreated'))).toEqual([]);
    expect(bus.publish({ ...busEvent('SessionCancelled'), source: 'elsewhere' })).toEqual([]);
    await bus.idle();
    await bus.stop();
    expect(calls).toEqual({ Registrations: [registered.id], Sessions: [] });
  });

  it('delivers batches of at most 10, in publishing order', async () => {
    const batches: string[][] = [];
    const bus = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered'])],
      loadConsumer: async () => async (event) => {
        batches.push(ids(event));
        return { batchItemFailures: [] };
      },
    });
    const events = Array.from({ length: 25 }, () => busEvent('DelegateRegistered'));
    for (const event of events) bus.publish(event);
    await bus.idle();
    await bus.stop();
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(events.map((event) => event.id));
  });

  it('redelivers only the items reported in batchItemFailures, with a higher receive count', async () => {
    const seen: Array<{ id: string; receiveCount: string }> = [];
    let failuresLeft = 2;
    const handler: SqsHandler = async (event): Promise<SQSBatchResponse> => {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        const { id } = JSON.parse(record.body) as BusEvent;
        seen.push({ id, receiveCount: record.attributes.ApproximateReceiveCount });
        if (id === flaky.id && failuresLeft > 0) {
          failuresLeft -= 1;
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    };
    const bus = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered'])],
      loadConsumer: async () => handler,
    });
    const steady = busEvent('DelegateRegistered');
    const flaky = busEvent('DelegateRegistered');
    bus.publish(steady);
    bus.publish(flaky);
    await bus.idle();
    await bus.stop();
    expect(seen).toEqual([
      { id: steady.id, receiveCount: '1' },
      { id: flaky.id, receiveCount: '1' },
      { id: flaky.id, receiveCount: '2' },
      { id: flaky.id, receiveCount: '3' },
    ]);
    expect(await readDeadLetters(join(dataDir, 'dead-letters'), 'Registrations')).toEqual([]);
  });

  it('redelivers the whole batch when the consumer throws', async () => {
    const deliveries: Array<{ id: string; receiveCount: string }[]> = [];
    const bus = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered'])],
      loadConsumer: async () => async (event) => {
        deliveries.push(
          event.Records.map((record) => ({
            id: (JSON.parse(record.body) as BusEvent).id,
            receiveCount: record.attributes.ApproximateReceiveCount,
          })),
        );
        if (deliveries.length === 1) throw new Error('transient');
      },
    });
    const first = busEvent('DelegateRegistered');
    const second = busEvent('DelegateRegistered');
    bus.publish(first);
    bus.publish(second);
    await bus.idle();
    await bus.stop();
    expect(deliveries[0]).toEqual([
      { id: first.id, receiveCount: '1' },
      { id: second.id, receiveCount: '1' },
    ]);
    // Each comes back after its own jittered delay, so maybe in one batch, maybe in two.
    expect(deliveries.slice(1).flat()).toEqual(
      expect.arrayContaining([
        { id: first.id, receiveCount: '2' },
        { id: second.id, receiveCount: '2' },
      ]),
    );
    expect(deliveries.flat()).toHaveLength(4);
  });

  it("moves a message that fails maxReceiveCount times to the rule's dead-letter file", async () => {
    const failing = rule('AlwaysFailing', ['DelegateRegistered'], {
      consumer: 'test/local/fixtures/always-failing-consumer.ts',
      maxReceiveCount: 4,
    });
    // The consumer module is loaded from its path, like the real ones.
    const bus = await startBus({ rules: [failing] });
    const event = busEvent('DelegateRegistered', { registrationId: 'r1' });
    bus.publish(event);
    await bus.idle();
    await bus.stop();
    const letters = await readDeadLetters(join(dataDir, 'dead-letters'), 'AlwaysFailing');
    expect(letters).toEqual([
      {
        queue: 'AlwaysFailing',
        failedAt: expect.any(String),
        receiveCount: 4,
        error: 'always fails (1 records)',
        body: event,
      },
    ]);
  });

  it('treats a batchItemFailures entry naming no message of the batch as a failure of the whole batch', async () => {
    let deliveries = 0;
    const bus = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered'], { maxReceiveCount: 2 })],
      loadConsumer: async () => async () => {
        deliveries += 1;
        return { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] };
      },
    });
    bus.publish(busEvent('DelegateRegistered'));
    await bus.idle();
    await bus.stop();
    expect(deliveries).toBe(2);
    expect(await readDeadLetters(join(dataDir, 'dead-letters'), 'Registrations')).toHaveLength(1);
  });

  it('keeps undelivered messages across a stop and delivers them after the next start', async () => {
    const stateDir = join(dataDir, 'queues');
    const neverDelivered = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered'], { maxReceiveCount: 5 })],
      retryDelay: { baseMs: 60_000, maxMs: 60_000 },
      stateDir,
      loadConsumer: async () => async () => {
        throw new Error('down');
      },
    });
    const event = busEvent('DelegateRegistered');
    neverDelivered.publish(event);
    // Let the first (failing) delivery happen; the retry is a minute away.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await neverDelivered.stop();
    expect(() => neverDelivered.publish(event)).toThrow(/stopped/);

    const received: Array<{ id: string; receiveCount: string }> = [];
    const restarted = await startBus({
      rules: [rule('Registrations', ['DelegateRegistered'], { maxReceiveCount: 5 })],
      stateDir,
      loadConsumer: async () => async (sqsEvent) => {
        for (const record of sqsEvent.Records) {
          received.push({
            id: (JSON.parse(record.body) as BusEvent).id,
            receiveCount: record.attributes.ApproximateReceiveCount,
          });
        }
      },
    });
    await restarted.idle();
    await restarted.stop();
    expect(received).toEqual([{ id: event.id, receiveCount: '2' }]);
  });
});
