import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { EventEnvelope } from '../../../domain/events.js';
import type { SummaryChange } from '../../../domain/projections/delegate-counts.js';
import { batchGetAll } from '../event-store/batch-get.js';
import type { EventStore } from '../event-store/event-store.js';
import { retrying } from '../resilience/policy.js';
import { lookupItemKey, readModelPartition, rowKey, SUMMARY } from './read-models.js';

/**
 * A projection as pure functions: each stream of a conference has a row (its state plus the version
 * applied, the checkpoint); a row change may add to the conference's summary item.
 */
export interface StreamProjection<Row> {
  name: string;
  handles: readonly string[];
  evolveRow(row: Row | undefined, event: EventEnvelope): Row | undefined;
  summaryChange?(before: Row | undefined, after: Row | undefined): SummaryChange;
  /** Keep `asOf` on the summary: the time of the newest event applied. */
  tracksAsOf?: boolean;
  /**
   * Keys, unique across conferences, by which a row is read without knowing its conference: each is an
   * item holding a copy of the row (readModelLookup), written and deleted in the row's transaction.
   */
  lookupsOf?(row: Row | undefined): string[];
  /**
   * Items kept beside a stream's row and derived from its state alone (e.g. index entries of a list):
   * on every change of the row, the items of the state before that are not among those after are
   * deleted and the new or changed ones put, in the row's own transaction, so they are exactly as exact.
   */
  sideItems?(pk: string, row: Row | undefined): SideItem[];
  /** Its events must be read with their personal part opened (rebuilds open them with a codec). */
  opensPersonalData?: boolean;
}

/** An item beside a row: its key and attributes. */
export type SideItem = { pk: string; sk: string } & Record<string, unknown>;

export interface ProjectionRunnerOptions {
  client: DynamoDBClient;
  tableName: string;
  store: EventStore;
  maxAttempts?: number;
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored';

/** How many events of a call to applyRuns were applied, skipped as already applied, or not handled. */
export interface RunsOutcome {
  applied: number;
  duplicate: number;
  ignored: number;
}

/**
 * Applies events to a projection exactly once per stream and in version order, whatever the delivery:
 * an event at or before the row's checkpoint is skipped; one past a gap makes the runner read the missing
 * events from the event store first. The row (with its checkpoint) and the summary change are written in
 * one transaction, conditioned on the checkpoint read, so concurrent deliveries cannot both apply.
 */
export class ProjectionRunner<Row> {
  constructor(
    private readonly projection: StreamProjection<Row>,
    private readonly options: ProjectionRunnerOptions,
  ) {}

  async apply(event: EventEnvelope, generation: number): Promise<ApplyOutcome> {
    if (!this.projection.handles.includes(event.type)) return 'ignored';
    const pk = readModelPartition(this.projection.name, generation, event.conferenceId);
    const sk = rowKey(event.streamId);
    return retrying(this.concurrentUpdates(), async () => {
      const { row: stored, asOf } = await this.readRow(pk, sk);
      const checkpoint = typeof stored?.version === 'number' ? stored.version : 0;
      if (event.version <= checkpoint) {
        // Applying the event set asOf in the same transaction, so asOf is normally at or past it already;
        // the update is only for a summary left behind (one written before asOf was part of it).
        if (this.projection.tracksAsOf && !(asOf !== undefined && asOf >= event.occurredAt))
          await this.advanceAsOf(pk, event.occurredAt);
        return 'duplicate';
      }
      const events =
        event.version === checkpoint + 1
          ? [event]
          : await this.options.store.load(event.streamId, {
              afterVersion: checkpoint,
              toVersion: event.version,
            });
      if (events.length !== event.version - checkpoint)
        throw new Error(`Event store has not yet got ${event.streamId} up to version ${event.version}`);
      const before = stored?.state as Row | undefined;
      const after = events.reduce(this.projection.evolveRow, before);
      const newest =
        events
          .map((e) => e.occurredAt)
          .sort()
          .at(-1) ?? event.occurredAt;
      // asOf only grows: when the summary read is already at or past the newest event, it is left alone.
      const advanceTo =
        this.projection.tracksAsOf && !(asOf !== undefined && asOf >= newest) ? newest : undefined;
      if (await this.write(generation, pk, sk, checkpoint, event.version, before, after, advanceTo))
        return 'applied';
      throw new RowMoved();
    });
  }

