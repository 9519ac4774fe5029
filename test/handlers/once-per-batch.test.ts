import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { busConsumer, oncePerBatch } from '../../functions/shared/runtime/consumer.js';
import { iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';

/** An event of conference `conferenceId`'s own stream `streamId`. */
const envelope = (streamId: string, conferenceId: string): EventEnvelope => ({
  eventId: `e-${streamId}`,
  type: 'ConferenceCreated',
  streamId,
  version: 1,
  conferenceId,
  occurredAt: '2015-09-28T14:00:00.000Z',
  data: { conferenceId, ...iclc2015 },
  metadata: { correlationId: `corr-${streamId}`, schemaVersion: 1 },
});

/** One delivered batch of these events, their messages m0, m1, ... */
const batch = (...envelopes: EventEnvelope[]): SQSEvent => ({
  Records: envelopes.map((envelope, index) => sqsRecord(envelope, `m${index}`, { queue: 'queue' })),
});

describe('oncePerBatch', () => {
  it('reads a key once for all the records of a batch, and again in the next batch', async () => {
    const reads: string[] = [];
    const read = oncePerBatch(async (key: string) => {
      reads.push(key);
      return `state of ${key}`;
    });
    const seen: string[] = [];
    const handler = busConsumer(
      async (event: EventEnvelope) => {
        seen.push(await read(event.conferenceId));
      },
      { concurrentStreams: 5 },
    );
    const deliver = async (event: SQSEvent) =>
      ((await handler(event, lambdaContext('consumer'))) as SQSBatchResponse).batchItemFailures;

    expect(await deliver(batch(envelope('s1', 'c1'), envelope('s2', 'c1'), envelope('s3', 'c2')))).toEqual(
      [],
    );
    expect(reads.sort()).toEqual(['c1', 'c2']);
    expect(seen.sort()).toEqual(['state of c1', 'state of c1', 'state of c2']);

    expect(await deliver(batch(envelope('s4', 'c1'), envelope('s5', 'c1')))).toEqual([]);
    expect(reads.sort()).toEqual(['c1', 'c1', 'c2']);

    // Outside a batch's handling it is the read itself, every time.
    await read('c1');
    await read('c1');
    expect(reads.filter((key) => key === 'c1')).toHaveLength(4);
  });

  it('forgets a read that failed: the next record of the batch reads again', async () => {
    let calls = 0;
    const read = oncePerBatch(async (key: string) => {
      calls += 1;
      if (calls === 1) throw new Error('DynamoDB said no');
      return key;
    });
    const handler = busConsumer(async (event: EventEnvelope) => {
      await read(event.conferenceId);
    });
    const response = (await handler(
      batch(envelope('s1', 'c1'), envelope('s2', 'c1'), envelope('s3', 'c1')),
      lambdaContext('consumer'),
    )) as SQSBatchResponse;
    // The first record failed alone (its read), the second read again and the third took that read.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(calls).toBe(2);
  });
});
