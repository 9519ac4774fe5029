import {
  BatchGetItemCommand,
  DynamoDBClient,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { metricNames } from '../../infra/definitions/metrics.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { provideTestKeyService } from '../support/personal-data.js';

/**
 * The shared middy chains record the metrics the alarms and the dashboard are built on, and carry the
 * correlation id of a request into the log lines of the consumers its events reach.
 */
const dynamo = mockClient(DynamoDBClient);

const conferenceEnvelope = (correlationId: string, occurredAt: string) => ({
  eventId: `e-${correlationId}`,
  type: 'ConferenceCreated',
  streamId: 'conference-c1',
  version: 1,
  conferenceId: 'c1',
  occurredAt,
  data: { conferenceId: 'c1', ...iclc2015 },
  metadata: { correlationId, schemaVersion: 1 },
});

/** How the EventBridge events of a test batch were delivered. */
interface Delivery {
  /** The EventBridge `time`: when the event reached the bus (an archive replay keeps the original). */
  busTime?: string;
  /** SentTimestamp of the SQS message: when the rule (or a replay) put it in the queue. */
  sentAt?: number;
  /** Set on every event of an archive replay. */
  replayName?: string;
}

const sqsEvent = (delivery: Delivery, ...envelopes: object[]): SQSEvent => ({
  Records: envelopes.map((detail, index) => ({
    messageId: `m${index}`,
    receiptHandle: `r${index}`,
    body: JSON.stringify({
      source: 'learning-cities.conference',
      'detail-type': 'x',
      ...(delivery.busTime ? { time: delivery.busTime } : {}),
      ...(delivery.replayName ? { 'replay-name': delivery.replayName } : {}),
      detail,
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(delivery.sentAt ?? 0),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(delivery.sentAt ?? 0),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:queue',
    awsRegion: 'local',
  })),
});

let observability: typeof import('../../functions/shared/runtime/observability.js');
let addMetric: MockInstance;
let addDimension: MockInstance;

/** The metrics recorded so far, as `name=value` (with `[route]` when the route dimension was set). */
const recorded = () => {
  const route = addDimension.mock.calls.find(([name]) => name === 'route')?.[1];
  return addMetric.mock.calls.map(
    ([name, , value]) =>
      `${name}=${value}${route && !String(name).startsWith('Projection') ? `[${route}]` : ''}`,
  );
};

beforeAll(async () => {
  process.env.EVENTS_TABLE = 'Events';
  process.env.READ_MODELS_TABLE = 'ReadModels';
  process.env.AWS_REGION = 'local';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'Test';
  observability = await import('../../functions/shared/runtime/observability.js');
});

beforeEach(() => {
  dynamo.reset();
  addMetric = vi.spyOn(observability.metrics, 'addMetric');
  addDimension = vi.spyOn(observability.metrics, 'addDimension');
});

afterEach(() => vi.restoreAllMocks());

describe('httpRoute', () => {
  let register: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
  let health: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
  const registerEvent = () => ({
    ...httpEvent('POST', '/conferences/c1/registrations', {
      pathParameters: { conferenceId: 'c1' },
      body: { ...delegate, consent: true },
      headers: { 'x-correlation-id': 'corr-1' },
    }),
    routeKey: 'POST /conferences/{conferenceId}/registrations',
  });

  beforeAll(async () => {
    await provideTestKeyService();
    ({ handler: register } = (await import('../../functions/http/register-delegate.js')) as never);
    ({ handler: health } = (await import('../../functions/http/health.js')) as never);
  });

  beforeEach(() => {
    // No stream tips (a conference stored before them): the command folds the conference's events.
    dynamo.on(BatchGetItemCommand).resolves({});
    dynamo.on(QueryCommand).resolves({
      Items: [
        marshall({
          pk: 'conference-c1',
          sk: 1,
          kind: 'event',
          ...conferenceEnvelope('x', '2015-06-01T00:00:00.000Z'),
        }),
      ],
    });
  });

  it('counts a command that succeeded, by route', async () => {
    dynamo.on(TransactWriteItemsCommand).resolves({});
    const response = await register(registerEvent(), lambdaContext());
    expect(response.statusCode).toBe(201);
    expect(recorded()).toEqual([`${metricNames.commandSucceeded}=1[RegisterDelegate]`]);
  });

  it('counts a rejected command and its 409 as a conflict', async () => {
    dynamo.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        // The registration's tip, its event, the email guard (refused), the seat guard.
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
        ],
      }),
    );
    const response = await register(registerEvent(), lambdaContext());
    expect(response.statusCode).toBe(409);
    expect(recorded()).toEqual([
      `${metricNames.commandRejected}=1[RegisterDelegate]`,
      `${metricNames.conflicts}=1[RegisterDelegate]`,
    ]);
  });

  it('counts a query whatever its answer', async () => {
    const response = await health(
      { ...httpEvent('GET', '/health'), routeKey: 'GET /health' },
      lambdaContext(),
    );
    expect(response.statusCode).toBe(200);
    expect(recorded()).toEqual([`${metricNames.queryAnswered}=1[Health]`]);
  });
});

