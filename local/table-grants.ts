import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDb, tableNames } from '../functions/shared/runtime/config.js';
import { type TableAccessDefinition, tableActionsOf } from '../infra/definitions/table-access.js';
import { tables } from '../infra/definitions/tables.js';

/**
 * The cloud gives each function a role with only the tables and actions its definition declares
 * (infra/definitions/table-access.ts): a route's, a rule's consumer's, a schedule's, the documents
 * function's, the pipe's enrichment's. Locally one process with one DynamoDB client runs every handler.
 * This holds each handler to its role all the same: every DynamoDB call made while a function's handler
 * runs is checked against the actions its definition grants, and one its role would not allow fails as
 * AWS refuses it (AccessDeniedException), so a definition that forgets a table fails every local run and
 * end-to-end test that uses it, not only the cloud. With TABLE_ACCESS_LOG=<file>, each call is also
 * appended there as a JSON line (route, table, action; `route` is the function's name), to audit what
 * the handlers use.
 */
export const TABLE_ACCESS_LOG_ENV = 'TABLE_ACCESS_LOG';

interface RouteScope {
  name: string;
  allowed: ReadonlyMap<string, ReadonlySet<string>>;
  /** Hears of its refusals instead of the client's `report` (checkTableGrants). */
  report?: (message: string) => void;
}

const scope = new AsyncLocalStorage<RouteScope>();

/** One DynamoDB call as IAM sees it: a table (by name) and an action. */
export interface TableCall {
  tableName: string;
  action: string;
}

type Input = Record<string, unknown>;

const transactActions: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/** The tables and IAM actions of a DynamoDB command (by its name, e.g. `QueryCommand`). */
export const tableCallsOf = (commandName: string, input: Input): TableCall[] => {
  const operation = commandName.replace(/Command$/, '');
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (input.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>;
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, part]) => ({
        tableName: part.TableName ?? '',
        action: transactActions[kind] ?? `dynamodb:${kind}`,
      })),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys((input.RequestItems ?? {}) as Input).map((tableName) => ({
      tableName,
      action: `dynamodb:${operation}`,
    }));
  }
  return typeof input.TableName === 'string'
    ? [{ tableName: input.TableName, action: `dynamodb:${operation}` }]
    : [];
};

/** The table id (infra/definitions/tables.ts) of a table name of this process, or the name itself. */
const tableIdOf = (tableName: string): string => {
  const names = tableNames();
  const byName: Record<string, string> = {
    [names.events]: 'Events',
    [names.streamState]: 'StreamState',
    [names.readModels]: 'ReadModels',
    [names.dataKeys]: 'DataKeys',
    [names.personalReadModels]: 'PersonalReadModels',
  };
  return byName[tableName] ?? tables.find((t) => t.id === tableName)?.id ?? tableName;
};

/** An error as DynamoDB answers a call the caller's role does not allow. */
export class LocalAccessDenied extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
}

const installed = new WeakSet<DynamoDBClient>();

let reportDenial: (message: string) => void = () => {};

/**
 * Checks every call `client` sends inside `withTableGrants` (once per client). `report` hears of each
 * refusal: the handler answers 500 and may log the error its own way (or not at all), so the local log
 * says which route needs which table.
 */
export const checkTableGrants = (client: DynamoDBClient, report?: (message: string) => void): void => {
  if (report) reportDenial = report;
  if (installed.has(client)) return;
  installed.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const route = scope.getStore();
      if (route) {
        const log = process.env[TABLE_ACCESS_LOG_ENV];
        for (const call of tableCallsOf(String(context.commandName), args.input as Input)) {
          const table = tableIdOf(call.tableName);
          if (log)
            appendFileSync(log, `${JSON.stringify({ route: route.name, table, action: call.action })}\n`);
          if (!route.allowed.get(table)?.has(call.action)) {
            const denied = new LocalAccessDenied(
              `User: local/${route.name} is not authorized to perform: ${call.action} on resource: table/${table} ` +
                '(its definition does not grant it: declare the table in its `tables` or `writesTo`, ' +
                'infra/definitions/)',
            );
            (route.report ?? reportDenial)(`${denied.name}: ${denied.message}`);
            throw denied;
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'localTableGrants' },
  );
};

/** Runs a function's handler held to the tables and actions its definition grants. */
export const withTableGrants = <R>(
  route: TableAccessDefinition & { name: string },
  run: () => Promise<R>,
): Promise<R> => scope.run({ name: route.name, allowed: tableActionsOf(route) }, run);

/**
 * Runs the handler of a function other than a route (a consumer, a schedule, the documents function, the
 * enrichment) on the handlers' shared client, held to its definition's grants as a route's is; `report`
 * hears of each refusal.
 */
export const runWithTableGrants = <R>(
  definition: TableAccessDefinition & { name: string },
  run: () => Promise<R>,
  report?: (message: string) => void,
): Promise<R> => {
  checkTableGrants(dynamoDb());
  return scope.run(
    { name: definition.name, allowed: tableActionsOf(definition), ...(report ? { report } : {}) },
    run,
  );
};

/**
 * Runs `work` outside any route: what a request hands to another function (the documents queue's) runs
 * with that function's grants, never with the route's that asked.
 */
export const outsideRouteGrants = <R>(work: () => R): R => scope.exit(work);

/** The name of the function whose grants hold the calls made here (a route, a consumer...), if any. */
export const grantedFunctionName = (): string | undefined => scope.getStore()?.name;
