/**
 * Proof: no request and no consumer record outlives its time budget, whatever DynamoDB does. The
 * handlers' real DynamoDB client (its SDK retries, timeouts and budget included) talks to DynamoDB Local
 * through a proxy that can hold a request forever (a hung socket) or answer ThrottlingException every
 * time; endless UnprocessedKeys are injected with aws-sdk-client-mock. Each case ends with 503
 * problem+json and Retry-After (a failed batch item for a consumer) before the function's time is up, and
 * nothing is stored, or stored twice, by the client's retry with the same Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { DECIDE_ATTEMPTS } from '../../functions/shared/commands/pipeline.js';
import { EventStore } from '../../functions/shared/event-store/event-store.js';
import { REQUEST_TIMEOUT_MS, SDK_ATTEMPTS } from '../../functions/shared/resilience/aws-clients.js';
import { RETRY_LIMITS } from '../../functions/shared/resilience/policy.js';
import { rules } from '../../infra/definitions/rules.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { type Handler, importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { expectProblem, type Harness, invoke, prepareProofEnvironment, routeNamed } from './harness.js';

/** The time the function has left when invoked: its budget is this less the reserve for answering. */
const REMAINING_MS = 4_000;

type Fault = 'hang' | 'hang-once' | 'throttle' | 'throttle-every-other' | 'stream-conflict';

/** DynamoDB Local behind a proxy: each operation passes, or meets its planned fault. */
const proxy = {
  server: undefined as Server | undefined,
  endpoint: '',
  faults: new Map<string, Fault>(),
  /** Requests that reached the proxy, by operation (e.g. TransactWriteItems). */
  requests: new Map<string, number>(),
  held: [] as ServerResponse[],
  total: () => [...proxy.requests.values()].reduce((sum, count) => sum + count, 0),
  reset() {
    proxy.faults.clear();
    proxy.requests.clear();
    for (const response of proxy.held.splice(0)) response.destroy();
  },
};

const startProxy = async (upstream: string) => {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    proxy.requests.set(operation, (proxy.requests.get(operation) ?? 0) + 1);
    const fault = proxy.faults.get(operation) ?? proxy.faults.get('*');
    if (fault === 'hang' || (fault === 'hang-once' && (proxy.requests.get(operation) ?? 0) === 1)) {
      req.resume();
      proxy.held.push(res); // never answered: the socket hangs until the client gives up
      return;
    }
    const count = proxy.requests.get(operation) ?? 0;
    if (fault === 'stream-conflict') {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        }),
      );
      return;
    }
    if (fault === 'throttle' || (fault === 'throttle-every-other' && count % 2 === 1)) {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
          message: 'Rate of requests exceeds the allowed throughput.',
        }),
      );
      return;
    }
    const forwarded = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.server = server;
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

let harness: Harness;
let http: Record<string, Handler>;
let store: EventStore;
let handlersClient: DynamoDBClient;

const passedThrough = {
  GetItemCommand,
  QueryCommand,
  PutItemCommand,
  UpdateItemCommand,
  DeleteItemCommand,
  TransactWriteItemsCommand,
} as const;

/** The handlers' client mocked: BatchGetItem answers `batchGet`, everything else goes to DynamoDB Local. */
const mockBatchGet = (batchGet: (input: { RequestItems?: Record<string, unknown> }) => unknown) => {
  const mock = mockClient(handlersClient);
  for (const Command of Object.values(passedThrough))
    mock
      .on(Command as never)
      .callsFake((input: unknown) =>
        harness.tables.client.send(new (Command as unknown as new (input: unknown) => never)(input)),
      );
  mock.on(BatchGetItemCommand).callsFake(async (input) => batchGet(input));
  return mock;
};

