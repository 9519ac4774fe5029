import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { pipeDefinition } from '../infra/definitions/pipe.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, localClientConfig } from './aws-config.js';
import { appendDeadLetter, deadLetterFile, PIPE_DEAD_LETTER_QUEUE } from './dead-letters.js';
import type { BusEvent } from './event-bus.js';
import { matchesPattern } from './event-pattern.js';
import { consoleLogger, errorMessage, type LocalLogger } from './log.js';
import { importFunction, repoRoot } from './repo-modules.js';
import { toLambdaStreamRecord } from './stream-records.js';
import { runWithTableGrants } from './table-grants.js';
import { leanForDynamoDbLocal } from './unsigned-requests.js';

/** What the enrichment returns per event; the poller needs only its type (the bus event's detail-type). */
export interface EnrichedEnvelope {
  type: string;
}

export type Enrich = (records: DynamoDBRecord[]) => EnrichedEnvelope[] | Promise<EnrichedEnvelope[]>;

export interface StreamPollerOptions {
  /** DynamoDB Local. */
  endpoint: string;
  /** The events table (its stream must be enabled). */
  tableName: string;
  /** Where the bus events go, in stream order. */
  publish: (event: BusEvent) => unknown;
  deadLetterDir: string;
  /** Last sequence number per shard, so that a restart goes on where it stopped; in memory when unset. */
  checkpointFile?: string;
  /** Default: `toEnvelopes` of `pipeDefinition.enrichment`, imported from the repository root. */
  enrich?: Enrich;
  /**
   * Pause between passes over the shards: `busyMs` after records came, `idleMs` when none did (cut short
   * when someone waits for a pass: `caughtUp`).
   */
  intervals?: { busyMs: number; idleMs: number };
  /** First delay between enrichment attempts (doubling, at most 2 s). */
  retryBaseMs?: number;
  logger?: LocalLogger;
}

export interface StreamPoller {
  streamArn: string;
  /** Resolves after a complete pass over the stream that began after the call and found nothing new. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator?: string;
  finished: boolean;
}

interface Checkpoints {
  streamArn: string;
  shards: Record<string, string>;
}

const loadCheckpoints = async (
  file: string | undefined,
  streamArn: string,
): Promise<Record<string, string>> => {
  if (!file) return {};
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Checkpoints;
    // Another stream (the table was created anew): its sequence numbers mean nothing here.
    return stored.streamArn === streamArn ? stored.shards : {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read the stream checkpoints in ${file} (delete it to read the stream again)`, {
      cause: error,
    });
  }
};

const saveCheckpoints = async (file: string, checkpoints: Checkpoints) => {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(checkpoints, null, 2), 'utf8');
  await rename(`${file}.tmp`, file);
};

const chunk = <T>(items: T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
};

/** The bus event the pipe's target makes of an enriched envelope (detail-type from its `type`). */
export const toBusEvent = (envelope: EnrichedEnvelope): BusEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': envelope.type,
  source: pipeDefinition.source,
  account: LOCAL_ACCOUNT,
  time: new Date().toISOString(),
  region: LOCAL_REGION,
  resources: [],
  detail: envelope,
});

/**
 * The local stand-in for the EventBridge Pipe on the events table's stream: reads DynamoDB Local's
 * stream shard by shard (parents before children), keeps the records that pass the pipe's filter,
 * enriches them with the same code as the cloud and publishes one bus event per envelope, in order.
 * An enrichment that keeps failing sends its batch to the dead letters and reading goes on.
 */
