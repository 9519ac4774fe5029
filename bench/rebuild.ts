/**
 * `npm run bench:rebuild [-- --events 100000] [--segments 4] [--warm-up 10000] [--on-disk] [--no-doc]`
 *
 * How fast `npm run rebuild -- --all` replays the event store, on a DynamoDB Local of its own (in memory,
 * or on disk with --on-disk, as `npm start` keeps it). It seeds N events (default 100,000: one conference
 * with its agenda and ~40,000 registrations with their life cycles, decided by the deciders, their
 * personal parts sealed by the event store's codec under a data key per registration (local key service),
 * written with parallel BatchWriteItem with their data keys) and the live generation of every projection
 * (folded in memory by the same projection functions the live projectors run, those that open personal
 * data from the plaintext), warms DynamoDB Local up on other tables, then times:
 * - the baseline: a raw parallel Scan of the events table (nothing applied), events/s;
 * - the rebuild of all projections into generation 2 (scan + open + apply + switch), events/s, against the
 *   goal: the projections that open personal data (the registrant list, the visa letters) unwrap each
 *   registration's data key and decrypt its events, as `npm run rebuild -- --all` does;
 * - for comparison, the live path (ProjectionRunner.apply per event, as the projectors do) on a sample.
 * It then checks that generation 2 equals the live generation item for item (rows with their checkpoints,
 * summaries) and exits non-zero if not. Results: docs/benchmarks.md, section `rebuild` (printed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { EventEnvelope } from '../domain/events.js';
import type { SummaryChange } from '../domain/projections/delegate-counts.js';
import { EventStore } from '../functions/shared/event-store/event-store.js';
import { parallelScan } from '../functions/shared/event-store/parallel-scan.js';
import { personalDataCodec } from '../functions/shared/personal-data/codec.js';
import { DataKeys } from '../functions/shared/personal-data/data-keys.js';
import type { KeyService } from '../functions/shared/personal-data/key-service.js';
import { ProjectionRunner } from '../functions/shared/projections/projection-runner.js';
import { readModelPartition, rowKey, SUMMARY } from '../functions/shared/projections/read-models.js';
import {
  type AnyProjection,
  rebuildableProjections as allProjections,
  approximateItemCount,
  deleteOldGenerations,
  POINTER_SETTLE_MS,
  rebuild,
} from '../functions/shared/projections/rebuild.js';
import { dataKeysTable, eventsTable, readModelsTable } from '../infra/definitions/tables.js';
import { localClientConfig } from '../local/aws-config.js';
import { createTables } from '../local/create-tables.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { createRateProgress } from '../local/ops/progress.js';
import { localKeyService } from '../local/personal-data-keys.js';
import { findFreePort } from '../local/ports.js';
import { BENCHMARKS_FILE, writeBenchmarkSection } from './support/benchmarks-doc.js';
import { batchPut, eventItem, type History, registrationHistory } from './support/registration-history.js';
import { machineLine, table } from './support/report.js';

/** Every projection `npm run rebuild -- --all` rebuilds, those that open personal data included. */
const rebuildableProjections = allProjections;
const opening = rebuildableProjections.filter((projection) => projection.opensPersonalData);

const GOAL_EVENTS_PER_SECOND = 2_000;
const LIVE_SAMPLE_EVENTS = 2_000;

const say = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (value: number) => Math.round(value).toLocaleString('en-US');

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    segments: { type: 'string', default: '4' },
    'on-disk': { type: 'boolean', default: false },
    'no-doc': { type: 'boolean', default: false },
    'warm-up': { type: 'string', default: '10000' },
  },
  strict: true,
});
const target = Number(values.events);
/** Events of the warm-up tables (a fresh DynamoDB Local's JVM is slower until its JIT has compiled). */
const WARM_UP_EVENTS = Number(values['warm-up']);
const segments = Number(values.segments);
if (!Number.isInteger(target) || target < 10)
  throw new Error('--events must be a whole number of at least 10');
if (!Number.isInteger(segments) || segments < 1) throw new Error('--segments must be a whole number');

