import { BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { personalReadModelsTable, readModelsTable, type TableDefinition } from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import { acknowledge } from './nag.js';
import { addIndexes, keySchema } from './table-schema.js';

export interface ReadModelsProps {
  stage: Stage;
}

/**
 * The read models, in two tables: `table` for those without personal data, `personalTable` for those
 * that hold personal fields in plaintext (the registrant list, the visa letters), which only the functions
 * that serve or project them may read. Both are rebuilt from the event store, never restored: no
 * point-in-time recovery, since a restore would bring back the rows of erased registrations (README,
 * "Personal data"); a dev stack may drop them, prod protects them from deletion (see `stageSettings`).
 */
export class ReadModels extends Construct {
  readonly table: Table;
  readonly personalTable: Table;

  constructor(scope: Construct, id: string, props: ReadModelsProps) {
    super(scope, id);
    this.table = this.readModelTable(readModelsTable, props.stage);
    this.personalTable = this.readModelTable(personalReadModelsTable, props.stage);
  }

  private readModelTable(definition: TableDefinition, stage: Stage): Table {
    const settings = settingsOf(stage);
    const table = new Table(this, definition.id, {
      ...keySchema(definition),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });
    addIndexes(table, definition);
    acknowledge(
      table,
      'DDB3',
      'Rebuild, never restore: read models are rebuilt from the event store (npm run rebuild), and a ' +
        'point-in-time restore would bring back rows of registrations erased since (CONTRACT 4.1).',
    );
    return table;
  }
}