export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const {
    endpoint,
    tableName,
    publish,
    deadLetterDir,
    checkpointFile,
    intervals = { busyMs: 100, idleMs: 250 },
    retryBaseMs = 200,
    logger = consoleLogger('pipe'),
  } = options;
  const dynamoDb = new DynamoDBClient(localClientConfig(endpoint));
  const streams = new DynamoDBStreamsClient(localClientConfig(endpoint));
  // Polled every 100–250 ms while the stack runs: lean, as the handlers' client (DynamoDB Local checks neither).
  leanForDynamoDbLocal(dynamoDb);
  leanForDynamoDbLocal(streams);

  const destroyClients = () => {
    dynamoDb.destroy();
    streams.destroy();
  };

  let streamArn: string;
  let checkpoints: Record<string, string>;
  try {
    const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(`Table ${tableName} has no stream: nothing to poll`);
    }
    streamArn = Table.LatestStreamArn;
    checkpoints = await loadCheckpoints(checkpointFile, streamArn);
  } catch (error) {
    destroyClients();
    throw error;
  }

  let enrich = options.enrich;
  const loadEnrich = async () => {
    enrich ??= await importFunction<Enrich>(pipeDefinition.enrichment, 'toEnvelopes', repoRoot);
    return enrich;
  };

  const abort = new AbortController();
  const stopped = () => abort.signal.aborted;
  const pause = async (ms: number, wake?: AbortSignal) => {
    try {
      await sleep(ms, undefined, { signal: wake ? AbortSignal.any([abort.signal, wake]) : abort.signal });
    } catch {
      // stopped, or woken
    }
  };
  /**
   * Ends the pause after a quiet pass when someone waits for a pass (caughtUp): the pass they wait for
   * begins now instead of up to `idleMs` later (the settling of `npm start`'s demo load waits for two).
   */
  let idlePause: AbortController | undefined;

  const shards = new Map<string, ShardState>();
  let refreshShards = true;

  const describeShards = async () => {
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      found.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of found) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        finished: false,
      });
    }
    refreshShards = false;
  };

  /** A child shard is read once its parent is read to the end (or gone), as the cloud orders them. */
  const readable = () =>
    [...shards.values()].filter((shard) => {
      if (shard.finished) return false;
      const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
      return !parent || parent.finished;
    });

  const enrichWithRetries = async (batch: DynamoDBRecord[]) => {
    const attempts = 1 + pipeDefinition.maxRetryAttempts;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts && !stopped(); attempt += 1) {
      try {
        const run = await loadEnrich();
        // Held to the enrichment's grants (none: it reads no table), as its role in the cloud.
        return await runWithTableGrants(pipeDefinition.enrichmentAccess, async () => run(batch));
      } catch (error) {
        lastError = error;
        if (attempt === 1) logger.error(`enrichment of ${batch.length} records failed; retrying`, error);
        if (attempt < attempts) await pause(Math.min(2_000, retryBaseMs * 2 ** (attempt - 1)));
      }
    }
    if (stopped()) throw new Error('stopped');
    await appendDeadLetter(deadLetterDir, {
      queue: PIPE_DEAD_LETTER_QUEUE,
      failedAt: new Date().toISOString(),
      receiveCount: attempts,
      error: errorMessage(lastError),
      body: batch,
    });
    logger.error(
      `enrichment failed ${attempts} times; ${batch.length} records moved to ` +
        deadLetterFile(deadLetterDir, PIPE_DEAD_LETTER_QUEUE),
    );
    return undefined;
  };

  /** Reads one page of a shard; returns how many records it had. */
  const readShard = async (shard: ShardState): Promise<number> => {
    if (!shard.iterator) {
      const after = checkpoints[shard.shardId];
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.shardId,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      if (!ShardIterator) {
        shard.finished = true;
        refreshShards = true;
        return 0;
      }
      shard.iterator = ShardIterator;
    }
    let page: GetRecordsCommandOutput;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        shard.iterator = undefined; // a new one from the checkpoint on the next pass
        return 0;
      }
      if (error instanceof TrimmedDataAccessException) {
        logger.warn(`shard ${shard.shardId}: records past the checkpoint were trimmed; reading what is left`);
        delete checkpoints[shard.shardId];
        shard.iterator = undefined;
        return 0;
      }
      throw error;
    }
    const records = page.Records ?? [];
    if (records.length > 0) {
      const lambdaRecords = records.map((record) => toLambdaStreamRecord(record, streamArn));
      const passing = lambdaRecords.filter((record) => matchesPattern(pipeDefinition.filterPattern, record));
      for (const batch of chunk(passing, pipeDefinition.batchSize)) {
        const envelopes = await enrichWithRetries(batch);
        for (const envelope of envelopes ?? []) publish(toBusEvent(envelope));
      }
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) {
        checkpoints[shard.shardId] = last;
        if (checkpointFile) await saveCheckpoints(checkpointFile, { streamArn, shards: checkpoints });
      }
    }
    if (!page.NextShardIterator) {
      shard.iterator = undefined;
      shard.finished = true;
      refreshShards = true;
    } else if (records.length === 0 && !checkpoints[shard.shardId]) {
      // Nothing read from this shard yet: ask for TRIM_HORIZON again on the next pass rather than follow
      // the iterator of an empty page. DynamoDB Local numbers stream records with one counter for the whole
      // database, so the shard's first record lies past where that iterator points whenever anything else
      // was written meanwhile (another table, a read model), and GetRecords would call the gap trimmed data.
      shard.iterator = undefined;
    } else shard.iterator = page.NextShardIterator;
    return records.length;
  };

  let passesStarted = 0;
  let waiters: Array<{ afterPass: number; resolve: () => void; reject: (error: Error) => void }> = [];
  let lastLoggedError = '';

  const onPassDone = (pass: number, quiet: boolean) => {
    if (!quiet) return;
    const done = waiters.filter((waiter) => waiter.afterPass <= pass);
    waiters = waiters.filter((waiter) => waiter.afterPass > pass);
    for (const waiter of done) waiter.resolve();
  };

  const run = async () => {
    let idlePasses = 0;
    while (!stopped()) {
      const pass = ++passesStarted;
      let received = 0;
      try {
        // New shards appear as DynamoDB rolls them over: look for them now and then, and when one ends.
        if (refreshShards || idlePasses % 20 === 19) await describeShards();
        for (const shard of readable()) {
          if (stopped()) break;
          received += await readShard(shard);
        }
        lastLoggedError = '';
        if (!stopped()) onPassDone(pass, received === 0 && !refreshShards);
      } catch (error) {
        if (stopped()) break;
        const message = errorMessage(error);
        if (message !== lastLoggedError) logger.error('reading the stream failed; trying again', error);
        lastLoggedError = message;
        if (error instanceof ResourceNotFoundException) refreshShards = true;
        received = 0;
        await pause(1_000);
      }
      idlePasses = received > 0 ? 0 : idlePasses + 1;
      if (received > 0) await pause(intervals.busyMs);
      else if (waiters.length === 0) {
        idlePause = new AbortController();
        await pause(intervals.idleMs, idlePause.signal);
        idlePause = undefined;
      }
    }
  };

  const running = run();

  let stopping: Promise<void> | undefined;
  return {
    streamArn,
    caughtUp() {
      if (stopped()) return Promise.reject(new Error('The stream poller is stopped'));
      const caught = new Promise<void>((resolve, reject) =>
        waiters.push({ afterPass: passesStarted + 1, resolve, reject }),
      );
      idlePause?.abort();
      return caught;
    },
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await running;
        destroyClients();
        for (const waiter of waiters) waiter.reject(new Error('The stream poller is stopped'));
        waiters = [];
      })();
      return stopping;
    },
  };
};
