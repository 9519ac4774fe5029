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
import type { EventEnvelope } from '../../domain/events.js';
import type { SummaryChange } from '../../domain/projections/delegate-counts.js';
import { ServiceUnavailableError } from './errors.js';
import { type EventStore, fullJitter } from './event-store.js';
import { readModelPartition, rowKey, SUMMARY } from './read-models.js';

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
}

export interface ProjectionRunnerOptions {
  client: DynamoDBClient;
  tableName: string;
  store: EventStore;
  maxAttempts?: number;
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'ignored';

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
    const maxAttempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const { Item } = await this.options.client.send(
        new GetItemCommand({
          TableName: this.options.tableName,
          Key: marshall({ pk, sk }),
          ConsistentRead: true,
        }),
      );
      const stored = Item ? unmarshall(Item) : undefined;
      const checkpoint = typeof stored?.version === 'number' ? stored.version : 0;
      if (event.version <= checkpoint) {
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
      if (await this.write(pk, sk, checkpoint, event.version, before, after)) {
        await this.advanceAsOf(
          pk,
          events
            .map((e) => e.occurredAt)
            .sort()
            .at(-1) ?? event.occurredAt,
        );
        return 'applied';
      }
      await new Promise((resolve) => setTimeout(resolve, fullJitter(attempt)));
    }
    throw new ServiceUnavailableError(`Projection ${this.projection.name}: too many concurrent updates`);
  }

  /** Writes the row and the summary change; false when another delivery got there first (retry). */
  private async write(
    pk: string,
    sk: string,
    checkpoint: number,
    version: number,
    before: Row | undefined,
    after: Row | undefined,
  ): Promise<boolean> {
    const TableName = this.options.tableName;
    const rowPut = {
      TableName,
      Item: marshall({ pk, sk, version, state: after ?? null }, { removeUndefinedValues: true }),
      ConditionExpression: 'attribute_not_exists(pk) OR version = :checkpoint',
      ExpressionAttributeValues: marshall({ ':checkpoint': checkpoint }),
    };
    const change = this.projection.summaryChange?.(before, after);
    const summaryUpdate = change && toSummaryUpdate(TableName, pk, change);
    try {
      if (!summaryUpdate) {
        await this.options.client.send(new PutItemCommand(rowPut));
      } else {
        const items: TransactWriteItem[] = [{ Put: rowPut }, { Update: summaryUpdate }];
        await this.options.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
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

const toSummaryUpdate = (TableName: string, pk: string, change: SummaryChange) => {
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
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: marshall(values),
  };
};