describe('the event store behind the functions', () => {
  const append = async () => {
    const { eventStore } = await import('../../functions/shared/event-store/stores.js');
    return eventStore().append({
      conferenceId: 'c1',
      correlationId: 'corr-2',
      now: '2015-06-01T00:00:00.000Z',
      streams: [
        {
          streamId: 'conference-c1',
          expectedVersion: 0,
          events: [{ type: 'ConferenceCreated', data: { conferenceId: 'c1', ...iclc2015 } }] as never,
        },
      ],
      guards: [{ op: 'claim', name: 'acronym', key: 'guard#acronym#ICLC2015', owner: 'c1' }],
    });
  };
  const refused = (...codes: string[]) =>
    new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('counts an append refused because a stream moved on (the caller retries it) as a conflict', async () => {
    dynamo.on(TransactWriteItemsCommand).rejects(refused('ConditionalCheckFailed', 'None'));
    await expect(append()).rejects.toThrow(/stream conference-c1/);
    expect(recorded()).toEqual([`${metricNames.conflicts}=1`]);
  });

  it('leaves a guard that holds to the answer (a 409 is counted once, by the HTTP chain)', async () => {
    // The stream's tip, its event, the guard (refused).
    dynamo.on(TransactWriteItemsCommand).rejects(refused('None', 'None', 'ConditionalCheckFailed'));
    await expect(append()).rejects.toThrow(/guard acronym/);
    expect(recorded()).toEqual([]);
  });
});

