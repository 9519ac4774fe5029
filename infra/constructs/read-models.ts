import { RemovalPolicy } from 'aws-cdk-lib';
import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { readModelsTable } from '../definitions/tables.js';
import type { Stage } from '../stage.js';
import { addIndexes, keySchema } from './table-schema.js';

export interface ReadModelsProps {
  stage: Stage;
}

/**
 * The read models. They can be rebuilt from the event store, so a dev stack may drop them; prod keeps
 * them (rebuilding is slow) and protects them from deletion.
 */
export class ReadModels extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ReadModelsProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    this.table = new Table(this, readModelsTable.id, {
      ...keySchema(readModelsTable),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    addIndexes(this.table, readModelsTable);
  }
}
