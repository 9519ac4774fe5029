/**
 * `npm run bench:projection-lag`: on the local stack at idle, the time from a registration's 201 to the
 * delegate counts showing it, over sequential registrations (p50 / p95 / max). Baselines measured in the
 * same run: DynamoDB Local's own stream latency (an item put, read back by polling GetRecords without
 * pause), and the stream poller's share of the lag: from each 201 to the poller handing that
 * registration's stream record to the enrichment (timed by wrapping the real enrichment, as the privacy
 * proof does). Writes the `projection-lag` section of docs/benchmarks.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { registrationStreamId } from '../domain/registration/decider.js';
import { pipeDefinition } from '../infra/definitions/pipe.js';
import { eventsTable } from '../infra/definitions/tables.js';
import { localClientConfig } from '../local/aws-config.js';
import { createTables } from '../local/create-tables.js';
import { type LocalStack, startLocalStack } from '../local/local-stack.js';
import { silentLogger } from '../local/log.js';
import { findFreePort } from '../local/ports.js';
import { importFunction, repoRoot } from '../local/repo-modules.js';
import type { Enrich } from '../local/stream-poller.js';
import { iclc2015 } from '../test/domain/fixtures.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { delegateBody } from './support/delegates.js';
import { benchClient } from './support/local-dynamodb.js';
import { machineLine, table } from './support/report.js';
import { median, ms, percentile, verdict } from './support/stats.js';

const SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 100);
const GOAL_MS = 1_000;
const POLL_MS = 10;

/** When the stream poller handed each stream item (by its pk) to the enrichment, first time only. */
const pickedUp = new Map<string, number>();

/** The real enrichment of infra/definitions/pipe.ts, timing when each record reaches it. */
const timedEnrichment = async (): Promise<Enrich> => {
  const real = await importFunction<Enrich>(pipeDefinition.enrichment, 'toEnvelopes', repoRoot);
  return (records) => {
    const now = performance.now();
    for (const record of records) {
      const pk = record.dynamodb?.NewImage?.pk?.S;
      if (pk && !pickedUp.has(pk)) pickedUp.set(pk, now);
    }
    return real(records);
  };
};

/** Per sample: 201 → counts show it, and 201 → the poller handed its stream record to the enrichment. */
interface Lags {
  counted: number[];
  pickedUp: number[];
}

const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

/** Milliseconds from each 201 to the counts showing that registration, and to the poller taking it. */
const measureLag = async (stack: LocalStack, token: string): Promise<Lags> => {
  const created = await fetch(`${stack.apiUrl}/conferences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...iclc2015, capacity: SAMPLES + 10 }),
  });
  const conferenceId = String((await json(created)).conferenceId);
  await stack.settled();
  const lags: Lags = { counted: [], pickedUp: [] };
  for (let n = 1; n <= SAMPLES + 5; n++) {
    const response = await fetch(`${stack.apiUrl}/conferences/${conferenceId}/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(delegateBody(n, 'lag')),
    });
    if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
    const { registrationId } = await json(response);
    const answered = performance.now();
    for (;;) {
      const counts = await json(await fetch(`${stack.apiUrl}/conferences/${conferenceId}/delegate-counts`));
      if (counts.registered === n) break;
      if (performance.now() - answered > 30_000) throw new Error(`registration ${n} not counted within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const counted = performance.now() - answered;
    // The record may reach the poller before the 201 reaches the client: then its share is 0.
    const taken = pickedUp.get(registrationStreamId(String(registrationId)));
    if (taken === undefined) throw new Error(`registration ${n}: the poller never took its record`);
    // The first few warm the path (module loading, JIT); they are not counted.
    if (n > 5) {
      lags.counted.push(counted);
      lags.pickedUp.push(Math.max(0, taken - answered));
    }
    await stack.settled();
  }
  return lags;
};

/** Milliseconds from a PutItem's answer to GetRecords returning its record, polling without pause. */
const measureStream = async (endpoint: string): Promise<number[]> => {
  const client = benchClient(endpoint);
  const streams = new DynamoDBStreamsClient(localClientConfig(endpoint));
  try {
    const names = await createTables(client, { prefix: 'lag-raw-', definitions: [eventsTable] });
    const TableName = names[eventsTable.id] ?? '';
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    const StreamArn = Table?.LatestStreamArn ?? '';
    const { DescribeStreamCommand } = await import('@aws-sdk/client-dynamodb-streams');
    const description = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const shard = description.StreamDescription?.Shards?.at(-1)?.ShardId ?? '';
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn, ShardId: shard, ShardIteratorType: 'LATEST' }),
      )
    ).ShardIterator;
    const latencies: number[] = [];
    for (let n = 0; n < SAMPLES + 5; n++) {
      await client.send(
        new PutItemCommand({ TableName, Item: marshall({ pk: `lag-${n}`, sk: 1, kind: 'event' }) }),
      );
      const put = performance.now();
      for (;;) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        iterator = page.NextShardIterator;
        if ((page.Records ?? []).length > 0) break;
        if (performance.now() - put > 10_000) throw new Error('stream record not seen within 10 s');
      }
      if (n >= 5) latencies.push(performance.now() - put);
    }
    return latencies;
  } finally {
    client.destroy();
    streams.destroy();
  }
};

const main = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-bench-lag-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      dataDir,
      port: 0,
      dynamoDb: { port: await findFreePort(), inMemory: true },
      logger: () => silentLogger,
      enrich: await timedEnrichment(),
    });
    const token = await stack.organizerToken();
    const stream = await measureStream(stack.dynamoDbEndpoint);
    const { counted: lags, pickedUp: pollerShare } = await measureLag(stack, token);
    const p95 = percentile(lags, 95);
    const summary = (values: number[]) =>
      `${ms(median(values))} / ${ms(percentile(values, 95))} / ${ms(Math.max(...values))}`;
    const section = [
      '## Projection lag at idle (`npm run bench:projection-lag`)',
      '',
      `The local stack (\`startLocalStack\`, in memory) at idle: ${SAMPLES} registrations one after another over`,
      `HTTP; after each 201 the delegate counts are read every ${POLL_MS} ms until they show it (then the pipeline`,
      'is let settle before the next). The path: DynamoDB Local stream → poller (same filter and enrichment as the',
      'Pipe) → bus rule → delegate counts projector → read model → GET.',
      '',
      table(
        ['measure', 'p50 / p95 / max', 'goal', 'result'],
        [
          [
            `201 → delegate counts show it (${lags.length} samples)`,
            summary(lags),
            `p95 ≤ ${ms(GOAL_MS)}`,
            verdict(p95 <= GOAL_MS),
          ],
          [
            'baseline: DynamoDB Local stream, PutItem → GetRecords returns it (polled without pause)',
            summary(stream),
            '—',
            '—',
          ],
          [
            `baseline: 201 → the stream poller hands that registration's record to the enrichment (${pollerShare.length} samples; 0 when it came first)`,
            summary(pollerShare),
            '—',
            '—',
          ],
        ],
      ),
      '',
      `p95 lag ${ms(p95)}; the poller's share (201 → it takes the record) ${ms(percentile(pollerShare, 95))} at p95, ` +
        `the rest is the bus, the projector and the read; ${(p95 / percentile(stream, 95)).toFixed(1)}× the raw stream's p95.`,
      '',
      machineLine(),
    ].join('\n');
    await writeBenchmarkSection('projection-lag', section);
    console.log(section);
  } finally {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
