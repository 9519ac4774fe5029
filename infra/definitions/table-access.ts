/**
 * What a route's function may do on each table, derived from its definition (issue 16 item 2: every
 * function only the tables and actions its handler uses). The CDK grants (infra/constructs/http-api.ts)
 * and the local runtime's check of every DynamoDB call of a route (local/table-grants.ts) both read it,
 * so a handler that needs a table its route does not declare fails locally as it would in the cloud.
 */
import type { PersonalDataAccess, SensitiveDataAccess } from './tables.js';
import {
  dataKeysTable,
  eventsTable,
  personalReadModelsTable,
  readModelsTable,
  streamStateTable,
} from './tables.js';

/**
 * The tables a route's handler uses (RouteDefinition.tables); the data keys follow from `personalData`:
 * - `events`: reads events (a stream, the catalog index); with `writes`, also appends them;
 * - `stream-state`: reads stream tips, guards, Idempotency-Key records, document statuses; with `writes`,
 *   also writes them (every append writes its tips there);
 * - `read-models`: reads the read models without personal data;
 * - `personal-read-models`: reads the read models of plaintext personal data (registrant list, visa letters).
 */
export type TableUse = 'events' | 'stream-state' | 'read-models' | 'personal-read-models';

/** The table (by its id in infra/definitions/tables.ts) of each use. */
export const tableOfUse: Readonly<Record<TableUse, string>> = {
  events: eventsTable.id,
  'stream-state': streamStateTable.id,
  'read-models': readModelsTable.id,
  'personal-read-models': personalReadModelsTable.id,
};

/**
 * The DynamoDB actions of each grant, as the CDK table grants give them (`grantReadData`,
 * `grantReadWriteData`; the event store's append adds only PutItem and ConditionCheckItem to the events).
 */
export const READ_DATA_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
] as const;
export const WRITE_DATA_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;
export const APPEND_EVENT_ACTIONS = ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'] as const;

/** A write beside a command's appends (`writesTo`): one of WRITE_DATA_ACTIONS. */
export type WriteAction = (typeof WRITE_DATA_ACTIONS)[number];

/** The actions on the data keys' table of each personal data access (infra/constructs/personal-data.ts). */
export const dataKeyActions: Readonly<Record<PersonalDataAccess, readonly string[]>> = {
  create: ['dynamodb:PutItem'],
  read: ['dynamodb:Query'],
  'read-mac': ['dynamodb:Query'],
  'read-create': ['dynamodb:Query', 'dynamodb:PutItem'],
  mac: [],
  // UpdateItem: the sensitive answers' own erasure removes their wrapped key from a data-key item.
  erase: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
};

export interface TableAccessDefinition {
  /** A command's writes: appends to the event store's tables it declares (`events`, `stream-state`). */
  writes: boolean;
  /** The tables it reads: the read actions on each; none when absent. */
  tables?: readonly TableUse[];
  /**
   * Writes that are not a command's appends, by table, exactly these actions (a projector's puts of its
   * read model's rows, the documents function's updates of a document's status); a table written only
   * here is not read unless `tables` declares it too.
   */
  writesTo?: Readonly<Partial<Record<TableUse, readonly WriteAction[]>>>;
  personalData?: PersonalDataAccess;
  sensitiveData?: SensitiveDataAccess;
}

/**
 * The DynamoDB actions a function may perform, by table id: what its role's policy grants. A table that
 * is not declared gets nothing; `writes` adds the writes of the event store's tables it declares, and
 * `writesTo` the writes it lists.
 */
export const tableActionsOf = (
  definition: TableAccessDefinition,
): ReadonlyMap<string, ReadonlySet<string>> => {
  const uses = new Set(definition.tables ?? []);
  const actions = new Map<string, Set<string>>();
  const add = (table: string, list: readonly string[]) => {
    if (list.length === 0) return;
    const set = actions.get(table) ?? new Set<string>();
    for (const action of list) set.add(action);
    actions.set(table, set);
  };
  for (const use of uses) {
    const table = tableOfUse[use];
    add(table, READ_DATA_ACTIONS);
    if (!definition.writes) continue;
    if (use === 'events') add(table, APPEND_EVENT_ACTIONS);
    if (use === 'stream-state') add(table, WRITE_DATA_ACTIONS);
  }
  for (const [use, list] of Object.entries(definition.writesTo ?? {}) as Array<[TableUse, WriteAction[]]>)
    add(tableOfUse[use], list);
  if (definition.personalData) add(dataKeysTable.id, dataKeyActions[definition.personalData]);
  if (definition.sensitiveData === 'create') add(dataKeysTable.id, ['dynamodb:PutItem']);
  return actions;
};
