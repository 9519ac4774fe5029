import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type EventEnvelope, parseEnvelope } from '../../../domain/events.js';
import { personalReadModelsTable, readModelTableOf } from '../../../infra/definitions/tables.js';
import { EventStore } from '../event-store/event-store.js';
import { parallelScan } from '../event-store/parallel-scan.js';
import { type EventCodec, personalDataCodec } from '../personal-data/codec.js';
import { DataKeys } from '../personal-data/data-keys.js';
import { keyService } from '../personal-data/key-service.js';
import { retrying } from '../resilience/policy.js';
import { ProjectionRunner, type RunsOutcome, type StreamProjection } from './projection-runner.js';
import { projections } from './projections.js';
import { POINTER_TTL_MS, pointerKey } from './read-models.js';

/**
 * Rebuilding read models from the event store into a new generation, without downtime (GUIDE: "read
 * models are rebuildable at any time"). Plain functions over a DynamoDB client and the table names, so
 * that the local CLI (local/ops/rebuild.ts), the benchmark and a Lambda function can all run it.
 *
 * 1. The pointer of each projection gets `building: g`, g one past every generation used so far, in a
 *    conditional write (two rebuilds cannot both take it). Live projectors write to active and building
 *    from then on (liveGenerations in read-models.ts), once their cached pointer expires: so we wait.
 * 2. A parallel Scan of the events table feeds every event to the projection runner for generation g,
 *    stream by stream in version order. The rows' checkpoints make the overlap with live deliveries exact:
 *    whichever comes second skips what the other applied.
 * 3. The pointer switches to `active: g` (conditional on `building` still being g). Queries read the
 *    active generation only, so a half-built one is never served.
 * 4. After the cached pointers have expired again, older generations are deleted (optional).
 */

// biome-ignore lint/suspicious/noExplicitAny: projections of every row type are rebuilt alike.
export type AnyProjection = StreamProjection<any>;

/** Every projection that `rebuild --all` rebuilds. */
export const rebuildableProjections: readonly AnyProjection[] = projections;

export const projectionNamed = (name: string): AnyProjection | undefined =>
  rebuildableProjections.find((projection) => projection.name === name);

/** How long to wait after a pointer change so that no running function still uses the pointer before. */
export const POINTER_SETTLE_MS = POINTER_TTL_MS + 1_000;

/** The pointer item as stored (read-models.ts reads `active` and `building` of it). */
export interface StoredPointer {
  exists: boolean;
  active: number;
  building?: number;
  /** Since when `building` is being built. */
  buildingSince?: string;
  /** The highest generation ever begun: a new one is always above it, so leftovers are never reused. */
  lastGeneration?: number;
}

/** Another rebuild changed the pointer between our read and our write. */
export class PointerChangedError extends Error {}

/** A generation is being built (or a rebuild was interrupted); `force` takes over from it. */
export class RebuildInProgressError extends Error {}

const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export const readPointer = async (
  client: DynamoDBClient,
  readModelsTable: string,
  projection: string,
): Promise<StoredPointer> => {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: readModelsTable,
      Key: marshall(pointerKey(projection)),
      ConsistentRead: true,
    }),
  );
  const stored = Item ? unmarshall(Item) : undefined;
  return {
    exists: stored !== undefined,
    active: number(stored?.active) ?? 1,
    building: number(stored?.building),
    buildingSince: typeof stored?.buildingSince === 'string' ? stored.buildingSince : undefined,
    lastGeneration: number(stored?.lastGeneration),
  };
};

/** Sets `building` to a new generation; returns it with the active one. */
export const beginGeneration = async (
  client: DynamoDBClient,
  readModelsTable: string,
  projection: string,
  { force = false, now = new Date() }: { force?: boolean; now?: Date } = {},
): Promise<{ previous: number; generation: number; supersedes?: number }> => {
  const pointer = await readPointer(client, readModelsTable, projection);
  if (pointer.building !== undefined && !force) {
    throw new RebuildInProgressError(
      `${projection}: generation ${pointer.building} is being built since ${pointer.buildingSince ?? 'an unknown time'} ` +
        '(another rebuild is running, or one was interrupted). Run again with --force to take over from it.',
    );
  }
  const generation = Math.max(pointer.active, pointer.building ?? 0, pointer.lastGeneration ?? 0) + 1;
  const values: Record<string, unknown> = {
    ':active': pointer.active,
    ':g': generation,
    ':since': now.toISOString(),
  };
  let condition = 'attribute_not_exists(pk)';
  if (pointer.exists) {
    condition = 'active = :active AND ';
    if (pointer.building === undefined) condition += 'attribute_not_exists(building)';
    else {
      condition += 'building = :building';
      values[':building'] = pointer.building;
    }
  }
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: readModelsTable,
        Key: marshall(pointerKey(projection)),
        UpdateExpression:
          'SET active = if_not_exists(active, :active), building = :g, buildingSince = :since, lastGeneration = :g',
        ConditionExpression: condition,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new PointerChangedError(
        `${projection}: the pointer changed meanwhile (another rebuild?); try again`,
      );
    throw error;
  }
  return { previous: pointer.active, generation, supersedes: pointer.building };
};