/** The live generation of a projection, folded in memory: one row per stream, one summary per conference. */
const foldGeneration = (projection: AnyProjection, streams: EventEnvelope[][], generation: number) => {
  const items: Record<string, unknown>[] = [];
  const summaries = new Map<string, SummaryChange & { asOf?: string }>();
  for (const stream of streams) {
    const handled = stream.filter((event) => projection.handles.includes(event.type));
    const last = handled.at(-1);
    if (!last) continue;
    const pk = readModelPartition(projection.name, generation, last.conferenceId);
    const state = stream.slice(0, stream.indexOf(last) + 1).reduce(projection.evolveRow, undefined);
    items.push({ pk, sk: rowKey(last.streamId), version: last.version, state: state ?? null });
    // Items beside the row (the registrant list's index entries), as the live path writes them with it.
    items.push(...(projection.sideItems?.(pk, state) ?? []));
    const summary = summaries.get(pk) ?? { add: {}, set: {} };
    const change = projection.summaryChange?.(undefined, state);
    for (const [name, delta] of Object.entries(change?.add ?? {}))
      summary.add[name] = (summary.add[name] ?? 0) + delta;
    Object.assign(summary.set, change?.set ?? {});
    if (projection.tracksAsOf)
      for (const event of handled)
        if (event.occurredAt > (summary.asOf ?? '')) summary.asOf = event.occurredAt;
    summaries.set(pk, summary);
  }
  if (projection.summaryChange || projection.tracksAsOf)
    for (const [pk, summary] of summaries)
      items.push({
        pk,
        sk: SUMMARY,
        ...summary.add,
        ...summary.set,
        ...(summary.asOf ? { asOf: summary.asOf } : {}),
      });
  return items;
};

/** Every item of the read-models table, by `projection#generation` then `conferenceId sk`. */
const readGenerations = async (client: DynamoDBClient, tableName: string) => {
  const generations = new Map<string, Map<string, string>>();
  await parallelScan(client, { TableName: tableName }, segments, (page) => {
    for (const raw of page.Items ?? []) {
      const { pk, sk, ...item } = unmarshall(raw);
      const match = /^(.+?)#g(\d+)#(.+)$/.exec(String(pk));
      if (!match) continue;
      const key = `${match[1]}#${match[2]}`;
      const generation = generations.get(key) ?? new Map<string, string>();
      // A counter at 0 is the same as none (the live path adds +1 and -1, a fold never writes it).
      const normalized = Object.entries(item)
        .filter(([, value]) => value !== 0)
        .sort(([a], [b]) => a.localeCompare(b));
      generation.set(`${match[3]} ${sk}`, JSON.stringify(normalized));
      generations.set(key, generation);
    }
  });
  return generations;
};

/** A raw parallel Scan of the events table: what reading the store costs, nothing applied. */
const rawScan = async (client: DynamoDBClient, tableName: string) => {
  let events = 0;
  const started = performance.now();
  await parallelScan(
    client,
    {
      TableName: tableName,
      FilterExpression: '#kind = :event',
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: marshall({ ':event': 'event' }),
      ConsistentRead: true,
    },
    segments,
    (page) => {
      events += page.Count ?? 0;
    },
  );
  return { events, ms: performance.now() - started };
};

/**
 * The history as the event store holds it: every event sealed by the personal-data codec (a new data key
 * with each registration's first event), and the data-key items written with them.
 */
const sealHistory = async (history: History, dataKeys: DataKeys) => {
  const codec = personalDataCodec({ dataKeys, open: false });
  const sealed: EventEnvelope[][] = [];
  const keyItems: Record<string, unknown>[] = [];
  for (const stream of history.streams) {
    const events: EventEnvelope[] = [];
    for (const event of stream) {
      const { stored, writes } = await codec.seal(event);
      events.push(stored);
      for (const write of writes) if (write.Put?.Item) keyItems.push(unmarshall(write.Put.Item));
    }
    sealed.push(events);
  }
  return { sealed, keyItems };
};

/** Seeds the events (sealed) and their data keys; returns the sealed streams. */
const seed = async (
  client: DynamoDBClient,
  tables: { events: string; dataKeys: string },
  history: History,
  keyService: KeyService,
  onWritten?: (count: number) => void,
) => {
  const { sealed, keyItems } = await sealHistory(
    history,
    new DataKeys({ client, tableName: tables.dataKeys, keyService: () => keyService }),
  );
  await batchPut(client, tables.events, sealed.flat().map(eventItem), onWritten ? { onWritten } : {});
  await batchPut(client, tables.dataKeys, keyItems);
  return sealed;
};

/** A codec that opens, on a DataKeys of its own (its cache cold, as a rebuild's process starts). */
const openingCodec = (client: DynamoDBClient, dataKeysTable: string, keyService: KeyService) =>
  personalDataCodec({
    dataKeys: new DataKeys({ client, tableName: dataKeysTable, keyService: () => keyService }),
    open: true,
  });