  /**
   * Closes a stream's row for good: its state gone (with its lookups), its checkpoint at the stream's
   * last version, so that no event of it up to there is applied again, however late it is delivered.
   * For a stream whose personal data was erased by an event of another stream (a registration's visa
   * letter): an event opened just before the erasure cannot bring it back. Nothing to do for an empty stream.
   */
  async close(streamId: string, conferenceId: string, generation: number): Promise<'closed' | 'empty'> {
    const last = (await this.options.store.load(streamId)).at(-1)?.version ?? 0;
    if (last === 0) return 'empty';
    const pk = readModelPartition(this.projection.name, generation, conferenceId);
    const sk = rowKey(streamId);
    await retrying(this.concurrentUpdates(), async () => {
      const { row: stored } = await this.readRow(pk, sk);
      const checkpoint = typeof stored?.version === 'number' ? stored.version : 0;
      const before = (stored?.state ?? undefined) as Row | undefined;
      if (checkpoint >= last && before === undefined) return;
      if (await this.write(generation, pk, sk, checkpoint, Math.max(checkpoint, last), before, undefined))
        return;
      throw new RowMoved();
    });
    return 'closed';
  }

  /** The puts and deletes of lookup items that take a row from `before` to `after`. */
  private lookupWrites(
    generation: number,
    row: { pk: string; sk: string },
    before: Row | undefined,
    after: Row | undefined,
  ): TransactWriteItem[] {
    const lookupsOf = this.projection.lookupsOf;
    if (!lookupsOf) return [];
    const TableName = this.options.tableName;
    const kept = new Set(lookupsOf(after));
    const name = this.projection.name;
    return [
      ...lookupsOf(before)
        .filter((key) => !kept.has(key))
        .map((key) => ({ Delete: { TableName, Key: marshall(lookupItemKey(name, generation, key)) } })),
      ...[...kept].map((key) => ({
        Put: {
          TableName,
          Item: marshall(
            {
              ...lookupItemKey(name, generation, key),
              row: { pk: row.pk, sk: row.sk },
              state: after ?? null,
            },
            { removeUndefinedValues: true },
          ),
        },
      })),
    ];
  }

  /** Another delivery wrote the row first: read it again, within the retry budget. */
  private concurrentUpdates() {
    return {
      exhausted: `Projection ${this.projection.name}: too many concurrent updates`,
      attempts: this.options.maxAttempts ?? 8,
      retryOn: (error: unknown) => error instanceof RowMoved,
    };
  }

  /**
   * The stream's row, read consistently; for a projection that tracks `asOf`, with the summary's `asOf`
   * in the same request (one BatchGetItem), so that a write leaves asOf out when it is already newer.
   */
  private async readRow(
    pk: string,
    sk: string,
  ): Promise<{ row: Record<string, unknown> | undefined; asOf: string | undefined }> {
    const TableName = this.options.tableName;
    if (!this.projection.tracksAsOf) {
      const { Item } = await this.options.client.send(
        new GetItemCommand({ TableName, Key: marshall({ pk, sk }), ConsistentRead: true }),
      );
      return { row: Item ? unmarshall(Item) : undefined, asOf: undefined };
    }
    let row: Record<string, unknown> | undefined;
    let asOf: string | undefined;
    const found = await batchGetAll(
      this.options.client,
      TableName,
      [marshall({ pk, sk }), marshall({ pk, sk: SUMMARY })],
      `Projection ${this.projection.name}: reading a row`,
      {
        ProjectionExpression: '#pk, #sk, #version, #state, #asOf',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#sk': 'sk',
          '#version': 'version',
          '#state': 'state',
          '#asOf': 'asOf',
        },
      },
    );
    for (const item of found) {
      if (item.sk === SUMMARY) asOf = typeof item.asOf === 'string' ? item.asOf : undefined;
      else row = item;
    }
    return { row, asOf };
  }