/** Makes `generation` the active one, if it is still the one being built. */
export const switchGeneration = async (
  client: DynamoDBClient,
  readModelsTable: string,
  projection: string,
  generation: number,
): Promise<void> => {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: readModelsTable,
        Key: marshall(pointerKey(projection)),
        UpdateExpression: 'SET active = :g REMOVE building, buildingSince',
        ConditionExpression: 'building = :g',
        ExpressionAttributeValues: marshall({ ':g': generation }),
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new PointerChangedError(
        `${projection}: generation ${generation} is no longer the one being built (another rebuild took over); not switched`,
      );
    throw error;
  }
};

/** Live projectors stop feeding `generation` (after their cached pointers expire); false if not ours. */
export const abandonGeneration = async (
  client: DynamoDBClient,
  readModelsTable: string,
  projection: string,
  generation: number,
): Promise<boolean> => {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: readModelsTable,
        Key: marshall(pointerKey(projection)),
        UpdateExpression: 'REMOVE building, buildingSince',
        ConditionExpression: 'building = :g',
        ExpressionAttributeValues: marshall({ ':g': generation }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Streams opened at once by each scan segment's page (each asks for its data key once). */
const OPEN_CONCURRENCY = 16;

/**
 * Opens each run's events, its events one after another (the first asks for the stream's data key, the
 * rest find it cached) and at most OPEN_CONCURRENCY runs at a time: a page of thousands of events opened
 * all at once asked for the same data key once per event, and bench:rebuild saw over 3,000 requests
 * queued on the client's sockets, beside the projections' own writes.
 */
const openRuns = async (codec: EventCodec, runs: EventEnvelope[][]): Promise<EventEnvelope[][]> => {
  const opened: EventEnvelope[][] = new Array(runs.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < runs.length; index = next++) {
      const run: EventEnvelope[] = [];
      for (const event of runs[index] ?? []) run.push(await codec.open(event));
      opened[index] = run;
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, runs.length) }, worker));
  return opened;
};

export interface RebuildTables {
  events: string;
  readModels: string;
  /**
   * The read models of plaintext personal data (infra/definitions/tables.ts, `plaintextProjections`): where
   * those projections are rebuilt. Required to rebuild one of them.
   */
  personalReadModels?: string;
  /** The data keys of personal data: the projections that read it are rebuilt from events opened with them. */
  dataKeys?: string;
}

export interface RebuildProgress {
  /** Items of the events table read so far: events and the other kinds (guards, idempotency records). */
  scannedItems: number;
  /** Events among them, each fed to every projection rebuilt. */
  events: number;
  elapsedMs: number;
}

export interface GenerationChange {
  projection: string;
  previous: number;
  generation: number;
}

export interface RebuildOptions {
  client: DynamoDBClient;
  tables: RebuildTables;
  projections: readonly AnyProjection[];
  /**
   * The personal-data codec that opens events (`open: true`), for the projections that read personal
   * data (`opensPersonalData`). Default: one on `tables.dataKeys` with the key service of this process
   * (the one supplied, e.g. the local master key; else KMS by PERSONAL_DATA_KEY_ID). Without either,
   * rebuilding such a projection is refused.
   */
  codec?: EventCodec;
  /** Parallel Scan segments. Default 4. */
  segments?: number;
  /** Items per Scan page (Limit); default: DynamoDB's 1 MB pages. */
  pageSize?: number;
  /** Wait after setting `building`, for running functions' cached pointers. Default POINTER_SETTLE_MS. */
  pointerSettleMs?: number;
  /** Take over from a generation being built (another rebuild's or an interrupted one). */
  force?: boolean;
  signal?: AbortSignal;
  /** One line per step. */
  log?: (line: string) => void;
  /** After every page of the scan is applied. */
  onProgress?: (progress: RebuildProgress) => void;
  /** For tests: after each page of the scan is applied (the scan of that segment waits for it). */
  afterPage?: (progress: RebuildProgress) => Promise<void> | void;
  /** For tests: when every event is applied, right before the pointers switch. */
  beforeSwitch?: (changes: readonly GenerationChange[]) => Promise<void> | void;
}