/** A Lambda context with REMAINING_MS (or `remaining`) left, counting down as the real one does. */
const shortContext = (name: string, remaining = REMAINING_MS): Context => {
  const deadline = Date.now() + remaining;
  return { ...lambdaContext(name), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
};

const call = async (
  name: string,
  params: Record<string, string>,
  body?: unknown,
  key?: string,
  remaining = REMAINING_MS,
) => {
  const started = performance.now();
  const handler = http[name] as Handler;
  const route = routeNamed(name);
  const answer = await invoke((event) => handler(event, shortContext(name, remaining)), route, params, {
    body,
    headers: {
      authorization: `Bearer ${harness.organizerToken}`,
      ...(key ? { 'idempotency-key': key } : {}),
    },
  });
  return { ...answer, elapsed: performance.now() - started };
};

const eventCount = async (): Promise<number> => {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await harness.tables.client.send(
      new ScanCommand({
        TableName: harness.tables.events,
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return count;
};

const newConference = async () => {
  const answer = await call('CreateConference', {}, iclc2015);
  expect(answer.status, answer.text).toBe(201);
  return String(answer.json.conferenceId);
};

const session = {
  title: 'Opening plenary',
  type: 'plenary',
  date: '2015-09-28',
  start: '09:30',
  end: '10:30',
  room: 'Sala Principal',
  speakers: [],
};

const registration = () => ({ ...delegate, email: `${randomUUID()}@example.org`, consent: true });

const expectServiceUnavailableInTime = (answer: Awaited<ReturnType<typeof call>>) => {
  expectProblem(answer, 503);
  expect(String(answer.headers['retry-after'])).toMatch(/^[1-9]\d*$/);
  // The function answered before its time was up (Lambda would have cut it off without an answer).
  expect(answer.elapsed).toBeLessThan(REMAINING_MS);
};

beforeAll(async () => {
  await startProxy(inject('dynamoDbEndpoint'));
  harness = await prepareProofEnvironment('proof-bounds');
  // Only the handlers talk through the proxy; the tables' own client reads DynamoDB Local directly.
  process.env.DYNAMODB_ENDPOINT = proxy.endpoint;
  const { dynamoDb } = await import('../../functions/shared/runtime/config.js');
  handlersClient = dynamoDb();
  store = new EventStore({
    client: harness.tables.client,
    tableName: harness.tables.events,
    stateTableName: harness.tables.streamState,
  });
  http = await importRouteHandlers();
});

afterEach(() => {
  proxy.reset();
  vi.restoreAllMocks();
});

afterAll(async () => {
  proxy.reset();
  proxy.server?.closeAllConnections();
  await new Promise((resolve) => proxy.server?.close(resolve));
  await harness?.dispose();
});

describe('a hung socket', () => {
  it('under the append: 503 before the time is up, nothing stored; the retry stores once', async () => {
    const conferenceId = await newConference();
    const before = await eventCount();
    const key = randomUUID();
    const body = registration();
    proxy.faults.set('TransactWriteItems', 'hang');
    proxy.requests.clear();
    const answer = await call('RegisterDelegate', { conferenceId }, body, key);
    expectServiceUnavailableInTime(answer);
    expect(proxy.requests.get('TransactWriteItems')).toBeLessThanOrEqual(SDK_ATTEMPTS);
    expect(await eventCount()).toBe(before);

    proxy.reset();
    const retried = await call('RegisterDelegate', { conferenceId }, body, key);
    expect(retried.status, retried.text).toBe(201);
    expect(await eventCount()).toBe(before + 1);
    expect(await store.load(registrationStreamId(String(retried.json.registrationId)))).toHaveLength(1);
  });

  it('once, with time to spare: the request timeout cuts it, the SDK tries again, stored once', async () => {
    const conferenceId = await newConference();
    const before = await eventCount();
    proxy.faults.set('TransactWriteItems', 'hang-once');
    proxy.requests.clear();
    const answer = await call('RegisterDelegate', { conferenceId }, registration(), undefined, 20_000);
    expect(answer.status, answer.text).toBe(201);
    expect(proxy.requests.get('TransactWriteItems')).toBe(2);
    // Cut by the request timeout (3 s), not by the deadline of the budget (18.5 s away).
    expect(answer.elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(answer.elapsed).toBeLessThan(20_000 - RETRY_LIMITS.reserveMs);
    expect(await eventCount()).toBe(before + 1);
  });

  it('under every request: 503 before the time is up', async () => {
    const conferenceId = await newConference();
    proxy.faults.set('*', 'hang');
    expectServiceUnavailableInTime(
      await call('RegisterDelegate', { conferenceId: randomUUID() }, registration()),
    );
    proxy.reset();
    proxy.faults.set('*', 'hang');
    expectServiceUnavailableInTime(await call('ScheduleSession', { conferenceId }, session));
  });
});

describe('endless throttling', () => {
  it('of every request: 503 before the time is up, each call tried at most the SDK attempts', async () => {
    const conferenceId = await newConference();
    const registrationId = String(
      (await call('RegisterDelegate', { conferenceId }, registration())).json.registrationId,
    );
    const before = await eventCount();
    proxy.faults.set('*', 'throttle');
    proxy.requests.clear();
    const answer = await call('CancelRegistration', { conferenceId, registrationId });
    expectServiceUnavailableInTime(answer);
    for (const [operation, count] of proxy.requests)
      expect(count, operation).toBeLessThanOrEqual(SDK_ATTEMPTS);
    expect(await eventCount()).toBe(before);
  });

  it('of the reads while every append finds its stream moved on: the retries of all layers share one budget', async () => {
    const conferenceId = await newConference();
    const registrationId = String(
      (await call('RegisterDelegate', { conferenceId }, registration())).json.registrationId,
    );
    // Every read is throttled once (the SDK retries it), every append is refused as a stream conflict
    // (the pipeline decides again): were the limits nested, this would make up to DECIDE_ATTEMPTS ×
    // (SDK_ATTEMPTS + 1) requests.
    proxy.faults.set('BatchGetItem', 'throttle-every-other');
    proxy.faults.set('TransactWriteItems', 'stream-conflict');
    proxy.requests.clear();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const answer = await call('CheckInDelegate', { conferenceId, registrationId });
    expectServiceUnavailableInTime(answer);
    const reads = proxy.requests.get('BatchGetItem') ?? 0;
    const appends = proxy.requests.get('TransactWriteItems') ?? 0;
    expect(reads).toBeGreaterThan(appends); // the SDK did retry the throttled reads
    expect(appends).toBeGreaterThan(1); // and the pipeline decided again
    // Each retry, of whichever layer, adds at most two requests (a decision again: a read and an append).
    expect(reads + appends).toBeLessThanOrEqual(2 * (1 + RETRY_LIMITS.retriesPerInvocation));
    expect(reads + appends).toBeLessThan(DECIDE_ATTEMPTS * (SDK_ATTEMPTS + 1));
  });
});

describe('endless UnprocessedKeys', () => {
  const unprocessed = (input: { RequestItems?: Record<string, unknown> }) => ({
    Responses: {},
    UnprocessedKeys: input.RequestItems,
  });

  it('under a command: 503 after a bounded number of reads, nothing appended', async () => {
    const conferenceId = await newConference();
    const registrationId = String(
      (await call('RegisterDelegate', { conferenceId }, registration())).json.registrationId,
    );
    const before = await eventCount();
    const mock = mockBatchGet(unprocessed);
    try {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const answer = await call('CheckInDelegate', { conferenceId, registrationId });
      expectServiceUnavailableInTime(answer);
      expect(mock.commandCalls(BatchGetItemCommand).length).toBeLessThanOrEqual(
        1 + RETRY_LIMITS.retriesPerInvocation,
      );
      expect(mock.commandCalls(BatchGetItemCommand).length).toBeGreaterThan(1);
    } finally {
      mock.restore();
    }
    expect(await eventCount()).toBe(before);
  });

  it('under a consumer: that record is a failed batch item, applied once when delivered again', async () => {
    const rule = rules.find((candidate) => candidate.name === 'DelegateCountsProjector');
    if (!rule) throw new Error('no DelegateCountsProjector rule');
    const consumer = (await importHandler(rule.consumer)) as unknown as (
      event: SQSEvent,
      context: Context,
    ) => Promise<SQSBatchResponse>;
    const conferenceId = await newConference();
    const registrationId = String(
      (await call('RegisterDelegate', { conferenceId }, registration())).json.registrationId,
    );
    const [registered] = await store.load(registrationStreamId(registrationId));
    const scheduled = await call('ScheduleSession', { conferenceId }, session);
    expect(scheduled.status, scheduled.text).toBe(201);
    const [sessionScheduled] = await store.load(`session-${scheduled.json.sessionId}`);
    if (!registered || !sessionScheduled) throw new Error('no events');
    // The projector applies a batch of two or more records at once first (busConsumer's `batch`), and that
    // path takes a run that begins its stream to have no row yet, so it would not read for a new
    // registration at all. The registration is therefore projected first, alone, and the record under the
    // endless UnprocessedKeys is its check-in (version 2): the batch path must read its row, gives up after
    // its bounded retries, and hands the batch to record-by-record handling, whose read of that record
    // gives up too; only that record is a failed batch item.
    expect(
      (
        await consumer(
          { Records: [sqsRecord(registered, 'm0', { queue: 'proof' })] },
          shortContext(rule.name),
        )
      ).batchItemFailures,
    ).toEqual([]);
    expect((await call('CheckInDelegate', { conferenceId, registrationId })).status).toBeLessThan(300);
    const checkedIn = (await store.load(registrationStreamId(registrationId))).find(
      (event) => event.type === 'DelegateCheckedIn',
    );
    if (!checkedIn) throw new Error('no check-in');
    // With a record the projection does not read for (else a batch of one failure fails as a whole).
    const deliver = () =>
      consumer(
        {
          Records: [
            sqsRecord(checkedIn, 'm1', { queue: 'proof' }),
            sqsRecord(sessionScheduled, 'm2', { queue: 'proof' }),
          ],
        },
        shortContext(rule.name),
      );

    const mock = mockBatchGet(unprocessed);
    try {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      expect((await deliver()).batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      // Each of the two paths has its own allowance of retries: the batch's, then the record's.
      const reads = mock.commandCalls(BatchGetItemCommand).length;
      expect(reads).toBeLessThanOrEqual(2 * (1 + RETRY_LIMITS.retriesPerInvocation));
      expect(reads).toBeGreaterThan(2);
    } finally {
      mock.restore();
    }
    expect((await deliver()).batchItemFailures).toEqual([]);
    expect((await deliver()).batchItemFailures).toEqual([]);
    const counts = await invoke(http.GetDelegateCounts as Handler, routeNamed('GetDelegateCounts'), {
      conferenceId,
    });
    expect(counts.json).toMatchObject({ registered: 1, checkedIn: 1 });
  });
});