  /**
   * Applies a batch of delivered events (an SQS batch: any streams, any order, a duplicate possible) with
   * the outcome of apply() for each, in far fewer requests: per stream its events in version order make one
   * run of applyRuns, so a batch of new registrations is one transaction (or a few, for a projection with
   * side items) instead of a read and a transaction per event. Streams are independent rows, so their order
   * within the batch does not matter; within a stream the version order and the gap filling of apply() hold.
   */
  async applyBatch(events: readonly EventEnvelope[], generation: number): Promise<RunsOutcome> {
    const streams = new Map<string, Map<number, EventEnvelope>>();
    const twice = { duplicate: 0, ignored: 0 };
    for (const event of events) {
      const stream = streams.get(event.streamId) ?? new Map<number, EventEnvelope>();
      if (stream.has(event.version))
        twice[this.projection.handles.includes(event.type) ? 'duplicate' : 'ignored'] += 1;
      stream.set(event.version, event);
      streams.set(event.streamId, stream);
    }
    const runs = [...streams.values()].map((stream) =>
      [...stream.values()].sort((a, b) => a.version - b.version),
    );
    // A run with a hole between its events (an event of its stream not delivered in this batch) is not
    // consecutive: applyRuns sends it through apply(), which reads the missing events from the event store.
    const outcome = await this.applyRuns(runs, generation);
    // An event delivered twice in the one batch is applied once: the other delivery is a duplicate.
    return {
      applied: outcome.applied,
      duplicate: outcome.duplicate + twice.duplicate,
      ignored: outcome.ignored + twice.ignored,
    };
  }

  /**
   * Applies runs of consecutive events, each run of one stream in version order (as a scan of the event
   * store yields them), with the outcome of apply() for every event but in far fewer requests, for
   * rebuilds: the rows are read in batches (or taken to be absent for a run that begins its stream,
   * checked by the write), and each transaction writes up to 99 rows with the sum of
   * their summary changes, every row conditioned on the checkpoint read, so live deliveries to the same
   * generation at the same time stay exact (a row that moved meanwhile is read again and retried). A run
   * that does not continue its row (it starts past checkpoint + 1) goes through apply(), which reads the
   * missing events from the event store.
   */
  async applyRuns(runs: ReadonlyArray<readonly EventEnvelope[]>, generation: number): Promise<RunsOutcome> {
    const outcome: RunsOutcome = { applied: 0, duplicate: 0, ignored: 0 };
    let todo: RunToApply[] = [];
    const asOf = new Map<string, string>();
    for (const run of runs) {
      const handled = run.filter((event) => this.projection.handles.includes(event.type));
      outcome.ignored += run.length - handled.length;
      const last = handled.at(-1);
      if (!last) continue;
      const pk = readModelPartition(this.projection.name, generation, last.conferenceId);
      // Unhandled events in between leave the row as it is, as they do when apply() fills a gap.
      todo.push({
        pk,
        sk: rowKey(last.streamId),
        events: run.slice(0, run.indexOf(last) + 1),
        handled,
        last,
      });
      if (this.projection.tracksAsOf) {
        const newest =
          handled
            .map((event) => event.occurredAt)
            .sort()
            .at(-1) ?? '';
        if (newest > (asOf.get(pk) ?? '')) asOf.set(pk, newest);
      }
    }
    // The asOf each summary was given in a transaction of this call (with the rows it counts).
    const written = new Map<string, string>();
    let attempt = 0;
    if (todo.length > 0)
      await retrying(this.concurrentUpdates(), async () => {
        attempt++;
        // At first a run that begins its stream is taken to have no row yet, the usual case in a new
        // generation: its put is conditioned on that, and if a row was there after all, it is read next time.
        const stored = await this.readRows(
          attempt === 1 ? todo.filter((run) => run.events[0]?.version !== 1) : todo,
        );
        const writes: RowWrite<Row>[] = [];
        const behind: RunToApply[] = [];
        for (const run of todo) {
          const row = stored.get(`${run.pk}\u0000${run.sk}`);
          const checkpoint = typeof row?.version === 'number' ? row.version : 0;
          const fresh = run.events.filter((event) => event.version > checkpoint);
          const applying = run.handled.filter((event) => event.version > checkpoint).length;
          if (applying === 0) {
            outcome.duplicate += run.handled.length;
            continue;
          }
          if (!isContinuation(fresh, checkpoint)) {
            behind.push(run);
            continue;
          }
          const before = row?.state as Row | undefined;
          const after = fresh.reduce(this.projection.evolveRow, before);
          const sideWrites = this.sideWrites(run.pk, before, after);
          writes.push({ run, checkpoint, before, after, applying, sideWrites });
        }
        for (const run of behind) {
          const applied = await this.apply(run.last, generation);
          if (applied === 'applied') outcome.applied += run.handled.length;
          else outcome.duplicate += run.handled.length;
        }
        todo = [];
        for (const chunk of transactionChunks(writes, (write) => this.lookupCount(write))) {
          const chunkAsOf = this.projection.tracksAsOf ? newestApplied(chunk) : new Map<string, string>();
          const asOfWritten = await this.writeRows(chunk, generation, chunkAsOf);
          if (asOfWritten) {
            for (const [pk, occurredAt] of asOfWritten)
              if (occurredAt > (written.get(pk) ?? '')) written.set(pk, occurredAt);
            for (const write of chunk) {
              outcome.applied += write.applying;
              outcome.duplicate += write.run.handled.length - write.applying;
            }
          } else {
            todo.push(...chunk.map((write) => write.run)); // a row moved meanwhile: read them again
          }
        }
        if (todo.length > 0) throw new RowMoved();
      });
    // Left for an update of its own: a summary whose newest event was a duplicate here (as apply() does
    // for a summary left behind), or whose asOf a transaction left out because it was already newer.
    for (const [pk, occurredAt] of asOf)
      if ((written.get(pk) ?? '') < occurredAt) await this.advanceAsOf(pk, occurredAt);
    return outcome;
  }