export interface RebuildResult {
  changes: GenerationChange[];
  scannedItems: number;
  events: number;
  /** Per projection: events applied, skipped as applied already (by live delivery), not handled. */
  outcomes: Record<string, RunsOutcome>;
  /** From the start of the scan to the last event applied. */
  scanMs: number;
  /** Everything, waits included. */
  totalMs: number;
}

/** The table a projection's generations and pointer are in, of `tables`. */
export const rebuildTableOf = (
  tables: Pick<RebuildTables, 'readModels' | 'personalReadModels'>,
  projection: string,
): string => {
  if (readModelTableOf(projection) !== personalReadModelsTable) return tables.readModels;
  if (!tables.personalReadModels)
    throw new Error(`${projection} holds personal data in plaintext: give the personal read models table`);
  return tables.personalReadModels;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The approximate number of items in a table (DynamoDB updates it about every six hours). */
export const approximateItemCount = async (client: DynamoDBClient, tableName: string): Promise<number> => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.ItemCount ?? 0;
};

/** Orders a stream's events by version, once each (a scan yields them in order; this makes sure). */
const inVersionOrder = (events: EventEnvelope[]): EventEnvelope[] => {
  events.sort((a, b) => a.version - b.version);
  return events.filter((event, index) => index === 0 || event.version !== events[index - 1]?.version);
};

/**
 * Rebuilds `projections` into a new generation each and switches to it; see the top of this module.
 * On a failure or an abort, the new generations are abandoned (never served) and the error is thrown.
 */
