import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type TableAccessDefinition, tableActionsOf, tableOfUse } from '../definitions/table-access.js';
import { dataKeysTable, env } from '../definitions/tables.js';
import type { LambdaFunction } from './lambda-function.js';
import { acknowledge, tableIndexesFinding } from './nag.js';

/** The tables a function may be granted, by their use (infra/definitions/table-access.ts). */
export interface AccessibleTables {
  events: ITable;
  streamState: ITable;
  readModels: ITable;
  personalReadModels: ITable;
}

/** What a grant's `<table arn>/index/*` is for, on the tables that have indexes. */
const indexesGranted: Readonly<Record<string, string>> = {
  [tableOfUse.events]: 'queries on the events table indexes (the catalog index lists the conferences)',
  [tableOfUse['personal-read-models']]:
    'queries on its local index (the registrant list in family-name order: familyNameOrderIndex)',
};

/**
 * Grants `fn` exactly the DynamoDB actions its definition declares (`tableActionsOf`, which the local
 * runtime enforces too: local/table-grants.ts), table by table, and names each granted table to it in
 * its environment variable; a table it does not use gets neither. The data keys' table is left to
 * PersonalData.grant, which gives the same actions (`dataKeyActions`) with the keys.
 */
export const grantTableAccess = (
  fn: LambdaFunction,
  definition: TableAccessDefinition,
  tables: AccessibleTables,
): void => {
  const byId = new Map<string, { table: ITable; variable: string }>([
    [tableOfUse.events, { table: tables.events, variable: env.eventsTable }],
    [tableOfUse['stream-state'], { table: tables.streamState, variable: env.streamStateTable }],
    [tableOfUse['read-models'], { table: tables.readModels, variable: env.readModelsTable }],
    [
      tableOfUse['personal-read-models'],
      { table: tables.personalReadModels, variable: env.personalReadModelsTable },
    ],
  ]);
  for (const [id, actions] of tableActionsOf(definition)) {
    if (id === dataKeysTable.id) continue;
    const target = byId.get(id);
    if (!target) throw new Error(`${fn.node.path}: no table ${id} to grant`);
    fn.addEnvironment(target.variable, target.table.tableName);
    target.table.grant(fn, ...[...actions].sort());
    const indexes = indexesGranted[id];
    if (indexes && fn.role)
      acknowledge(
        fn.role,
        tableIndexesFinding(target.table),
        `Granted by the ${id} table grant: ${indexes}; the wildcard covers only indexes of that one table.`,
      );
  }
};
