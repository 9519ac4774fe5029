import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, routes } from '../../infra/definitions/routes.js';
import { tableActionsOf } from '../../infra/definitions/table-access.js';
import type { HttpServer } from '../../local/http-server.js';
import type { LocalLogger } from '../../local/log.js';
import { tableCallsOf } from '../../local/table-grants.js';
import { iclc2015 } from '../domain/fixtures.js';
import { type HandlerEnvironment, prepareHandlerEnvironment } from '../support/handler-environment.js';

/**
 * Issue 16 item 2: a route's function may use only the tables its definition declares. The local runtime
 * holds every handler to them (local/table-grants.ts), on the real DynamoDB Local: a route whose handler
 * reaches a table it does not declare fails, as its role would make it fail in the cloud. The end-to-end
 * suites run every route's handler that way; here, the check itself, with a control that must pass.
 */
const defined = (name: string): RouteDefinition => {
  const route = routes.find((r) => r.name === name);
  if (!route) throw new Error(`no route ${name}`);
  return route;
};

/** The same handler at another path, with the declaration given (a route that forgot a table). */
const probe = (name: string, path: string, change: Partial<RouteDefinition>): RouteDefinition => ({
  ...defined(name),
  name: `${name}Probe`,
  path,
  ...change,
});

const without = (route: RouteDefinition, table: string) => (route.tables ?? []).filter((t) => t !== table);

let environment: HandlerEnvironment;
let server: HttpServer;
const errors: string[] = [];
const logger: LocalLogger = {
  info: () => {},
  warn: () => {},
  error: (message, error) =>
    errors.push(`${message}: ${error instanceof Error ? `${error.name} ${error.message}` : ''}`),
};

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('table-grants', { logLevel: 'SILENT' });
  // After the environment: the handlers and the shared client read it when first imported.
  const { startHttpServer } = await import('../../local/http-server.js');
  const counts = defined('GetDelegateCounts');
  const create = defined('CreateConference');
  server = await startHttpServer({
    port: 0,
    logger,
    routes: [
      create,
      counts,
      probe('GetDelegateCounts', '/probe/{conferenceId}/delegate-counts', {
        tables: without(counts, 'read-models'),
      }),
      // A command whose definition says it writes nothing: its append is refused.
      probe('CreateConference', '/probe/conferences', { writes: false }),
    ],
  });
});

afterAll(async () => {
  await server?.close();
  await environment?.dispose();
});

const createConference = (path: string) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${environment.organizerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...iclc2015, capacity: 10 }),
  });

describe('each route only the tables its definition grants (local runtime)', () => {
  let conferenceId: string;

  it('serves a route whose handler stays within its declared tables (the control)', async () => {
    const created = await createConference('/conferences');
    expect(created.status, await created.clone().text()).toBe(201);
    conferenceId = ((await created.json()) as { conferenceId: string }).conferenceId;
    const counts = await fetch(`${server.url}/conferences/${conferenceId}/delegate-counts`);
    expect(counts.status, await counts.clone().text()).toBe(200);
    expect(errors).toEqual([]);
  });

  it('fails a handler that reads a table its route does not declare, naming the table', async () => {
    const counts = await fetch(`${server.url}/probe/${conferenceId}/delegate-counts`);
    expect(counts.status).toBe(500);
    expect(counts.headers.get('content-type')).toContain('application/problem+json');
    expect(errors.join('\n')).toMatch(
      /GetDelegateCountsProbe.*AccessDeniedException.*dynamodb:GetItem on resource: table\/ReadModels/,
    );
  });

  it('fails a handler that writes where its route grants reads only', async () => {
    errors.length = 0;
    const created = await createConference('/probe/conferences');
    expect(created.status).toBe(500);
    expect(errors.join('\n')).toMatch(
      /CreateConferenceProbe.*AccessDeniedException.*dynamodb:(PutItem|UpdateItem)/,
    );
  });
});

describe('the calls and grants it compares', () => {
  it('reads every table and action of a command, transactions and batches included', () => {
    expect(
      tableCallsOf('TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { TableName: 'Events' } },
          { Update: { TableName: 'StreamState' } },
          { ConditionCheck: { TableName: 'StreamState' } },
        ],
      }),
    ).toEqual([
      { tableName: 'Events', action: 'dynamodb:PutItem' },
      { tableName: 'StreamState', action: 'dynamodb:UpdateItem' },
      { tableName: 'StreamState', action: 'dynamodb:ConditionCheckItem' },
    ]);
    expect(tableCallsOf('BatchGetItemCommand', { RequestItems: { A: {}, B: {} } })).toEqual([
      { tableName: 'A', action: 'dynamodb:BatchGetItem' },
      { tableName: 'B', action: 'dynamodb:BatchGetItem' },
    ]);
    expect(tableCallsOf('QueryCommand', { TableName: 'ReadModels' })).toEqual([
      { tableName: 'ReadModels', action: 'dynamodb:Query' },
    ]);
  });

  it('grants no table to a route that declares none, and appends only (no update, no delete) on events', () => {
    expect([...tableActionsOf({ writes: false }).keys()]).toEqual([]);
    const command = tableActionsOf({ writes: true, tables: ['events', 'stream-state'] });
    expect([...(command.get('Events') ?? [])]).toContain('dynamodb:PutItem');
    expect([...(command.get('Events') ?? [])]).not.toContain('dynamodb:UpdateItem');
    expect([...(command.get('StreamState') ?? [])]).toContain('dynamodb:UpdateItem');
    expect(command.has('ReadModels')).toBe(false);
  });
});