export const rebuild = async (options: RebuildOptions): Promise<RebuildResult> => {
  const {
    client,
    tables,
    projections,
    segments = 4,
    pointerSettleMs = POINTER_SETTLE_MS,
    signal,
    log = () => {},
  } = options;
  if (projections.length === 0) throw new Error('Nothing to rebuild: no projection given');
  const started = performance.now();
  const store = new EventStore({ client, tableName: tables.events });
  const opening = projections.filter((projection) => projection.opensPersonalData);
  const codec =
    options.codec ??
    (opening.length > 0 && tables.dataKeys
      ? personalDataCodec({
          dataKeys: new DataKeys({ client, tableName: tables.dataKeys, keyService: () => keyService() }),
          open: true,
          // The registrant list keeps sensitive answers apart and the answers-summary counts them (5.2).
          openSensitive: true,
        })
      : undefined);
  if (opening.length > 0 && !codec)
    throw new Error(
      `Rebuilding ${opening.map((projection) => projection.name).join(', ')} needs personal data opened: give a codec, or the data keys table`,
    );
  const openedStore = codec ? new EventStore({ client, tableName: tables.events, codec }) : store;
  const targets: Array<
    GenerationChange & { runner: ProjectionRunner<unknown>; opens: boolean; table: string }
  > = [];
  // Every table is known before anything begins: a missing one fails the rebuild before any pointer moves.
  for (const projection of projections) rebuildTableOf(tables, projection.name);

  try {
    for (const projection of projections) {
      const table = rebuildTableOf(tables, projection.name);
      const begun = await beginGeneration(client, table, projection.name, {
        force: options.force,
      });
      targets.push({
        projection: projection.name,
        previous: begun.previous,
        generation: begun.generation,
        table,
        runner: new ProjectionRunner(projection, {
          client,
          tableName: table,
          store: projection.opensPersonalData ? openedStore : store,
        }),
        opens: projection.opensPersonalData === true,
      });
      log(
        `${projection.name}: building generation ${begun.generation} (generation ${begun.previous} serves meanwhile` +
          `${begun.supersedes === undefined ? '' : `; takes over from generation ${begun.supersedes}`})`,
      );
    }
    if (pointerSettleMs > 0) {
      log(
        `Waiting ${(pointerSettleMs / 1000).toFixed(0)} s: running functions cache the pointer for ` +
          `${POINTER_TTL_MS / 1000} s, then feed the new generation too`,
      );
      await sleep(pointerSettleMs, signal);
    }

    const outcomes: Record<string, RunsOutcome> = Object.fromEntries(
      targets.map((target) => [target.projection, { applied: 0, duplicate: 0, ignored: 0 }]),
    );
    const progress: RebuildProgress = { scannedItems: 0, events: 0, elapsedMs: 0 };
    const scanStarted = performance.now();

    const apply = async (runs: EventEnvelope[][]) => {
      if (runs.length === 0) return;
      const openedRuns = codec && targets.some((target) => target.opens) ? await openRuns(codec, runs) : runs;
      const results = await Promise.all(
        targets.map((target) => target.runner.applyRuns(target.opens ? openedRuns : runs, target.generation)),
      );
      results.forEach((result, index) => {
        const sum = outcomes[targets[index]?.projection ?? ''];
        if (!sum) return;
        sum.applied += result.applied;
        sum.duplicate += result.duplicate;
        sum.ignored += result.ignored;
      });
    };

    // Aborted by the caller's signal, or when a segment fails: the others stop at their next page.
    const failed = new AbortController();
    const stopSignal = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;

    const scanPage = (segment: number, startKey: ScanCommandOutput['LastEvaluatedKey']) =>
      client.send(
        new ScanCommand({
          TableName: tables.events,
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: '#kind = :event',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: marshall({ ':event': 'event' }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(options.pageSize ? { Limit: options.pageSize } : {}),
        }),
        { abortSignal: stopSignal },
      );

    const scanSegment = async (segment: number) => {
      // Events of one stream share a partition key, so they come in one segment, in version order. The
      // stream last seen may go on in the next page: it waits for it.
      let open = new Map<string, EventEnvelope[]>();
      let next: Promise<ScanCommandOutput> | undefined = scanPage(segment, undefined);
      while (next) {
        const page: ScanCommandOutput = await next;
        next = page.LastEvaluatedKey ? scanPage(segment, page.LastEvaluatedKey) : undefined;
        next?.catch(() => {}); // read ahead; if this segment stops first, its failure does not matter
        let last: string | undefined;
        for (const item of page.Items ?? []) {
          const event = parseEnvelope(unmarshall(item));
          const run = open.get(event.streamId);
          if (run) run.push(event);
          else open.set(event.streamId, [event]);
          last = event.streamId;
        }
        const carried = next && last !== undefined ? open.get(last) : undefined;
        if (carried && last !== undefined) open.delete(last);
        await apply([...open.values()].map(inVersionOrder));
        open = new Map(carried && last !== undefined ? [[last, carried]] : []);
        progress.scannedItems += page.ScannedCount ?? 0;
        progress.events += page.Count ?? 0;
        progress.elapsedMs = performance.now() - scanStarted;
        options.onProgress?.({ ...progress });
        await options.afterPage?.({ ...progress });
        stopSignal.throwIfAborted();
      }
    };

    log(`Scanning ${tables.events} in ${segments} parallel segments`);
    const scans = await Promise.allSettled(
      Array.from({ length: segments }, (_, segment) =>
        scanSegment(segment).catch((error: unknown) => {
          failed.abort(error); // the other segments stop at their next page
          throw error;
        }),
      ),
    );
    const failure = scans.find((scan) => scan.status === 'rejected');
    if (failure) throw failure.reason;
    const scanMs = performance.now() - scanStarted;

    const changes = targets.map(({ projection, previous, generation }) => ({
      projection,
      previous,
      generation,
    }));
    await options.beforeSwitch?.(changes);
    signal?.throwIfAborted();
    for (const target of targets) {
      await switchGeneration(client, target.table, target.projection, target.generation);
      log(`${target.projection}: generation ${target.generation} is active (was ${target.previous})`);
    }
    targets.length = 0; // switched: nothing to abandon from here on
    return {
      changes,
      scannedItems: progress.scannedItems,
      events: progress.events,
      outcomes,
      scanMs,
      totalMs: performance.now() - started,
    };
  } catch (error) {
    for (const target of targets) {
      try {
        if (await abandonGeneration(client, target.table, target.projection, target.generation))
          log(
            `${target.projection}: generation ${target.generation} abandoned; generation ${target.previous} ` +
              'stays active. Its partial items are never served; the next successful rebuild deletes them.',
          );
      } catch (abandonError) {
        log(
          `${target.projection}: could not abandon generation ${target.generation}: ${String(abandonError)}`,
        );
      }
    }
    throw signal?.aborted ? signal.reason : error;
  }
};

export interface DeleteOldOptions {
  client: DynamoDBClient;
  readModelsTable: string;
  /** Where the generations of the projections of plaintext personal data are (rebuildTableOf). */
  personalReadModelsTable?: string;
  /** The generations now active: every older one of the same projection is deleted. */
  changes: readonly GenerationChange[];
  /** Wait first, for running functions' cached pointers to let go of the old generation. */
  pointerSettleMs?: number;
  segments?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (progress: { scannedItems: number; deleted: number }) => void;
}

const generationOf = /^(.+?)#g(\d+)#/;

class ItemsUnprocessed extends Error {}

/**
 * Deletes the items of every generation older than the active one of each projection: the previous
 * active one and whatever an interrupted rebuild left behind. Returns how many items were deleted.
 */
export const deleteOldGenerations = async (options: DeleteOldOptions): Promise<number> => {
  const { changes, signal, log = () => {} } = options;
  if (changes.length === 0) return 0;
  const byTable = new Map<string, GenerationChange[]>();
  for (const change of changes) {
    const table = rebuildTableOf(
      {
        readModels: options.readModelsTable,
        ...(options.personalReadModelsTable ? { personalReadModels: options.personalReadModelsTable } : {}),
      },
      change.projection,
    );
    byTable.set(table, [...(byTable.get(table) ?? []), change]);
  }
  const pointerSettleMs = options.pointerSettleMs ?? POINTER_SETTLE_MS;
  if (pointerSettleMs > 0) {
    log(
      `Waiting ${(pointerSettleMs / 1000).toFixed(0)} s before deleting: running functions cache the pointer`,
    );
    await sleep(pointerSettleMs, signal);
  }
  let deleted = 0;
  for (const [table, inTable] of byTable)
    deleted += await deleteOldGenerationsIn({ ...options, readModelsTable: table, changes: inTable });
  return deleted;
};

/** deleteOldGenerations in one table, after the wait. */
const deleteOldGenerationsIn = async (options: DeleteOldOptions): Promise<number> => {
  const { client, readModelsTable, changes, segments = 4, signal } = options;
  const keep = new Map(changes.map((change) => [change.projection, change.generation]));
  if (keep.size === 0) return 0;
  const names = [...keep.keys()];
  const progress = { scannedItems: 0, deleted: 0 };

  const deleteBatch = async (keys: Record<string, AttributeValue>[]) => {
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    await retrying(
      {
        exhausted: 'Deleting old generations: DynamoDB kept items unprocessed',
        attempts: 8,
        retryOn: (error) => error instanceof ItemsUnprocessed,
      },
      async (_attempt, budgetSignal) => {
        const result: BatchWriteItemCommandOutput = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [readModelsTable]: requests } }),
          { abortSignal: signal ? AbortSignal.any([signal, budgetSignal]) : budgetSignal },
        );
        const unprocessed = result.UnprocessedItems?.[readModelsTable] ?? [];
        progress.deleted += requests.length - unprocessed.length;
        requests = unprocessed.flatMap((request) =>
          request.DeleteRequest?.Key ? [{ DeleteRequest: { Key: request.DeleteRequest.Key } }] : [],
        );
        if (requests.length > 0) throw new ItemsUnprocessed();
      },
    );
  };

  const deleteKeys = async (keys: Record<string, AttributeValue>[]) => {
    const batches: Record<string, AttributeValue>[][] = [];
    for (let start = 0; start < keys.length; start += 25) batches.push(keys.slice(start, start + 25));
    let next = 0;
    const worker = async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) await deleteBatch(batch);
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  };

  await parallelScan(
    client,
    {
      TableName: readModelsTable,
      ProjectionExpression: 'pk, sk',
      FilterExpression: names.map((_, index) => `begins_with(pk, :p${index})`).join(' OR '),
      ExpressionAttributeValues: marshall(
        Object.fromEntries(names.map((name, index) => [`:p${index}`, `${name}#g`])),
      ),
    },
    segments,
    async (page) => {
      const old = (page.Items ?? []).filter((item) => {
        const match = generationOf.exec(item.pk?.S ?? '');
        const active = match?.[1] === undefined ? undefined : keep.get(match[1]);
        return active !== undefined && Number(match?.[2]) < active;
      });
      await deleteKeys(old.map((item) => ({ pk: item.pk as AttributeValue, sk: item.sk as AttributeValue })));
      progress.scannedItems += page.ScannedCount ?? 0;
      options.onProgress?.({ ...progress });
    },
    signal,
  );
  return progress.deleted;
};
