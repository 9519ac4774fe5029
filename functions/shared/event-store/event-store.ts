import { randomUUID } from 'node:crypto';
import {
  type CancellationReason,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  currentSchemaVersion,
  type DomainEvent,
  type EventEnvelope,
  parseEnvelope,
  validateEvent,
} from '../../../domain/events.js';
import { carriesPlainPersonalData } from '../../../domain/registration/events.js';
import { ServiceUnavailableError } from '../http/errors.js';
import type { EventCodec } from '../personal-data/codec.js';

export interface StreamAppend {
  streamId: string;
  /** The version the stream must be at: 0 for a new stream. */
  expectedVersion: number;
  events: DomainEvent[];
}

/** Items written with the events, in the same transaction, to hold rules that span streams. */
export type Guard =
  | { op: 'claim'; name: string; key: string; owner: string }
  | { op: 'release'; name: string; key: string; owner: string }
  | { op: 'increment'; name: string; key: string; counter: string; by: number; below?: number }
  | { op: 'require-at-least'; name: string; key: string; counter: string; value: number };

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
  | { reason: 'guard'; name: string; key: string }
  | { reason: 'idempotency'; stored: Record<string, unknown> | undefined };

/** The append was refused: a stream was not at its expected version, a guard held, or the key was used. */
export class AppendConflictError extends Error {
  constructor(readonly conflicts: AppendConflict[]) {
    super(`Append refused: ${conflicts.map(describe).join('; ')}`);
  }
  guard(name: string): boolean {
    return this.conflicts.some((conflict) => conflict.reason === 'guard' && conflict.name === name);
  }
  get idempotency(): Extract<AppendConflict, { reason: 'idempotency' }> | undefined {
    return this.conflicts.find((conflict) => conflict.reason === 'idempotency');
  }
  get stream(): boolean {
    return this.conflicts.some((conflict) => conflict.reason === 'stream');
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

/** Event types listed in the sparse `catalog` index. */
const catalogued: Partial<Record<DomainEvent['type'], string>> = { ConferenceCreated: 'conference' };

export const MAX_TRANSACTION_ITEMS = 100;
const TRANSIENT_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

export interface EventStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Attempts of one transaction while DynamoDB reports transaction conflicts or throttling. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of every refused append before it is thrown (metrics). */
  onConflict?: (error: AppendConflictError) => void;
  /** Seals personal data into what is stored (with the writes that go with it) and opens it on reads. */
  codec?: EventCodec;
}

/**
 * The event store on one DynamoDB table. Appends are gap-free: event n+1 is written only if event n
 * exists (a condition check) and n+1 does not (a conditional put), all streams and guards in one
 * TransactWriteItems, so a command's events and the rules that span streams commit together or not at all.
 */
export class EventStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onConflict: (error: AppendConflictError) => void;
  private readonly codec: EventCodec | undefined;

  constructor(options: EventStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onConflict = options.onConflict ?? (() => {});
    this.codec = options.codec;
  }

  /** The events of a stream after `afterVersion` up to `toVersion`, validated and in order. */
  async load(
    streamId: string,
    range: { afterVersion?: number; toVersion?: number } = {},
  ): Promise<EventEnvelope[]> {
    const afterVersion = range.afterVersion ?? 0;
    const events: EventEnvelope[] = [];
    let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
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
      for (const item of page.Items ?? []) events.push(parseEnvelope(unmarshall(item)));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    events.forEach((event, index) => {
      if (event.version !== afterVersion + index + 1)
        throw new Error(`Stream ${streamId} has a gap before version ${event.version}`);
    });
    const codec = this.codec;
    return codec ? Promise.all(events.map((event) => codec.open(event))) : events;
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
      if (stream.expectedVersion > 0) {
        add(
          {
            ConditionCheck: {
              TableName: this.tableName,
              Key: marshall({ pk: stream.streamId, sk: stream.expectedVersion }),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          conflict,
        );
      }
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
        if (!this.codec && carriesPlainPersonalData(envelope))
          throw new Error(`A ${envelope.type} event holds personal data: this store has no codec to seal it`);
        const { stored, writes } = this.codec
          ? await this.codec.seal(envelope)
          : { stored: envelope, writes: [] };
        const catalog = catalogued[valid.type];
        add(
          {
            Put: {
              TableName: this.tableName,
              Item: marshall(
                {
                  pk: envelope.streamId,
                  sk: envelope.version,
                  kind: 'event',
                  ...stored,
                  ...(catalog ? { catalog } : {}),
                },
                { removeUndefinedValues: true },
              ),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          conflict,
        );
        sideWrites.push(...writes);
      }
    }

    for (const { streamId, version } of request.unchanged ?? []) {
      const conflict: AppendConflict = { reason: 'stream', streamId, expectedVersion: version };
      const check = (sk: number, ConditionExpression: string) =>
        add(
          {
            ConditionCheck: {
              TableName: this.tableName,
              Key: marshall({ pk: streamId, sk }),
              ConditionExpression,
            },
          },
          conflict,
        );
      if (version > 0) check(version, 'attribute_exists(pk)');
      check(version + 1, 'attribute_not_exists(pk)');
    }

    for (const guard of request.guards ?? [])
      add(this.guardItem(guard), { reason: 'guard', name: guard.name, key: guard.key });

    if (request.idempotency) {
      const { key, now, ...record } = request.idempotency;
      add(
        {
          Put: {
            TableName: this.tableName,
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

  private guardItem(guard: Guard): TransactWriteItem {
    const Key = marshall({ pk: guard.key, sk: 0 });
    const TableName = this.tableName;
    switch (guard.op) {
      case 'claim':
        return {
          Put: {
            TableName,
            Item: marshall({ pk: guard.key, sk: 0, kind: 'guard', owner: guard.owner }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
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
      case 'increment':
        return {
          Update: {
            TableName,
            Key,
            UpdateExpression: 'SET kind = :kind ADD #counter :by',
            ...(guard.below === undefined
              ? {}
              : { ConditionExpression: 'attribute_not_exists(#counter) OR #counter < :below' }),
            ExpressionAttributeNames: { '#counter': guard.counter },
            ExpressionAttributeValues: marshall({
              ':kind': 'guard',
              ':by': guard.by,
              ...(guard.below === undefined ? {} : { ':below': guard.below }),
            }),
          },
        };
      case 'require-at-least':
        return {
          ConditionCheck: {
            TableName,
            Key,
            ConditionExpression: '#counter >= :value',
            ExpressionAttributeNames: { '#counter': guard.counter },
            ExpressionAttributeValues: marshall({ ':value': guard.value }),
          },
        };
    }
  }

  private async transact(items: TransactWriteItem[], roles: ItemRole[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons: CancellationReason[] = error.CancellationReasons ?? [];
        const conflicts = conflictsOf(reasons, roles);
        if (conflicts.length > 0) {
          const conflict = new AppendConflictError(conflicts);
          this.onConflict(conflict);
          throw conflict;
        }
        const transient = reasons.some((reason) => TRANSIENT_REASONS.has(reason.Code ?? ''));
        if (!transient) throw error;
        if (attempt >= this.maxAttempts)
          throw new ServiceUnavailableError('DynamoDB is busy: transaction retries exhausted');
        await this.sleep(fullJitter(attempt));
      }
    }
  }
}

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
      conflicts.push(role);
    }
  });
  return conflicts;
};

/** Exponential backoff with full jitter (base 25 ms, cap 1 s). */
export const fullJitter = (attempt: number): number => Math.random() * Math.min(1000, 25 * 2 ** attempt);