describe('busConsumer', () => {
  /** The JSON log lines the Powertools logger printed (it writes through its own console). */
  let printed: string[];
  const logLines = () => printed.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(() => {
    printed = [];
    const { console: loggerConsole } = observability.logger as unknown as { console: Console };
    for (const level of ['info', 'warn', 'error'] as const) {
      vi.spyOn(loggerConsole, level).mockImplementation((line: string) => {
        printed.push(line);
      });
    }
  });

  it('logs with each event’s correlation id and records its lag since it reached the bus, and the events handled', async () => {
    const { busConsumer } = await import('../../functions/shared/runtime/consumer.js');
    const { logger } = observability;
    const handler = busConsumer(async (envelope: EventEnvelope) => {
      logger.warn('handling', { streamId: envelope.streamId });
      if (envelope.metadata.correlationId === 'corr-fails') throw new Error('not this one');
    });
    // Old events (a redrive, or a rebuild's gap filling) reaching the bus 2 s ago: the lag is 2 s, not 11 years.
    const occurredAt = '2015-09-28T14:00:00.000Z';
    const busTime = new Date(Date.now() - 2_000).toISOString();
    const response = (await handler(
      sqsEvent(
        { busTime, sentAt: Date.now() - 1_000 },
        conferenceEnvelope('corr-a', occurredAt),
        conferenceEnvelope('corr-fails', occurredAt),
        conferenceEnvelope('corr-b', occurredAt),
      ),
      lambdaContext('consumer'),
    )) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const handling = logLines().filter((line) => line.message === 'handling');
    expect(handling.map((line) => line.correlationId)).toEqual(['corr-a', 'corr-fails', 'corr-b']);
    expect(logLines().find((line) => line.message === 'Event not handled')?.correlationId).toBe('corr-fails');

    const lags = addMetric.mock.calls.filter(([name]) => name === metricNames.projectionLag);
    expect(lags).toHaveLength(2);
    for (const [, unit, value] of lags) {
      expect(unit).toBe('Milliseconds');
      expect(value).toBeGreaterThanOrEqual(2_000);
      expect(value).toBeLessThan(60_000);
    }
    expect(addMetric.mock.calls.filter(([name]) => name === metricNames.replayLag)).toEqual([]);
    expect(addMetric.mock.calls.filter(([name]) => name === metricNames.eventsHandled)).toEqual([
      [metricNames.eventsHandled, 'Count', 2],
    ]);
  });

  it('logs an event handed back to be delivered again at INFO, not as an error, and fails only its record', async () => {
    const { busConsumer, DeliverAgainLater } = await import('../../functions/shared/runtime/consumer.js');
    const handler = busConsumer(async (envelope: EventEnvelope) => {
      if (envelope.metadata.correlationId === 'corr-early') throw new DeliverAgainLater('not yet');
    });
    const response = (await handler(
      sqsEvent(
        { busTime: new Date().toISOString(), sentAt: Date.now() },
        conferenceEnvelope('corr-early', new Date().toISOString()),
        conferenceEnvelope('corr-ok', new Date().toISOString()),
      ),
      lambdaContext('consumer'),
    )) as SQSBatchResponse;

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    const handedBack = logLines().filter(
      (line) => line.message === 'Event handed back to be delivered again',
    );
    expect(handedBack.map((line) => [line.level, line.correlationId, line.reason])).toEqual([
      ['INFO', 'corr-early', 'not yet'],
    ]);
    expect(logLines().filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('hands a whole batch to `batch` first, and record by record to the handler only when that fails', async () => {
    const { busConsumer } = await import('../../functions/shared/runtime/consumer.js');
    const wholes: string[][] = [];
    const singles: string[] = [];
    let wholeFails = false;
    const handler = busConsumer(
      async (envelope: EventEnvelope) => {
        singles.push(envelope.metadata.correlationId);
        if (envelope.metadata.correlationId === 'corr-bad') throw new Error('not this one');
      },
      {
        batch: async (envelopes) => {
          wholes.push(envelopes.map((envelope) => envelope.metadata.correlationId));
          if (wholeFails) throw new Error('one of them fails');
        },
      },
    );
    const now = new Date().toISOString();
    const batchOf = (...ids: string[]) =>
      sqsEvent({ busTime: now, sentAt: Date.now() }, ...ids.map((id) => conferenceEnvelope(id, now)));

    const whole = (await handler(
      batchOf('corr-a', 'corr-b', 'corr-c'),
      lambdaContext('consumer'),
    )) as SQSBatchResponse;
    expect(whole.batchItemFailures).toEqual([]);
    expect(wholes).toEqual([['corr-a', 'corr-b', 'corr-c']]);
    expect(singles).toEqual([]);
    expect(addMetric.mock.calls.filter(([name]) => name === metricNames.projectionLag)).toHaveLength(3);
    expect(addMetric.mock.calls.filter(([name]) => name === metricNames.eventsHandled)).toEqual([
      [metricNames.eventsHandled, 'Count', 3],
    ]);

    wholeFails = true;
    const split = (await handler(
      batchOf('corr-d', 'corr-bad', 'corr-e'),
      lambdaContext('consumer'),
    )) as SQSBatchResponse;
    expect(wholes).toHaveLength(2);
    expect(singles).toEqual(['corr-d', 'corr-bad', 'corr-e']);
    expect(split.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(
      logLines().find((line) => line.message === 'Batch handed to record-by-record handling'),
    ).toMatchObject({
      level: 'INFO',
      records: 3,
      reason: 'one of them fails',
    });
  });

  it('with concurrentStreams, handles streams at the same time, each stream in order, and fails what follows a failure in its stream', async () => {
    const { busConsumer } = await import('../../functions/shared/runtime/consumer.js');
    const now = new Date().toISOString();
    const inStream = (streamId: string, version: number) => ({
      ...conferenceEnvelope(`${streamId}-v${version}`, now),
      streamId,
      version,
    });
    const started: string[] = [];
    const release = new Map<string, () => void>();
    let running = 0;
    let mostRunning = 0;
    const handler = busConsumer(
      async (envelope: EventEnvelope) => {
        const id = envelope.metadata.correlationId;
        started.push(id);
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        // Each record waits until the test lets it go: only a concurrent handler gets past the first.
        await new Promise<void>((resolve) => release.set(id, resolve));
        running -= 1;
        if (id === 's2-v1') throw new Error('not this one');
      },
      { concurrentStreams: 3 },
    );
    const answer = handler(
      sqsEvent(
        { busTime: now, sentAt: Date.now() },
        inStream('s1', 1),
        inStream('s2', 1),
        inStream('s1', 2),
        inStream('s2', 2),
        inStream('s3', 1),
      ),
      lambdaContext('consumer'),
    ) as Promise<SQSBatchResponse>;
    await vi.waitFor(() => expect(started).toHaveLength(3));
    // The first record of every stream at once, none of a stream's second before its first is done.
    expect(started).toEqual(['s1-v1', 's2-v1', 's3-v1']);
    for (const id of ['s3-v1', 's2-v1', 's1-v1']) release.get(id)?.();
    await vi.waitFor(() => expect(started).toContain('s1-v2'));
    release.get('s1-v2')?.();
    const response = await answer;
    expect(mostRunning).toBe(3);
    // s2's second event is not handled before its first, which failed: both go back to the queue.
    expect(started).not.toContain('s2-v2');
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['m1', 'm3']);
    expect(logLines().find((line) => line.message === 'Event not handled')).toMatchObject({
      correlationId: 's2-v1',
      streamId: 's2',
    });
    expect(addMetric.mock.calls.filter(([name]) => name === metricNames.eventsHandled)).toEqual([
      [metricNames.eventsHandled, 'Count', 3],
    ]);
  });

  it('with concurrentStreams, throws when every record failed, as the one-after-another processor does', async () => {
    const { busConsumer } = await import('../../functions/shared/runtime/consumer.js');
    const { FullBatchFailureError } = await import('@aws-lambda-powertools/batch');
    const now = new Date().toISOString();
    const handler = busConsumer(
      async () => {
        throw new Error('none of them');
      },
      { concurrentStreams: 4 },
    );
    const thrown = await handler(
      sqsEvent(
        { busTime: now, sentAt: Date.now() },
        { ...conferenceEnvelope('a', now), streamId: 's1' },
        { ...conferenceEnvelope('b', now), streamId: 's2' },
        { ...conferenceEnvelope('c', now), streamId: 's1', version: 2 },
      ),
      lambdaContext('consumer'),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(FullBatchFailureError);
    expect((thrown as InstanceType<typeof FullBatchFailureError>).recordErrors).toHaveLength(3);
  });

  it('measures an archive replay apart: ReplayLag since the replay queued it, and no ProjectionLag', async () => {
    const { busConsumer } = await import('../../functions/shared/runtime/consumer.js');
    const handler = busConsumer(async () => undefined);
    // A replay keeps the original bus time (a year ago) and adds replay-name; it queued the events 3 s ago.
    const yearAgo = new Date(Date.now() - 365 * 24 * 3600_000).toISOString();
    await handler(
      sqsEvent(
        { busTime: yearAgo, sentAt: Date.now() - 3_000, replayName: 'counts-1' },
        conferenceEnvelope('corr-r1', yearAgo),
        conferenceEnvelope('corr-r2', yearAgo),
      ),
      lambdaContext('consumer'),
    );
    expect(addMetric.mock.calls.filter(([name]) => name === metricNames.projectionLag)).toEqual([]);
    const replayLags = addMetric.mock.calls.filter(([name]) => name === metricNames.replayLag);
    expect(replayLags).toHaveLength(2);
    for (const [, unit, value] of replayLags) {
      expect(unit).toBe('Milliseconds');
      expect(value).toBeGreaterThanOrEqual(3_000);
      expect(value).toBeLessThan(60_000);
    }
  });
});