const main = async () => {
  const dataDir = values['on-disk'] ? await mkdtemp(join(tmpdir(), 'bench-rebuild-')) : undefined;
  const dynamoDb = await startDynamoDbLocal({ port: await findFreePort(), path: dataDir });
  const client = new DynamoDBClient({ ...localClientConfig(dynamoDb.endpoint), maxAttempts: 8 });
  const keysDir = await mkdtemp(join(tmpdir(), 'bench-rebuild-keys-'));
  try {
    const keyService = await localKeyService(keysDir);
    say(`DynamoDB Local ${values['on-disk'] ? 'on disk' : 'in memory'} at ${dynamoDb.endpoint}`);
    // The JVM of a fresh DynamoDB Local runs several times slower until its JIT has compiled the paths a
    // rebuild takes: warm both measured paths up on tables of their own first, unmeasured.
    const warmNames = await createTables(client, { prefix: 'bench-warm-up-' });
    const warmTables = {
      events: warmNames[eventsTable.id] ?? '',
      readModels: warmNames[readModelsTable.id] ?? '',
      dataKeys: warmNames[dataKeysTable.id] ?? '',
    };
    await seed(
      client,
      warmTables,
      registrationHistory(WARM_UP_EVENTS, 2016, { personal: 'plain' }),
      keyService,
    );
    await rawScan(client, warmTables.events);
    await rebuild({
      client,
      tables: warmTables,
      projections: rebuildableProjections,
      codec: openingCodec(client, warmTables.dataKeys, keyService),
      segments,
      pointerSettleMs: 0,
    });
    say(`Warmed up on ${fmt(WARM_UP_EVENTS)} events of other tables`);

    const names = await createTables(client, { prefix: 'bench-rebuild-' });
    const tables = {
      events: names[eventsTable.id] ?? '',
      readModels: names[readModelsTable.id] ?? '',
      dataKeys: names[dataKeysTable.id] ?? '',
    };

    const history = registrationHistory(target, 2015, { personal: 'plain' });
    say(
      `Seeding ${fmt(history.events)} events: 1 conference, its agenda, ${fmt(history.registrations)} registrations`,
    );
    const seeding = createRateProgress({
      label: 'Seeding events',
      total: history.events,
      unit: 'items',
      countedUnit: 'items',
      log: say,
    });
    const seedStarted = performance.now();
    const sealed = await seed(client, tables, history, keyService, (count) => seeding.update(count, count));
    seeding.stop();
    const seedMs = performance.now() - seedStarted;
    // As the live projectors see the events: opened for those that open personal data, sealed for the rest.
    const live = rebuildableProjections.flatMap((projection) =>
      foldGeneration(projection, projection.opensPersonalData ? history.streams : sealed, 1),
    );
    await batchPut(client, tables.readModels, live);
    say(`Seeded in ${(seedMs / 1000).toFixed(1)} s, and ${fmt(live.length)} items of the live generation 1`);

    await sleep(1_000); // let DynamoDB Local settle after the writes
    const baseline = await rawScan(client, tables.events);
    say(`Baseline: raw Scan of ${fmt(baseline.events)} events in ${(baseline.ms / 1000).toFixed(2)} s`);

    const total = await approximateItemCount(client, tables.events);
    const progress = createRateProgress({
      label: 'Rebuilding',
      total,
      unit: 'items scanned',
      countedUnit: 'events',
      log: say,
    });
    const result = await rebuild({
      client,
      tables,
      projections: rebuildableProjections,
      codec: openingCodec(client, tables.dataKeys, keyService),
      segments,
      pointerSettleMs: 0, // nothing else uses this DynamoDB Local
      log: () => {},
      onProgress: (p) => progress.update(p.scannedItems, p.events),
    });
    progress.stop();
    const rate = (result.events * 1000) / result.scanMs;
    say(
      `Rebuilt ${fmt(result.events)} events in ${(result.scanMs / 1000).toFixed(2)} s: ${fmt(rate)} events/s`,
    );

    const generations = await readGenerations(client, tables.readModels);
    const mismatches: string[] = [];
    for (const projection of rebuildableProjections) {
      const before = generations.get(`${projection.name}#1`) ?? new Map<string, string>();
      const after = generations.get(`${projection.name}#2`) ?? new Map<string, string>();
      if (before.size !== after.size)
        mismatches.push(`${projection.name}: ${before.size} live items, ${after.size} rebuilt`);
      for (const [key, value] of before)
        if (after.get(key) !== value)
          mismatches.push(`${projection.name} ${key}: live ${value}, rebuilt ${after.get(key)}`);
    }
    const equal = mismatches.length === 0;
    const liveItems = [...generations.entries()]
      .filter(([key]) => key.endsWith('#1'))
      .reduce((sum, [, items]) => sum + items.size, 0);
    say(
      equal
        ? `Generation 2 equals the live generation 1: ${fmt(liveItems)} items (rows with checkpoints, summaries)`
        : `Generation 2 differs from the live generation in ${mismatches.length} items:\n  ${mismatches.slice(0, 10).join('\n  ')}`,
    );

    const deleteStarted = performance.now();
    const deleted = await deleteOldGenerations({
      client,
      readModelsTable: tables.readModels,
      changes: result.changes,
      pointerSettleMs: 0,
      segments,
    });
    const deleteMs = performance.now() - deleteStarted;
    say(`Deleted the ${fmt(deleted)} items of generation 1 in ${(deleteMs / 1000).toFixed(2)} s`);

    // The live path for comparison: one apply per event and projection, 8 streams at a time, into a scratch
    // generation. Registration streams only, as most live traffic is.
    // The projectors that open personal data open each event first (their store has the opening codec).
    const sample = sealed.slice(2).flat().slice(0, LIVE_SAMPLE_EVENTS);
    const byStream = Map.groupBy(sample, (event) => event.streamId);
    const liveCodec = openingCodec(client, tables.dataKeys, keyService);
    const store = new EventStore({ client, tableName: tables.events });
    const openedStore = new EventStore({ client, tableName: tables.events, codec: liveCodec });
    const runners = rebuildableProjections.map((projection) => ({
      runner: new ProjectionRunner(projection, {
        client,
        tableName: tables.readModels,
        store: projection.opensPersonalData ? openedStore : store,
      }),
      opens: projection.opensPersonalData === true,
    }));
    const liveStarted = performance.now();
    const streams = [...byStream.values()];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let stream = streams.pop(); stream; stream = streams.pop())
          for (const event of stream)
            for (const { runner, opens } of runners)
              await runner.apply(opens ? await liveCodec.open(event) : event, 99);
      }),
    );
    const liveMs = performance.now() - liveStarted;
    const liveRate = (sample.length * 1000) / liveMs;

    const verdict = rate >= GOAL_EVENTS_PER_SECOND ? 'met' : '**missed**';
    const rows = [
      [
        'raw parallel Scan of the events table (baseline)',
        fmt(baseline.events),
        (baseline.ms / 1000).toFixed(2),
        fmt((baseline.events * 1000) / baseline.ms),
        '',
        '',
      ],
      [
        `rebuild --all (${rebuildableProjections.length} projections: scan, open, apply, switch)`,
        fmt(result.events),
        (result.scanMs / 1000).toFixed(2),
        fmt(rate),
        `≥ ${fmt(GOAL_EVENTS_PER_SECOND)} events/s`,
        verdict,
      ],
      [
        'live path for comparison: ProjectionRunner.apply per event',
        fmt(sample.length),
        (liveMs / 1000).toFixed(2),
        fmt(liveRate),
        '',
        '',
      ],
    ];
    const headers = ['what', 'events', 'seconds', 'events/s', 'goal', 'verdict'];
    const report = [
      '## Rebuild of the read models (`npm run bench:rebuild`)',
      '',
      `${fmt(history.events)} events (1 conference, its agenda, ${fmt(history.registrations)} registrations with ` +
        `their life cycles, their personal parts sealed under a data key each) in DynamoDB Local ${values['on-disk'] ? 'on disk' : 'in memory'}, ${segments} scan ` +
        `segments. Every projection is rebuilt, those that open personal data (${opening.map((projection) => projection.name).join(', ')}) ` +
        'from events opened with their data keys (unwrapped by the local key service, as KMS does in the cloud; ' +
        'the history holds no visa letter requests, so the visa letters are scanned but fold nothing). ' +
        `Rebuild rate: ${fmt(rate)} events/s, ${((rate / ((baseline.events * 1000) / baseline.ms)) * 100).toFixed(0)}% ` +
        `of the raw Scan; ${(rate / liveRate).toFixed(1)}× the live path. The rebuilt generation ` +
        `${equal ? 'equals' : '**differs from**'} the live one (${fmt(liveItems)} items compared). Deleting the old ` +
        `generation: ${(deleteMs / 1000).toFixed(1)} s. Measured after a warm-up on ${fmt(WARM_UP_EVENTS)} events ` +
        "of other tables (a fresh DynamoDB Local's JVM is slower until its JIT has compiled). Not counted: " +
        `the ${POINTER_SETTLE_MS / 1000} s wait for cached pointers that a rebuild makes when other processes use the tables.`,
      '',
      table(headers, rows),
      '',
      ...(rate >= GOAL_EVENTS_PER_SECOND
        ? []
        : [
            `Missed: the registrant list is rebuilt now too, writing its rows with their index entries (most of the ${fmt(liveItems)} ` +
              'items compared) in transactions, and the run shared a loaded machine (load average below).',
            '',
          ]),
      machineLine(),
    ].join('\n');
    say();
    say(report);
    if (!values['no-doc']) {
      await writeBenchmarkSection('rebuild', report);
      say();
      say(`Results written to ${BENCHMARKS_FILE} (section rebuild)`);
    }
    if (!equal) process.exitCode = 1;
  } finally {
    client.destroy();
    await dynamoDb.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await rm(keysDir, { recursive: true, force: true });
  }
};

await main();
