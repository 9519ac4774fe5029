import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conferenceStreamId } from '../../domain/conference/decider.js';
import { toEnvelopes } from '../../functions/pipe/enrich.js';
import { dynamoDb } from '../../functions/shared/runtime/config.js';
import { type RouteDefinition, routes } from '../../infra/definitions/routes.js';
import { EVENT_SOURCE, type RuleDefinition, rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import { tableActionsOf } from '../../infra/definitions/table-access.js';
import { readDeadLetters } from '../../local/dead-letters.js';
import { startEventBus } from '../../local/event-bus.js';
import type { HttpServer } from '../../local/http-server.js';
import type { LocalLogger } from '../../local/log.js';
import { startScheduler } from '../../local/scheduler.js';
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

describe('each consumer only the tables its rule grants (the local bus)', () => {
  /** The ConferenceCreated event of the conference the first test made, as the pipe's enrichment makes it. */
  const conferenceCreated = async () => {
    const conference = await fetch(`${server.url}/conferences`, {
      method: 'POST',
      headers: { authorization: `Bearer ${environment.organizerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...iclc2015, capacity: 10 }),
    });
    const { conferenceId } = (await conference.json()) as { conferenceId: string };
    const { Items = [] } = await dynamoDb().send(
      new QueryCommand({
        TableName: environment.tables.events,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: conferenceStreamId(conferenceId) } },
      }),
    );
    const [envelope] = toEnvelopes(
      Items.map((item) => ({ eventName: 'INSERT', dynamodb: { NewImage: item } }) as DynamoDBRecord),
    );
    if (envelope?.type !== 'ConferenceCreated') throw new Error('no ConferenceCreated event');
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': envelope.type,
      source: EVENT_SOURCE,
      account: '000000000000',
      time: envelope.occurredAt,
      region: 'local',
      resources: [],
      detail: envelope,
    };
  };

  /** Delivers `event` once to the real consumer of `rule`; the dead letters and refusals it left. */
  const deliver = async (rule: RuleDefinition, event: Awaited<ReturnType<typeof conferenceCreated>>) => {
    const dir = await mkdtemp(join(tmpdir(), 'table-grants-bus-'));
    const refusals: string[] = [];
    const bus = await startEventBus({
      rules: [{ ...rule, maxReceiveCount: 1 }],
      deadLetterDir: dir,
      logger: { ...logger, error: (message) => refusals.push(message) },
    });
    bus.publish(event);
    await bus.idle();
    await bus.stop();
    const letters = await readDeadLetters(dir, rule.name);
    await rm(dir, { recursive: true, force: true });
    return { letters, refusals };
  };

  const counts = rules.find((rule) => rule.name === 'DelegateCountsProjector') as RuleDefinition;

  it('fails a projector whose rule does not grant the writes of its read model, naming the table', async () => {
    const event = await conferenceCreated();
    const probe = { ...counts, name: 'DelegateCountsProbe', writesTo: {} };
    const { letters, refusals } = await deliver(probe, event);
    expect(letters).toHaveLength(1);
    expect(refusals.join('\n')).toMatch(
      /DelegateCountsProbe.*AccessDeniedException.*dynamodb:(PutItem|UpdateItem) on resource: table\/ReadModels/,
    );
  });

  it('applies the same event with the rule as declared (the control)', async () => {
    const event = await conferenceCreated();
    const { letters, refusals } = await deliver(counts, event);
    expect(refusals).toEqual([]);
    expect(letters).toEqual([]);
  });
});

describe('each scheduled job only the tables its definition grants (the local scheduler)', () => {
  const retention = schedules.find((job) => job.name === 'EraseExpiredPersonalData');
  if (!retention) throw new Error('no EraseExpiredPersonalData');

  /** Runs `job` once as `npm start` does; what it logged as errors. */
  const run = async (job: typeof retention) => {
    const logged: string[] = [];
    const scheduler = startScheduler({
      schedules: [job],
      firstRunMs: 3_600_000,
      logger: { ...logger, error: (message) => logged.push(message) },
    });
    await scheduler.runNow();
    await scheduler.stop();
    return logged;
  };

  it('fails a job whose definition does not grant a table its handler reads, naming it', async () => {
    const logged = await run({ ...retention, name: 'EraseProbe', tables: ['stream-state'] });
    expect(logged.join('\n')).toMatch(/EraseProbe.*AccessDeniedException.*on resource: table\/Events/);
  });

  it('runs the job held to its definition as declared (the control)', async () => {
    expect(await run(retention)).toEqual([]);
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
