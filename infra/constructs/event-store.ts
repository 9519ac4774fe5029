import { RemovalPolicy } from 'aws-cdk-lib';
import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { eventsTable } from '../definitions/tables.js';
import { addIndexes, keySchema } from './table-schema.js';

/**
 * The event store: the only source of truth. It is never deleted with the stack (deletion protection,
 * RETAIN), can be restored to any second of the last 35 days (PITR), and its stream feeds the event pipe.
 */
export class EventStore extends Construct {
  readonly table: Table;

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
  }
}