  /** The stored rows of the runs, by `pk NUL sk`, read consistently in batches of 100. */
  private async readRows(runs: readonly RunToApply[]): Promise<Map<string, Record<string, unknown>>> {
    const rows = new Map<string, Record<string, unknown>>();
    const TableName = this.options.tableName;
    const found = await batchGetAll(
      this.options.client,
      TableName,
      runs.map((run) => marshall({ pk: run.pk, sk: run.sk })),
      `Projection ${this.projection.name}: reading rows`,
    );
    for (const row of found) rows.set(`${row.pk}\u0000${row.sk}`, row);
    return rows;
  }

  /** How many lookup items a row write puts or deletes. */
  private lookupCount(write: RowWrite<Row>): number {
    const lookupsOf = this.projection.lookupsOf;
    return lookupsOf ? new Set([...lookupsOf(write.before), ...lookupsOf(write.after)]).size : 0;
  }

  /**
   * One transaction: the rows and, per summary item, the sum of their changes and the asOf of `asOf` (on
   * the condition that it is newer, as apply() sets it); false when refused. Resolves to the asOf values
   * written: when only an asOf condition refused (a newer event was applied meanwhile), the rows are
   * written again without asOf, which stays.
   */
  private async writeRows(
    writes: readonly RowWrite<Row>[],
    generation: number,
    asOf: ReadonlyMap<string, string> = new Map(),
  ): Promise<Map<string, string> | false> {
    const TableName = this.options.tableName;
    const items: TransactWriteItem[] = writes.flatMap((write) => [
      {
        Put: rowPut(
          TableName,
          write.run.pk,
          write.run.sk,
          write.checkpoint,
          write.run.last.version,
          write.after,
        ),
      },
      ...this.lookupWrites(generation, { pk: write.run.pk, sk: write.run.sk }, write.before, write.after),
      ...write.sideWrites,
    ]);
    const changes = new Map<string, SummaryChange>();
    for (const write of writes) {
      const change = this.projection.summaryChange?.(write.before, write.after);
      if (!change) continue;
      const sum = changes.get(write.run.pk) ?? { add: {}, set: {} };
      for (const [name, delta] of Object.entries(change.add)) sum.add[name] = (sum.add[name] ?? 0) + delta;
      Object.assign(sum.set, change.set);
      changes.set(write.run.pk, sum);
    }
    for (const pk of asOf.keys()) if (!changes.has(pk)) changes.set(pk, { add: {}, set: {} });
    const summaries: string[] = [];
    /** The positions of the summary updates conditioned on their asOf. */
    const asOfPositions = new Set<number>();
    for (const [pk, change] of changes) {
      const add = Object.fromEntries(Object.entries(change.add).filter(([, delta]) => delta !== 0));
      const update = toSummaryUpdate(TableName, pk, { add, set: change.set }, asOf.get(pk));
      if (!update) continue;
      if (asOf.has(pk)) asOfPositions.add(items.length);
      items.push({ Update: update });
      summaries.push(pk);
    }
    try {
      await this.oneAtATime(summaries, () =>
        this.options.client.send(new TransactWriteItemsCommand({ TransactItems: items })),
      );
      return new Map(asOf);
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const onlyAsOf =
        asOfPositions.size > 0 &&
        codes.some((code) => code === 'ConditionalCheckFailed') &&
        codes.every(
          (code, position) =>
            code === 'None' || (code === 'ConditionalCheckFailed' && asOfPositions.has(position)),
        );
      if (onlyAsOf) return this.writeRows(writes, generation);
      if (codes.every((code) => RETRIED_CANCELLATIONS.has(code))) return false;
      throw error;
    }
  }

