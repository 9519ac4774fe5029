/**
 * `npm run bench:scale`: a conference of 2,000 sessions (10 days, 40 rooms) imported over the local HTTP
 * API 8 bookings at a time, as an organizer's import tool would. Prints the DynamoDB round trips and the
 * time of the schedule command at session 1 and at session 2,000 (each sent alone, so the two compare),
 * the medians of the first and last 200 of the concurrent import, every non-2xx answer, and the read
 * latency (p50/p95), size and round trips of GET agenda, agenda.ics and schedule.json once the projection
 * has caught up, each checked for all 2,000 sessions. Baselines from the same run: a raw
 * TransactWriteItems of the same five items and a raw paginated Query of the same read-model rows, on the
 * same DynamoDB Local. Writes the `scale` section of docs/benchmarks.md.
 *
 * BENCH_SCALE_DAYS (default 10) and BENCH_SCALE_ROOMS (default 40) make it smaller for a quick look.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DynamoDBClient,
  paginateQuery,
  paginateScan,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import ical from 'node-ical';
import { awards } from '../local/demo/iclc2015.js';
import type { HttpHandler } from '../local/http-server.js';
import { type LocalStack, startLocalStack } from '../local/local-stack.js';
import { silentLogger } from '../local/log.js';
import { findFreePort } from '../local/ports.js';
import { importFunction, repoRoot } from '../local/repo-modules.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { benchClient } from './support/local-dynamodb.js';
import { programmeConference, programmeSessions } from './support/programme.js';
import { machineLine, table } from './support/report.js';
import { kib, median, ms, percentile, pool, ratio, verdict } from './support/stats.js';

const DAYS = Number(process.env.BENCH_SCALE_DAYS ?? 10);
const ROOMS = Number(process.env.BENCH_SCALE_ROOMS ?? 40);
const CONCURRENCY = 8;
const READS = Number(process.env.BENCH_SCALE_READS ?? 30);
const ROUND_TRIP_GOAL = 2;
/** Lambda's synchronous response limit, and CONTRACT 4.3's limit for an inline response. */
const INLINE_LIMIT = 5 * 1024 * 1024;
const ITEM_LIMIT = 400 * 1024;
const BENCH_HEADER = 'x-bench-request';

/** DynamoDB requests and handler time of each request the bench sent, by its BENCH_HEADER. */
const measured = new Map<string, { trips: number; handlerMs: number; dynamoMs: number }>();
const perRequest = new AsyncLocalStorage<{ trips: number; dynamoMs: number }>();

/** Every handler runs in a context of its own, so the requests it sends are counted for it alone. */
const countingHandler = async (route: { entry: string }): Promise<HttpHandler> => {
  const handler = await importFunction<HttpHandler>(route.entry, 'handler', repoRoot);
  return (event, context) => {
    const id = event.headers?.[BENCH_HEADER];
    if (!id) return handler(event, context);
    const store = { trips: 0, dynamoMs: 0 };
    const started = performance.now();
    return perRequest.run(store, async () => {
      try {
        return await handler(event, context);
      } finally {
        measured.set(id, { ...store, handlerMs: performance.now() - started });
      }
    });
  };
};

const countRequests = (client: DynamoDBClient) =>
  client.middlewareStack.add(
    (next) => async (args) => {
      const store = perRequest.getStore();
      if (!store) return next(args);
      store.trips += 1;
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        store.dynamoMs += performance.now() - started;
      }
    },
    { step: 'deserialize', name: 'benchScaleCounter', override: true },
  );

interface Sent {
  status: number;
  ms: number;
  trips: number;
  bytes: number;
  text: string;
}

