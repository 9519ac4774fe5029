import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { readModelsTable } from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import { addIndexes, keySchema } from './table-schema.js';

export interface ReadModelsProps {
  stage: Stage;
}

/**
 * The read models. They can be rebuilt from the event store, so a dev stack may drop them; prod keeps
 * them (rebuilding is slow) and protects them from deletion (see `stageSettings`).
 */
export class ReadModels extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ReadModelsProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    this.table = new Table(this, readModelsTable.id, {
      ...keySchema(readModelsTable),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });
    addIndexes(this.table, readModelsTable);
  }
}
