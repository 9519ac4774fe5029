import { randomUUID } from 'node:crypto';
import {
  type CancellationReason,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { OccupancyUpdate } from '../../../domain/agenda/occupancy.js';
import {
  currentSchemaVersion,
  type DomainEvent,
  type EventEnvelope,
  parseEnvelope,
  validateEvent,
} from '../../../domain/events.js';
import { carriesPlainPersonalData } from '../../../domain/registration/events.js';
import type { EventCodec } from '../personal-data/codec.js';
import { retrying } from '../resilience/policy.js';
import { batchGetAll } from './batch-get.js';
import { occupancyItemUpdate } from './occupancy-update.js';

/** The decider's state after a stream's newest event, kept in the stream's tip. */
export interface Snapshot {
  /** The state's format (e.g. `registration.v1`): a snapshot of another format is not used, but refolded. */
  schema: string;
  state: unknown;
}

export interface StreamAppend {
  streamId: string;
  /** The version the stream must be at: 0 for a new stream. */
  expectedVersion: number;
  events: DomainEvent[];
  /**
   * Whether the stream has a tip at `expectedVersion` (the default when expectedVersion > 0). False for a
   * stream written before tips existed: the append then checks its newest event instead, and writes the tip.
   */
  tipped?: boolean;
  snapshot?: Snapshot;
}

/** A bound of a guard's counter: a number, or another attribute of the same item (e.g. a shard's share). */
export type Bound = number | { attribute: string };

/** Attributes a guard item must hold exactly for the guard to pass (e.g. the stamp of the settings decided on). */
export type Matching = Record<string, string | number>;

/**
 * Items written with the events, in the same transaction, to hold rules that span streams. A refused
 * conditional guard returns the item as it was (AppendConflict `stored`), for the command to decide again.
 */
export type Guard =
  /** `expiresAt` (epoch seconds): a claim that TTL may delete once it guards nothing (a used token's). */
  | { op: 'claim'; name: string; key: string; owner: string; expiresAt?: number }
  | { op: 'release'; name: string; key: string; owner: string }
  | {
      op: 'increment';
      name: string;
      key: string;
      counter: string;
      by: number;
      /** Refused unless `counter` is below this before the increment. */
      below?: Bound;
      matching?: Matching;
      /** Refused while the item is locked: its `attribute` (epoch ms) is at or after `now`. */
      unlocked?: { attribute: string; now: number };
    }
  /** Refused while an item is at `key` (a claim of old, under another key scheme, still held). */
  | { op: 'absent'; name: string; key: string }
  /** Refused unless `counter` is at least `value`; `tally`, when named, is counted up by one with it. */
  | {
      op: 'require-at-least';
      name: string;
      key: string;
      counter: string;
      value: Bound;
      tally?: string;
      matching?: Matching;
    }
  /**
   * Sets attributes of the item (made with `counter` at 0 if new), refused when `counter` is above
   * `atMost` (e.g. a shard's new share below the seats it holds).
   */
  | { op: 'set'; name: string; key: string; values: Matching; counter: string; atMost: number }
  /** Sets attributes of the item, unconditionally (e.g. a lock's expiry). */
  | { op: 'mark'; name: string; key: string; values: Matching }
  /** Refused unless `counter` is at most `value` (or not there yet); a refusal returns the item as it was. */
  | { op: 'require-at-most'; name: string; key: string; counter: string; value: number }
  /** A room's or a speaker's day: refused when the booking overlaps another session's (occupancy.ts). */
  | { op: 'occupy'; name: string; key: string; update: OccupancyUpdate };

export interface IdempotencyWrite {
  key: string;
  requestHash: string;
  response: string;
  /** Epoch seconds; a record past it may be overwritten (TTL deletes it eventually). */
  expiresAt: number;
  now: number;
}

/** A stream the decision read but does not append to: the append holds only if it is still at `version`. */
export interface UnchangedStream {
  streamId: string;
  version: number;
  /** As in StreamAppend: whether the stream has a tip at `version` (default: when version > 0). */
  tipped?: boolean;
}

export interface AppendRequest {
  streams: StreamAppend[];
  /** Streams the decision depended on, checked in the same transaction (a conflict is a stream conflict). */
  unchanged?: UnchangedStream[];
  guards?: Guard[];
  idempotency?: IdempotencyWrite;
  conferenceId: string;
  correlationId: string;
  causationId?: string;
  actor?: string;
  now: string;
}

export type AppendConflict =
  | { reason: 'stream'; streamId: string; expectedVersion: number }
  | { reason: 'guard'; name: string; key: string; stored?: Record<string, unknown> }
  | { reason: 'idempotency'; stored: Record<string, unknown> | undefined };

/** The append was refused: a stream was not at its expected version, a guard held, or the key was used. */
export class AppendConflictError extends Error {
  constructor(readonly conflicts: AppendConflict[]) {
    super(`Append refused: ${conflicts.map(describe).join('; ')}`);
  }
  guard(name: string): boolean {
    return this.conflicts.some((conflict) => conflict.reason === 'guard' && conflict.name === name);
  }
  get guards(): string[] {
    return this.conflicts.flatMap((conflict) => (conflict.reason === 'guard' ? [conflict.name] : []));
  }
  /** The refused guards of that name, in the order appended, each with the item as it was if returned. */
  refusedGuards(name: string): Extract<AppendConflict, { reason: 'guard' }>[] {
    return this.conflicts.filter(
      (conflict): conflict is Extract<AppendConflict, { reason: 'guard' }> =>
        conflict.reason === 'guard' && conflict.name === name,
    );
  }
  get idempotency(): Extract<AppendConflict, { reason: 'idempotency' }> | undefined {
    return this.conflicts.find((conflict) => conflict.reason === 'idempotency');
  }
  get stream(): boolean {
    return this.conflicts.some((conflict) => conflict.reason === 'stream');
  }
  /** The streams that were not at the version expected. */
  get streams(): string[] {
    return this.conflicts.flatMap((conflict) => (conflict.reason === 'stream' ? [conflict.streamId] : []));
  }
}

const describe = (conflict: AppendConflict): string => {
  switch (conflict.reason) {
    case 'stream':
      return `stream ${conflict.streamId} is not at version ${conflict.expectedVersion}`;
    case 'guard':
      return `guard ${conflict.name} (${conflict.key}) holds`;
    case 'idempotency':
      return 'the idempotency key was already used';
  }
};

type ItemRole = AppendConflict | null;

/** A stream's tip as stored: its version and, where one was written, the snapshot with its version. */
export interface Tip {
  streamId: string;
  version: number;
  /**
   * As stored: `json`, the state's JSON text, not parsed yet (snapshotState parses it, so that a reader
   * that validated the very same text before uses its state without parsing it again); or, for a tip of
   * old, the state as a map.
   */
  snapshot?: { schema: string; version: number } & ({ json: string } | { state: unknown; json?: undefined });
}

/** A tip's snapshot text was not JSON: no snapshot (the stream is folded from its events). */
export const NOT_JSON = Symbol('not JSON');

/** The state of a tip's snapshot (its JSON text parsed), or NOT_JSON. */
export const snapshotState = (snapshot: NonNullable<Tip['snapshot']>): unknown => {
  if (snapshot.json === undefined) return snapshot.state;
  try {
    return JSON.parse(snapshot.json);
  } catch {
    return NOT_JSON;
  }
};

/** Event types listed in the sparse `catalog` index: a conference's events, which give the conference list. */
const catalogued: Partial<Record<DomainEvent['type'], string>> = {
  ConferenceCreated: 'conference',
  ConferenceSettingsChanged: 'conference',
};

export const MAX_TRANSACTION_ITEMS = 100;
/** A snapshot larger than this is not written (the item limit is 400 KB): the tip keeps the older one. */
export const MAX_SNAPSHOT_BYTES = 300_000;
const TRANSIENT_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/** DynamoDB refused the transaction for contention alone (not a condition): the same items may go again. */
const isContention = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => TRANSIENT_REASONS.has(reason.Code ?? '')) &&
  !(error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');

export const TRANSACTION_ATTEMPTS = 6;

export interface EventStoreOptions {
  client: DynamoDBClient;
  /** The events table: immutable event items only. */
  tableName: string;
  /** The stream-state table: tips, guards and idempotency records (needed to append or read tips). */
  stateTableName?: string;
  /**
   * Seals personal data into what is stored, with the writes that must commit with it (a new data key,
   * or its destruction), and opens it on reads (functions/shared/personal-data/codec.ts). Snapshots hold
   * no personal data (the deciders' states keep none) and are stored as they are.
   */
  codec?: EventCodec;
  /** Told of every refused append before it is thrown (metrics). */
  onConflict?: (error: AppendConflictError) => void;
}

/**
 * The event store on two tables. Events are immutable items of the events table; each stream's tip (its
 * version and a snapshot of its state), the guards of rules that span streams and the Idempotency-Key
 * records live in the stream-state table. Appends are gap-free: events n+1.. are written only if the tip
 * is at n (or, for a stream without a tip, event n exists) and none of them exists yet, and the tip moves
 * to the new version, all streams and guards in one TransactWriteItems.
 */
export class EventStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly stateTableName: string | undefined;
  private readonly codec: EventCodec | undefined;
  private readonly onConflict: (error: AppendConflictError) => void;

  constructor(options: EventStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.stateTableName = options.stateTableName;
    this.codec = options.codec;
    this.onConflict = options.onConflict ?? (() => {});
  }

  private get stateTable(): string {
    if (!this.stateTableName) throw new Error('This event store was made without its stream-state table');
    return this.stateTableName;
  }

  /** The events of a stream after `afterVersion` up to `toVersion`, validated and in order. */
  async load(
    streamId: string,
    range: { afterVersion?: number; toVersion?: number } = {},
  ): Promise<EventEnvelope[]> {
    const afterVersion = range.afterVersion ?? 0;
    const events: EventEnvelope[] = [];
    let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
    // Bounded: every page moves past the last (DynamoDB's pagination); the stream ends.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression:
            range.toVersion === undefined
              ? 'pk = :pk AND sk > :after'
              : 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: marshall(
            range.toVersion === undefined
              ? { ':pk': streamId, ':after': afterVersion }
              : { ':pk': streamId, ':from': afterVersion + 1, ':to': range.toVersion },
          ),
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) events.push(await this.envelopeOf(unmarshall(item)));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    events.forEach((event, index) => {
      if (event.version !== afterVersion + index + 1)
        throw new Error(`Stream ${streamId} has a gap before version ${event.version}`);
    });
    return events;
  }

  /** The tips of the streams, in one consistent BatchGetItem; a stream without a tip is absent. */
  async readTips(streamIds: readonly string[]): Promise<Map<string, Tip>> {
    return (await this.readTipsWith(streamIds, [])).tips;
  }

  /**
   * The tips of the streams and guard items (e.g. a seat pool's shards), all in one consistent
   * BatchGetItem; a stream without a tip or a guard not written yet is absent.
   */
  async readTipsWith(
    streamIds: readonly string[],
    guardKeys: readonly string[],
  ): Promise<{ tips: Map<string, Tip>; guards: Map<string, Record<string, unknown>> }> {
    const tips = new Map<string, Tip>();
    const guards = new Map<string, Record<string, unknown>>();
    const unique = [...new Set([...streamIds, ...guardKeys])];
    if (unique.length === 0) return { tips, guards };
    const items = await batchGetAll(
      this.client,
      this.stateTable,
      unique.map((key) => marshall({ pk: key, sk: 0 })),
      'Reading stream tips',
    );
    const streams = new Set(streamIds);
    for (const item of items) {
      const key = String(item.pk);
      if (streams.has(key)) tips.set(key, await this.tipOf(key, item));
      else guards.set(key, item);
    }
    return { tips, guards };
  }

  /** A counter of a guard item (e.g. the seats held of a conference), read consistently; 0 when none. */
  async guardCounters<C extends string>(key: string, counters: readonly C[]): Promise<Record<C, number>> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.stateTable,
        Key: marshall({ pk: key, sk: 0 }),
        ConsistentRead: true,
      }),
    );
    const stored = Item ? unmarshall(Item) : {};
    return Object.fromEntries(
      counters.map((counter) => [counter, typeof stored[counter] === 'number' ? stored[counter] : 0]),
    ) as Record<C, number>;
  }

  /** Who holds a claim guard (e.g. the registration holding an email), read consistently; none: undefined. */
  async guardOwner(key: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.stateTable,
        Key: marshall({ pk: key, sk: 0 }),
        ConsistentRead: true,
        ProjectionExpression: '#owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
      }),
    );
    const owner = Item ? unmarshall(Item).owner : undefined;
    return typeof owner === 'string' ? owner : undefined;
  }

  /** Guard items (e.g. the shards of a seat pool), read consistently in one BatchGetItem; absent when none. */
  async guardItems(keys: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const unique = [...new Set(keys)];
    const items = await batchGetAll(
      this.client,
      this.stateTable,
      unique.map((key) => marshall({ pk: key, sk: 0 })),
      'Reading guards',
    );
    return new Map(items.map((item) => [String(item.pk), item]));
  }

  /** The stored Idempotency-Key record under `key`, read consistently. */
  async idempotencyRecord(key: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.stateTable,
        Key: marshall({ pk: key, sk: 0 }),
        ConsistentRead: true,
      }),
    );
    return Item ? unmarshall(Item) : undefined;
  }

  /** Writes guards alone, in one transaction (e.g. a lock on items a command is about to decide on). */
  async writeGuards(guards: readonly Guard[]): Promise<void> {
    if (guards.length === 0) return;
    if (guards.length > MAX_TRANSACTION_ITEMS)
      throw new Error(`A transaction may write at most ${MAX_TRANSACTION_ITEMS} items, not ${guards.length}`);
    await this.transact(
      guards.map((guard) => this.guardItem(guard)),
      guards.map((guard) => ({ reason: 'guard', name: guard.name, key: guard.key })),
    );
  }

  /** Appends atomically; returns the envelopes written. Throws AppendConflictError when refused. */
  async append(request: AppendRequest): Promise<EventEnvelope[]> {
    const envelopes: EventEnvelope[] = [];
    const items: TransactWriteItem[] = [];
    const roles: ItemRole[] = [];
    const add = (item: TransactWriteItem, role: ItemRole) => {
      items.push(item);
      roles.push(role);
    };
    /** What the codec writes with the events (data keys), after everything else. */
    const sideWrites: TransactWriteItem[] = [];

    for (const stream of request.streams) {
      const conflict: AppendConflict = {
        reason: 'stream',
        streamId: stream.streamId,
        expectedVersion: stream.expectedVersion,
      };
      const version = stream.expectedVersion + stream.events.length;
      const tipped = stream.tipped ?? stream.expectedVersion > 0;
      add({ Update: await this.tipUpdate(stream, version, tipped) }, conflict);
      if (!tipped && stream.expectedVersion > 0)
        add(this.eventCheck(stream.streamId, stream.expectedVersion, true), conflict);
      for (const [index, event] of stream.events.entries()) {
        const valid = validateEvent(event);
        const envelope = {
          eventId: randomUUID(),
          type: valid.type,
          streamId: stream.streamId,
          version: stream.expectedVersion + index + 1,
          conferenceId: request.conferenceId,
          occurredAt: request.now,
          data: valid.data,
          metadata: {
            correlationId: request.correlationId,
            causationId: request.causationId,
            actor: request.actor,
            schemaVersion: currentSchemaVersion(valid.type),
          },
        } as EventEnvelope;
        envelopes.push(envelope);
        add(
          {
            Put: {
              TableName: this.tableName,
              Item: marshall(await this.eventItem(envelope, sideWrites), { removeUndefinedValues: true }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          conflict,
        );
      }
    }

    for (const guard of request.guards ?? [])
      add(this.guardItem(guard), { reason: 'guard', name: guard.name, key: guard.key });

    // After the events and guards, so those keep their places in the transaction whatever is checked.
    for (const { streamId, version, tipped = version > 0 } of request.unchanged ?? []) {
      const conflict: AppendConflict = { reason: 'stream', streamId, expectedVersion: version };
      if (tipped) {
        add(
          {
            ConditionCheck: {
              TableName: this.stateTable,
              Key: marshall({ pk: streamId, sk: 0 }),
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: marshall({ ':version': version }),
            },
          },
          conflict,
        );
      } else {
        add(
          {
            ConditionCheck: {
              TableName: this.stateTable,
              Key: marshall({ pk: streamId, sk: 0 }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          conflict,
        );
        if (version > 0) add(this.eventCheck(streamId, version, true), conflict);
        add(this.eventCheck(streamId, version + 1, false), conflict);
      }
    }

    if (request.idempotency) {
      const { key, now, ...record } = request.idempotency;
      add(
        {
          Put: {
            TableName: this.stateTable,
            Item: marshall({ pk: key, sk: 0, kind: 'idempotency', ...record }),
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: marshall({ ':now': now }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { reason: 'idempotency', stored: undefined },
      );
    }

    for (const write of sideWrites) add(write, null);

    if (items.length > MAX_TRANSACTION_ITEMS)
      throw new Error(`An append may write at most ${MAX_TRANSACTION_ITEMS} items, not ${items.length}`);

    await this.transact(items, roles);
    return envelopes;
  }

  // The stored forms of events and snapshots: the only place they are (de)serialised, so a codec is one hook.

  private async eventItem(
    envelope: EventEnvelope,
    sideWrites: TransactWriteItem[],
  ): Promise<Record<string, unknown>> {
    // An erasure destroys the data key with the event, which only the codec can write.
    if (
      !this.codec &&
      (carriesPlainPersonalData(envelope) ||
        envelope.type === 'PersonalDataErased' ||
        envelope.type === 'FocalPointPersonalDataErased')
    )
      throw new Error(`A ${envelope.type} event needs the personal-data codec: this store has no codec`);
    const { stored, writes } = this.codec
      ? await this.codec.seal(envelope)
      : { stored: envelope, writes: [] };
    sideWrites.push(...writes);
    const catalog = catalogued[envelope.type];
    return {
      pk: envelope.streamId,
      sk: envelope.version,
      kind: 'event',
      ...stored,
      ...(catalog ? { catalog } : {}),
    };
  }

  private async envelopeOf(item: Record<string, unknown>): Promise<EventEnvelope> {
    const envelope = parseEnvelope(item);
    return this.codec ? this.codec.open(envelope) : envelope;
  }

  /**
   * A tip as read. Its snapshot is stored as JSON text (one string attribute: DynamoDB and the SDK move
   * one value instead of a nested map of every field of the state, e.g. a conference's 60-field form),
   * handed on as text: snapshotState parses it when it is used (text that is not JSON is no snapshot). A
   * tip written before holds the state as a map, read as it is.
   */
  private async tipOf(streamId: string, item: Record<string, unknown>): Promise<Tip> {
    const version = typeof item.version === 'number' ? item.version : 0;
    const { snapshot, snapshotSchema, snapshotVersion } = item;
    if (snapshot === undefined || typeof snapshotSchema !== 'string' || typeof snapshotVersion !== 'number')
      return { streamId, version };
    if (typeof snapshot !== 'string')
      return {
        streamId,
        version,
        snapshot: { schema: snapshotSchema, version: snapshotVersion, state: snapshot },
      };
    return {
      streamId,
      version,
      snapshot: { schema: snapshotSchema, version: snapshotVersion, json: snapshot },
    };
  }

  /** Moves the tip to `version`, with the snapshot when it fits an item (else the older one stays). */
  private async tipUpdate(stream: StreamAppend, version: number, tipped: boolean) {
    // Stored as JSON text (tipOf): one string attribute, however many fields the state has.
    const encoded = stream.snapshot === undefined ? undefined : JSON.stringify(stream.snapshot.state);
    const fits = encoded !== undefined && Buffer.byteLength(encoded) <= MAX_SNAPSHOT_BYTES;
    const names: Record<string, string> = { '#version': 'version', '#kind': 'kind' };
    const values: Record<string, unknown> = { ':version': version, ':kind': 'tip' };
    const sets = ['#version = :version', '#kind = :kind'];
    if (fits && stream.snapshot) {
      Object.assign(names, {
        '#snapshot': 'snapshot',
        '#snapshotSchema': 'snapshotSchema',
        '#snapshotVersion': 'snapshotVersion',
      });
      sets.push('#snapshot = :snapshot', '#snapshotSchema = :schema', '#snapshotVersion = :version');
      values[':snapshot'] = encoded;
      values[':schema'] = stream.snapshot.schema;
    }
    if (tipped) values[':expected'] = stream.expectedVersion;
    return {
      TableName: this.stateTable,
      Key: marshall({ pk: stream.streamId, sk: 0 }),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: tipped ? '#version = :expected' : 'attribute_not_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
    };
  }

  /** A check that event `version` of a stream exists (or does not). */
  private eventCheck(streamId: string, version: number, exists: boolean): TransactWriteItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: marshall({ pk: streamId, sk: version }),
        ConditionExpression: exists ? 'attribute_exists(pk)' : 'attribute_not_exists(pk)',
      },
    };
  }

  private guardItem(guard: Guard): TransactWriteItem {
    const Key = marshall({ pk: guard.key, sk: 0 });
    const TableName = this.stateTable;
    switch (guard.op) {
      case 'occupy':
        return { Update: occupancyItemUpdate(TableName, guard.update) };
      case 'claim':
        return {
          Put: {
            TableName,
            Item: marshall({
              pk: guard.key,
              sk: 0,
              kind: 'guard',
              owner: guard.owner,
              ...(guard.expiresAt === undefined ? {} : { expiresAt: guard.expiresAt }),
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        };
      case 'absent':
        return {
          ConditionCheck: { TableName, Key, ConditionExpression: 'attribute_not_exists(pk)' },
        };
      case 'release':
        return {
          Delete: {
            TableName,
            Key,
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: marshall({ ':owner': guard.owner }),
          },
        };
      case 'increment': {
        const condition = guardCondition(
          {
            ...(guard.below === undefined ? {} : { below: guard.below }),
            ...(guard.unlocked === undefined ? {} : { unlocked: guard.unlocked }),
          },
          guard,
        );
        return {
          Update: {
            TableName,
            Key,
            UpdateExpression: 'SET kind = :kind ADD #counter :by',
            ...(condition.expression
              ? { ConditionExpression: condition.expression, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
              : {}),
            ExpressionAttributeNames: { '#counter': guard.counter, ...condition.names },
            ExpressionAttributeValues: marshall({ ':kind': 'guard', ':by': guard.by, ...condition.values }),
          },
        };
      }
      case 'require-at-least': {
        const condition = guardCondition({ atLeast: guard.value }, guard);
        const check = {
          TableName,
          Key,
          ConditionExpression: condition.expression,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        };
        if (guard.tally === undefined)
          return {
            ConditionCheck: {
              ...check,
              ExpressionAttributeNames: { '#counter': guard.counter, ...condition.names },
              ExpressionAttributeValues: marshall(condition.values),
            },
          };
        return {
          Update: {
            ...check,
            UpdateExpression: 'ADD #tally :one',
            ExpressionAttributeNames: {
              '#counter': guard.counter,
              '#tally': guard.tally,
              ...condition.names,
            },
            ExpressionAttributeValues: marshall({ ...condition.values, ':one': 1 }),
          },
        };
      }
      case 'mark': {
        const entries = Object.entries(guard.values);
        return {
          Update: {
            TableName,
            Key,
            UpdateExpression: `SET kind = :kind, ${entries.map((_, index) => `#set${index} = :set${index}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(
              entries.map(([name], index) => [`#set${index}`, name]),
            ),
            ExpressionAttributeValues: marshall({
              ':kind': 'guard',
              ...Object.fromEntries(entries.map(([, value], index) => [`:set${index}`, value])),
            }),
          },
        };
      }
      case 'set': {
        const entries = Object.entries(guard.values);
        return {
          Update: {
            TableName,
            Key,
            UpdateExpression: `SET kind = :kind, ${entries.map((_, index) => `#set${index} = :set${index}`).join(', ')} ADD #counter :zero`,
            ConditionExpression: 'attribute_not_exists(#counter) OR #counter <= :atMost',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ExpressionAttributeNames: {
              '#counter': guard.counter,
              ...Object.fromEntries(entries.map(([name], index) => [`#set${index}`, name])),
            },
            ExpressionAttributeValues: marshall({
              ':kind': 'guard',
              ':zero': 0,
              ':atMost': guard.atMost,
              ...Object.fromEntries(entries.map(([, value], index) => [`:set${index}`, value])),
            }),
          },
        };
      }
      case 'require-at-most':
        return {
          ConditionCheck: {
            TableName,
            Key,
            ConditionExpression: 'attribute_not_exists(#counter) OR #counter <= :value',
            ExpressionAttributeNames: { '#counter': guard.counter },
            ExpressionAttributeValues: marshall({ ':value': guard.value }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        };
    }
  }

  /**
   * One transaction, sent again (same items) while DynamoDB cancels it for contention alone; a refused
   * condition is an AppendConflictError naming the streams and guards that clashed. A transaction of one
   * Put, Update or Delete goes as that single write (sendSingleWrite), sent again while a transaction in
   * flight on its item refuses it (TransactionConflictException, which the SDK does not retry).
   */
  private async transact(items: TransactWriteItem[], roles: ItemRole[]): Promise<void> {
    const [only] = items;
    const single = items.length === 1 && only && !only.ConditionCheck ? only : undefined;
    try {
      await retrying(
        {
          exhausted: `DynamoDB is busy: ${single ? 'write' : 'transaction'} retries exhausted`,
          attempts: TRANSACTION_ATTEMPTS,
          retryOn: single ? (error) => error instanceof TransactionConflictException : isContention,
        },
        async (_attempt, abortSignal) => {
          if (single) await sendSingleWrite(this.client, single, abortSignal);
          else
            await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }), { abortSignal });
        },
      );
    } catch (error) {
      const conflicts = conflictsOf(refusalsOf(error), roles);
      if (conflicts.length === 0) throw error;
      const conflict = new AppendConflictError(conflicts);
      this.onConflict(conflict);
      throw conflict;
    }
  }
}

/** The items a write's conditions refused, as a cancelled transaction tells them (none for other errors). */
const refusalsOf = (error: unknown): CancellationReason[] => {
  if (error instanceof TransactionCanceledException) return error.CancellationReasons ?? [];
  if (error instanceof ConditionalCheckFailedException)
    return [{ Code: 'ConditionalCheckFailed', Item: error.Item }];
  return [];
};

/**
 * A transaction of one Put, Update or Delete (e.g. a request's Idempotency-Key record stored by itself) as
 * that single conditional write: DynamoDB applies one item's write and its condition atomically either way,
 * and the single write costs DynamoDB less than a transaction (bench:demo: 441 records of the demo's
 * registrations). A refused condition is the same AppendConflictError, with the item as it was when the
 * write asked for it (ReturnValuesOnConditionCheckFailure); the SDK retries throttling as for any call.
 */
const sendSingleWrite = async (
  client: DynamoDBClient,
  item: TransactWriteItem,
  abortSignal: AbortSignal,
): Promise<void> => {
  if (item.Put) await client.send(new PutItemCommand(item.Put), { abortSignal });
  else if (item.Update) await client.send(new UpdateItemCommand(item.Update), { abortSignal });
  else if (item.Delete) await client.send(new DeleteItemCommand(item.Delete), { abortSignal });
  else throw new Error('A single write is a Put, an Update or a Delete');
};

/**
 * The condition of a counting guard: the counter below or at least a bound (a number, or an attribute of
 * the item), and the attributes `matching` asks for. An increment without a bound is counted from none.
 */
const guardCondition = (
  bound: { below?: Bound; atLeast?: Bound; unlocked?: { attribute: string; now: number } },
  guard: { matching?: Matching },
): { expression: string; names: Record<string, string>; values: Record<string, unknown> } => {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const operand = (value: Bound, placeholder: string): string => {
    if (typeof value === 'number') {
      values[`:${placeholder}`] = value;
      return `:${placeholder}`;
    }
    names[`#${placeholder}`] = value.attribute;
    return `#${placeholder}`;
  };
  if (bound.below !== undefined) {
    const limit = operand(bound.below, 'below');
    // A counter not there yet counts as 0, which is below a number bound (an attribute bound must exist).
    clauses.push(
      typeof bound.below === 'number'
        ? `(attribute_not_exists(#counter) OR #counter < ${limit})`
        : `#counter < ${limit}`,
    );
  }
  if (bound.atLeast !== undefined) clauses.push(`#counter >= ${operand(bound.atLeast, 'atLeast')}`);
  if (bound.unlocked !== undefined) {
    names['#lockedUntil'] = bound.unlocked.attribute;
    values[':now'] = bound.unlocked.now;
    clauses.push('(attribute_not_exists(#lockedUntil) OR #lockedUntil < :now)');
  }
  Object.entries(guard.matching ?? {}).forEach(([name, value], index) => {
    names[`#match${index}`] = name;
    values[`:match${index}`] = value;
    clauses.push(`#match${index} = :match${index}`);
  });
  return { expression: clauses.join(' AND '), names, values };
};

const conflictsOf = (reasons: CancellationReason[], roles: ItemRole[]): AppendConflict[] => {
  const conflicts: AppendConflict[] = [];
  const seenStreams = new Set<string>();
  reasons.forEach((reason, index) => {
    const role = roles[index];
    if (reason.Code !== 'ConditionalCheckFailed' || !role) return;
    if (role.reason === 'stream') {
      if (seenStreams.has(role.streamId)) return;
      seenStreams.add(role.streamId);
      conflicts.push(role);
    } else if (role.reason === 'idempotency') {
      conflicts.push({ reason: 'idempotency', stored: reason.Item ? unmarshall(reason.Item) : undefined });
    } else {
      conflicts.push(reason.Item ? { ...role, stored: unmarshall(reason.Item) } : role);
    }
  });
  return conflicts;
};