const send = async (
  stack: LocalStack,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Sent> => {
  const id = randomUUID();
  const started = performance.now();
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...headers, [BENCH_HEADER]: id, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const elapsed = performance.now() - started;
  return {
    status: response.status,
    ms: elapsed,
    trips: measured.get(id)?.trips ?? Number.NaN,
    bytes: Buffer.byteLength(text),
    text,
  };
};

/** The floor of a booking: one TransactWriteItems of the five items a booking writes, nothing else. */
const rawBookings = async (client: DynamoDBClient, tableName: string, samples: number, concurrency: number) =>
  pool(Array.from({ length: samples }), concurrency, async () => {
    const id = randomUUID();
    const put = (pk: string, sk: number, extra: Record<string, unknown>) => ({
      Put: {
        TableName: tableName,
        Item: marshall({ pk, sk, kind: 'raw', ...extra }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    const started = performance.now();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          put(`raw-session-${id}`, 1, { data: 'x'.repeat(600) }),
          put(`raw-room-${id}`, 0, { c_6_7: id }),
          put(`raw-speaker-a-${id}`, 0, { c_6_7: id }),
          put(`raw-speaker-b-${id}`, 0, { c_6_7: id }),
          put(`raw-idempotency-${id}`, 0, { response: 'x'.repeat(200) }),
        ],
      }),
    );
    return performance.now() - started;
  });

/** The floor of a read: the same read-model rows, queried page by page, nothing else. */
const rawRowQuery = async (client: DynamoDBClient, tableName: string, pk: string) => {
  const started = performance.now();
  let rows = 0;
  for await (const page of paginateQuery(
    { client },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rows)',
      ExpressionAttributeValues: marshall({ ':pk': pk, ':rows': 'stream#' }),
      ConsistentRead: true,
    },
  ))
    rows += page.Items?.length ?? 0;
  return { ms: performance.now() - started, rows };
};

/** The largest item (its JSON size, close to DynamoDB's own count) whose pk starts with `prefix`. */
const largestItem = async (client: DynamoDBClient, tableName: string, prefix: string) => {
  let largest = 0;
  let items = 0;
  for await (const page of paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression: 'begins_with(pk, :prefix)',
      ExpressionAttributeValues: marshall({ ':prefix': prefix }),
    },
  ))
    for (const item of page.Items ?? []) {
      items += 1;
      largest = Math.max(largest, Buffer.byteLength(JSON.stringify(item)));
    }
  return { largest, items };
};