  /** The last transaction of applyRuns queued per summary item. */
  private readonly summaryTurns = new Map<string, Promise<unknown>>();

  /**
   * Runs `work` after the transactions of applyRuns queued before on the same summary items: DynamoDB
   * refuses concurrent transactions on one item (TransactionConflict), which the parallel segments of a
   * rebuild, all adding to one conference's summary, would otherwise run into all the time.
   */
  private oneAtATime<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    if (keys.length === 0) return work();
    const result = Promise.all(keys.map((key) => this.summaryTurns.get(key))).then(work);
    const turn = result.catch(() => {});
    for (const key of keys) this.summaryTurns.set(key, turn);
    void turn.then(() => {
      for (const key of keys) if (this.summaryTurns.get(key) === turn) this.summaryTurns.delete(key);
    });
    return result;
  }

  /**
   * Writes the row and the summary change, and advances the summary's asOf to `advanceTo` if given and
   * newer, all in one request; false when another delivery got there first (retry). When only the asOf
   * condition refused the transaction (a newer event was applied meanwhile), it is written again without
   * asOf, which stays.
   */
  private async write(
    generation: number,
    pk: string,
    sk: string,
    checkpoint: number,
    version: number,
    before: Row | undefined,
    after: Row | undefined,
    advanceTo?: string,
  ): Promise<boolean> {
    const TableName = this.options.tableName;
    const put = rowPut(TableName, pk, sk, checkpoint, version, after);
    const change = this.projection.summaryChange?.(before, after) ?? { add: {}, set: {} };
    const summaryUpdate = toSummaryUpdate(TableName, pk, change, advanceTo);
    const lookups = this.lookupWrites(generation, { pk, sk }, before, after);
    const sideWrites = this.sideWrites(pk, before, after);
    try {
      if (!summaryUpdate && lookups.length === 0 && sideWrites.length === 0) {
        await this.options.client.send(new PutItemCommand(put));
      } else {
        // The summary (if any) second: a refusal's reasons are read by position below.
        const items: TransactWriteItem[] = [
          { Put: put },
          ...(summaryUpdate ? [{ Update: summaryUpdate }] : []),
          ...lookups,
          ...sideWrites,
        ];
        await this.options.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if (error instanceof TransactionCanceledException) {
        const [row, summary] = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        if (advanceTo !== undefined && row === 'None' && summary === 'ConditionalCheckFailed')
          return this.write(generation, pk, sk, checkpoint, version, before, after);
        return false;
      }
      throw error;
    }
  }

  /** The deletes and puts that take the side items of `before` to those of `after`. */
  private sideWrites(pk: string, before: Row | undefined, after: Row | undefined): TransactWriteItem[] {
    const sideItems = this.projection.sideItems;
    if (!sideItems) return [];
    const TableName = this.options.tableName;
    const keyOf = (item: SideItem) => `${item.pk}\u0000${item.sk}`;
    const old = new Map(sideItems(pk, before).map((item) => [keyOf(item), JSON.stringify(item)]));
    const writes: TransactWriteItem[] = [];
    const kept = new Set<string>();
    for (const item of sideItems(pk, after)) {
      const key = keyOf(item);
      kept.add(key);
      if (old.get(key) !== JSON.stringify(item))
        writes.push({ Put: { TableName, Item: marshall(item, { removeUndefinedValues: true }) } });
    }
    for (const item of sideItems(pk, before))
      if (!kept.has(keyOf(item)))
        writes.push({ Delete: { TableName, Key: marshall({ pk: item.pk, sk: item.sk }) } });
    if (writes.length > MAX_TRANSACTION_ITEMS - 2)
      throw new Error(`Projection ${this.projection.name}: ${writes.length} side items change at once`);
    return writes;
  }

  private async advanceAsOf(pk: string, occurredAt: string): Promise<void> {
    if (!this.projection.tracksAsOf) return;
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: marshall({ pk, sk: SUMMARY }),
          UpdateExpression: 'SET asOf = :t',
          ConditionExpression: 'attribute_not_exists(asOf) OR asOf < :t',
          ExpressionAttributeValues: marshall({ ':t': occurredAt }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

class RowMoved extends Error {}

/** A run of one stream's events for applyRuns: its row's key, events up to the last handled one. */
interface RunToApply {
  pk: string;
  sk: string;
  events: readonly EventEnvelope[];
  handled: readonly EventEnvelope[];
  last: EventEnvelope;
}

interface RowWrite<Row> {
  run: RunToApply;
  checkpoint: number;
  before: Row | undefined;
  after: Row | undefined;
  /** Handled events past the checkpoint. */
  applying: number;
  /** The side items' deletes and puts (StreamProjection.sideItems). */
  sideWrites: TransactWriteItem[];
}

/** Why a transaction of applyRuns may be refused and tried again: a row moved, or contention. */
const RETRIED_CANCELLATIONS = new Set([
  'None',
  'ConditionalCheckFailed',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/** Per summary partition, the time of the newest handled event a chunk of row writes applies. */
const newestApplied = <Row>(writes: readonly RowWrite<Row>[]): Map<string, string> => {
  const newest = new Map<string, string>();
  for (const write of writes)
    for (const event of write.run.handled)
      if (event.version > write.checkpoint && event.occurredAt > (newest.get(write.run.pk) ?? ''))
        newest.set(write.run.pk, event.occurredAt);
  return newest;
};

/** The events past the checkpoint begin right after it, without a gap. */
const isContinuation = (events: readonly EventEnvelope[], checkpoint: number): boolean =>
  events.every((event, index) => event.version === checkpoint + index + 1);

/** TransactWriteItems takes 100 items (rows and summaries) and 4 MB; row sizes are estimated. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_000_000;

const transactionChunks = <Row>(
  writes: readonly RowWrite<Row>[],
  lookupCount: (write: RowWrite<Row>) => number,
): RowWrite<Row>[][] => {
  const chunks: RowWrite<Row>[][] = [];
  let chunk: RowWrite<Row>[] = [];
  let bytes = 0;
  let rowItems = 0;
  let summaries = new Set<string>();
  for (const write of writes) {
    const own = 1 + lookupCount(write) + write.sideWrites.length;
    const size = (JSON.stringify(write.after ?? null).length + 200) * own;
    const items = rowItems + own + summaries.size + (summaries.has(write.run.pk) ? 0 : 1);
    if (chunk.length > 0 && (items > MAX_TRANSACTION_ITEMS || bytes + size > MAX_TRANSACTION_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
      rowItems = 0;
      summaries = new Set();
    }
    chunk.push(write);
    bytes += size;
    rowItems += own;
    summaries.add(write.run.pk);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

/** The put of a row and its checkpoint, conditioned on the checkpoint it was computed from. */
const rowPut = (
  TableName: string,
  pk: string,
  sk: string,
  checkpoint: number,
  version: number,
  state: unknown,
) => ({
  TableName,
  Item: marshall({ pk, sk, version, state: state ?? null }, { removeUndefinedValues: true }),
  ConditionExpression: 'attribute_not_exists(pk) OR version = :checkpoint',
  ExpressionAttributeValues: marshall({ ':checkpoint': checkpoint }),
});

/**
 * The update of a summary item: counters added, values set and, with `asOf`, `asOf` set to it on the
 * condition that it is newer (the only condition: without `asOf` the update always succeeds).
 */
const toSummaryUpdate = (TableName: string, pk: string, change: SummaryChange, asOf?: string) => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const sets: string[] = [];
  Object.entries(change.add).forEach(([name, delta], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = delta;
    adds.push(`#a${index} :a${index}`);
  });
  Object.entries(change.set).forEach(([name, value], index) => {
    names[`#s${index}`] = name;
    values[`:s${index}`] = value;
    sets.push(`#s${index} = :s${index}`);
  });
  if (asOf !== undefined) {
    names['#asOf'] = 'asOf';
    values[':asOf'] = asOf;
    sets.push('#asOf = :asOf');
  }
  if (adds.length === 0 && sets.length === 0) return undefined;
  return {
    TableName,
    Key: marshall({ pk, sk: SUMMARY }),
    UpdateExpression: [
      sets.length ? `SET ${sets.join(', ')}` : '',
      adds.length ? `ADD ${adds.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ...(asOf !== undefined ? { ConditionExpression: 'attribute_not_exists(#asOf) OR #asOf < :asOf' } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values),
  };
};
