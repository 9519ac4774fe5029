import { RemovalPolicy } from 'aws-cdk-lib';
import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { eventsTable, streamStateTable } from '../definitions/tables.js';
import { addIndexes, keySchema } from './table-schema.js';

/**
 * The event store: the only source of truth. Its events table holds immutable events only; the stream
 * state table beside it holds what changes with them (stream tips, guards, Idempotency-Key records).
 * Neither is ever deleted with the stack (deletion protection, RETAIN); both can be restored to any
 * second of the last 35 days (PITR); the events table's stream feeds the event pipe.
 */
export class EventStore extends Construct {
  readonly table: Table;
  readonly stateTable: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    if (eventsTable.stream !== 'NEW_IMAGE') {
      throw new Error(`The events table must declare stream NEW_IMAGE (the event pipe reads it)`);
    }
    this.table = new Table(this, eventsTable.id, {
      ...keySchema(eventsTable),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    addIndexes(this.table, eventsTable);
    this.stateTable = new Table(this, streamStateTable.id, {
      ...keySchema(streamStateTable),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    addIndexes(this.stateTable, streamStateTable);
  }

  /** Reads of events (queries, the catalog index) and of stream tips. */
  grantRead(grantee: IGrantable): void {
    this.table.grantReadData(grantee);
    this.stateTable.grantReadData(grantee);
  }

  /**
   * What an append needs: events are only ever added (PutItem conditioned on their absence, condition
   * checks), never updated or deleted; tips, guards and Idempotency-Key records are read and written.
   */
  grantAppend(grantee: IGrantable): void {
    this.grantAppendEvents(grantee);
    this.stateTable.grantReadWriteData(grantee);
  }

  /** The events table's part of an append: reads, and adds (never updates or deletes) events. */
  grantAppendEvents(grantee: IGrantable): void {
    this.table.grantReadData(grantee);
    this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem');
  }
}