const main = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-bench-scale-'));
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      dataDir,
      port: 0,
      dynamoDb: { port: await findFreePort(), inMemory: true },
      logger: () => silentLogger,
      loadHandler: countingHandler,
    });
    const { dynamoDb } = await import('../functions/shared/runtime/config.js');
    countRequests(dynamoDb());
    const organizer = { authorization: `Bearer ${await stack.organizerToken()}` };
    const conference = programmeConference(DAYS, ROOMS);
    const created = await send(stack, 'POST', '/conferences', organizer, conference);
    if (created.status !== 201) throw new Error(`create conference: ${created.status} ${created.text}`);
    const conferenceId = String(JSON.parse(created.text).conferenceId);
    await stack.settled();

    // A first booking in another conference loads the handler modules, so session 1 of this one is
    // measured warm, as the 2,000th is (it still reads its conference once: that is cold per conference).
    const warmUp = await send(stack, 'POST', '/conferences', organizer, { ...conference, acronym: 'WARMUP' });
    const warmUpId = String(JSON.parse(warmUp.text).conferenceId);
    await send(
      stack,
      'POST',
      `/conferences/${warmUpId}/sessions`,
      organizer,
      programmeSessions(conference)[0],
    );
    await stack.settled();

    const sessions = programmeSessions(conference);
    const total = sessions.length;
    const book = (session: (typeof sessions)[number]) =>
      send(
        stack as LocalStack,
        'POST',
        `/conferences/${conferenceId}/sessions`,
        {
          ...organizer,
          'idempotency-key': randomUUID(),
        },
        session,
      );

    console.log(`Importing ${total} sessions (${DAYS} days, ${ROOMS} rooms), ${CONCURRENCY} at a time…`);
    const started = performance.now();
    const first = await book(sessions[0] as (typeof sessions)[number]);
    const middle = await pool(sessions.slice(1, -1), CONCURRENCY, book);
    await stack.settled();
    const last = await book(sessions[total - 1] as (typeof sessions)[number]);
    const importMs = performance.now() - started;
    const answers = [first, ...middle, last];
    const refused = answers.filter((answer) => answer.status < 200 || answer.status >= 300);
    const byStatus = new Map<number, number>();
    for (const answer of refused) byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    console.log(`Imported in ${(importMs / 1000).toFixed(1)} s; ${refused.length} non-2xx`);
    const handlerTimes = [...measured.values()].map((each) => each.handlerMs);
    const dynamoTimes = [...measured.values()].map((each) => each.dynamoMs);
    console.log(
      `p50 of the import: ${ms(median(middle.map((a) => a.ms)))} over HTTP, ${ms(median(handlerTimes))} in the handler, ${ms(median(dynamoTimes))} of it in DynamoDB`,
    );

    // The twelve UNESCO Learning City Awards of 2015, granted 4 at a time, presented in session 1.
    const sessionOne = String(JSON.parse(first.text).sessionId);
    const grants = await pool(awards, 4, (grant) =>
      send(stack as LocalStack, 'POST', `/conferences/${conferenceId}/awards`, organizer, {
        ...grant,
        sessionId: sessionOne,
      }),
    );
    const grantsRefused = grants.filter((grant) => grant.status !== 201);
    console.log(`Awards: ${grants.length - grantsRefused.length} of ${grants.length} granted`);

    await stack.settled();
    const reads = [
      ['GET agenda', `/conferences/${conferenceId}/agenda`],
      ['GET agenda.ics', `/conferences/${conferenceId}/agenda.ics`],
      ['GET schedule.json', `/conferences/${conferenceId}/schedule.json`],
    ] as const;
    const readRows: string[][] = [];
    const checks: string[] = [];
    for (const [label, path] of reads) {
      const samples: Sent[] = [];
      for (let n = 0; n < READS + 3; n++) samples.push(await send(stack, 'GET', path, {}));
      const warm = samples.slice(3);
      const times = warm.map((sample) => sample.ms);
      const sample = warm.at(-1) as Sent;
      if (warm.some((each) => each.status !== 200)) throw new Error(`${label}: not 200`);
      let count: number;
      if (label === 'GET agenda')
        count = (JSON.parse(sample.text).days as { sessions: unknown[] }[]).flatMap(
          (day) => day.sessions,
        ).length;
      else if (label === 'GET agenda.ics')
        count = Object.values(ical.sync.parseICS(sample.text)).filter((c) => c?.type === 'VEVENT').length;
      else
        count = (
          JSON.parse(sample.text).schedule.conference.days as { rooms: Record<string, unknown[]> }[]
        ).flatMap((day) => Object.values(day.rooms).flat()).length;
      checks.push(`${label}: ${count} of ${total} sessions`);
      readRows.push([
        label,
        ms(median(times)),
        ms(percentile(times, 95)),
        String(sample.trips),
        kib(sample.bytes),
        `${verdict(sample.bytes <= INLINE_LIMIT)} (≤ 5 MB)`,
        count === total ? `${count} ✓` : `**${count} of ${total}**`,
      ]);
    }

    const client = benchClient(stack.dynamoDbEndpoint);
    const rawWrites = await rawBookings(client, stack.tables.events, 100, 1);
    const rawConcurrentWrites = await rawBookings(client, stack.tables.events, 400, CONCURRENCY);
    const { active } = { active: 1 };
    const rowsPk = `agenda#g${active}#${conferenceId}`;
    const rawQueries: number[] = [];
    let rawRows = 0;
    for (let n = 0; n < READS; n++) {
      const result = await rawRowQuery(client, stack.tables.readModels, rowsPk);
      rawQueries.push(result.ms);
      rawRows = result.rows;
    }
    const readModel = await largestItem(client, stack.tables.readModels, `agenda#g${active}#${conferenceId}`);
    const occupancy = await largestItem(client, stack.tables.streamState, `occupancy#${conferenceId}`);
    client.destroy();

    const concurrent = middle.map((answer) => answer.ms);
    const writeRows = [
      [
        'schedule a session, sent alone',
        `${first.trips} · ${ms(first.ms)}`,
        `${last.trips} · ${ms(last.ms)}`,
        `${verdict(first.trips <= ROUND_TRIP_GOAL && last.trips <= ROUND_TRIP_GOAL)} (≤ ${ROUND_TRIP_GOAL} round trips)`,
      ],
      [
        `median of the first / last 200, ${CONCURRENCY} at a time`,
        ms(median(concurrent.slice(0, 200))),
        ms(median(concurrent.slice(-200))),
        `${ratio(median(concurrent.slice(-200)), median(concurrent.slice(0, 200)))} (last / first)`,
      ],
      [
        'round trips, most of any booking',
        String(Math.max(...answers.slice(0, 200).map((a) => a.trips))),
        String(Math.max(...answers.slice(-200).map((a) => a.trips))),
        verdict(answers.every((answer) => answer.trips <= ROUND_TRIP_GOAL)),
      ],
      [
        'baseline: raw TransactWriteItems of 5 items: alone / median of 400, 8 at a time',
        ms(median(rawWrites)),
        ms(median(rawConcurrentWrites)),
        '',
      ],
    ];
    const content = [
      `## Agenda at scale: ${total} sessions over HTTP (\`npm run bench:scale\`)`,
      '',
      `One conference of ${DAYS} days and ${ROOMS} rooms; ${total} sessions of 90 minutes, each with a speaker`,
      "of its own and the room's chair of the day (who speaks in all five sessions of that room that day),",
      `imported over the local HTTP API ${CONCURRENCY} bookings at a time, each with an Idempotency-Key.`,
      'Session 1 and session 2,000 are sent alone (the import runs between them), so their figures compare;',
      'round trips are the DynamoDB requests of that one handler invocation (session 1 includes reading the',
      'conference, which an execution environment does once per conference; a booking in another conference',
      'has loaded the modules before). The baseline is the floor of one booking: a raw TransactWriteItems',
      'of as many items, alone and 8 at a time, on the same DynamoDB Local.',
      '',
      `Import: ${total} bookings in ${(importMs / 1000).toFixed(1)} s, **${refused.length} non-2xx**` +
        (refused.length ? ` (${[...byStatus].map(([s, n]) => `${n} × ${s}`).join(', ')})` : '') +
        ` — goal 0: ${verdict(refused.length === 0)}.`,
      '',
      `Awards: the twelve UNESCO Learning City Awards granted 4 at a time, presented in session 1: ` +
        `${grants.length - grantsRefused.length} of ${grants.length} granted` +
        (grantsRefused.length ? ` (${grantsRefused.map((g) => g.status).join(', ')})` : '') +
        ` — goal all: ${verdict(grantsRefused.length === 0)}.`,
      '',
      table(['schedule command', 'session 1', `session ${total}`, 'goal'], writeRows),
      '',
      `Reads once the projection caught up (${READS} each, sequential, after 3 warm-up requests):`,
      '',
      table(
        ['read', 'p50', 'p95', 'round trips', 'size', 'inline', 'sessions'],
        [
          ...readRows,
          [
            'baseline: raw Query of the same rows',
            ms(median(rawQueries)),
            ms(percentile(rawQueries, 95)),
            '',
            '',
            '',
            `${rawRows} rows`,
          ],
        ],
      ),
      '',
      `Largest agenda read-model item: ${kib(readModel.largest)} of ${readModel.items} rows ` +
        `(DynamoDB's item limit is 400 KB: ${verdict(readModel.largest < ITEM_LIMIT)}); largest occupancy item ` +
        `(a room's or a speaker's day): ${kib(occupancy.largest)} of ${occupancy.items}.`,
      '',
      machineLine(),
    ].join('\n');
    console.log(`\n${content}\n`);
    console.log(checks.join('\n'));
    await writeBenchmarkSection('scale', content);
    if (refused.length > 0) {
      console.error(
        refused
          .slice(0, 5)
          .map((answer) => `${answer.status} ${answer.text}`)
          .join('\n'),
      );
      process.exitCode = 1;
    }
  } finally {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

await main();
