import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { expect } from 'vitest';
import { type RouteDefinition, routes } from '../../infra/definitions/routes.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadSigningKey, signOrganizerToken } from '../../local/signing-key.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { createTestTables, type TestTables } from '../support/tables.js';

export type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface Harness {
  tables: TestTables;
  dataDir: string;
  outbox: string;
  organizerToken: string;
}

/**
 * Own tables in the run's DynamoDB Local, a local signing key, and the environment the handler modules
 * read once when first used: call this before importing any of them.
 */
export const prepareHandlerEnvironment = async (prefix: string): Promise<Harness> => {
  const tables = await createTestTables(prefix);
  const dataDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const key = await loadSigningKey(dataDir);
  const outbox = join(dataDir, 'outbox');
  Object.assign(process.env, {
    EVENTS_TABLE: tables.events,
    READ_MODELS_TABLE: tables.readModels,
    DYNAMODB_ENDPOINT: tables.endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AUTH_MODE: 'local',
    LOCAL_JWKS_FILE: key.jwksFile,
    LOCAL_ISSUER,
    LOCAL_AUDIENCE,
    OUTBOX_DIR: outbox,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  return { tables, dataDir, outbox, organizerToken: await signOrganizerToken({ dataDir }) };
};

export const importHandler = async (entry: string): Promise<Handler> => {
  const module = (await import(pathToFileURL(resolve(repoRoot, entry)).href)) as { handler: Handler };
  return module.handler;
};

/** Every route's handler, by route name. */
export const importRouteHandlers = async (): Promise<Record<string, Handler>> =>
  Object.fromEntries(await Promise.all(routes.map(async (r) => [r.name, await importHandler(r.entry)])));

export const routeNamed = (name: string): RouteDefinition => {
  const found = routes.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No route ${name}`);
  return found;
};

/** The raw path of a request (a lone surrogate, which no URL can carry, is sent as U+FFFD). */
export const fillPath = (template: string, params: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent((params[name] ?? '').toWellFormed()),
  );

/** The API Gateway v2 event of a request to `route`, as API Gateway builds it (route key = the template). */
export const routeEvent = (
  route: RouteDefinition,
  params: Record<string, string>,
  options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): APIGatewayProxyEventV2 => {
  const path = fillPath(route.path, params);
  const event = httpEvent(route.method, path, {
    body: options.rawBody ?? options.body,
    headers: options.headers,
    pathParameters: Object.keys(params).length ? params : undefined,
  });
  const routeKey = `${route.method} ${route.path}`;
  return { ...event, routeKey, requestContext: { ...event.requestContext, routeKey } };
};

export const invoke = async (
  handler: Handler,
  route: RouteDefinition,
  params: Record<string, string>,
  options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
) => {
  const result = await handler(routeEvent(route, params, options), lambdaContext(route.name));
  const text = typeof result.body === 'string' ? result.body : '';
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON (agenda.ics)
  }
  return { status: result.statusCode ?? 200, headers: result.headers ?? {}, text, json };
};

export type Answer = Awaited<ReturnType<typeof invoke>>;

/** Frames of a stack trace, file positions or internal class names: none may reach a client. */
export const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|\.(ts|js|mjs|cjs):\d+|node_modules|Error: /;

/** An RFC 9457 problem with this status (or one in this class, e.g. 4 for any 4xx). */
export const expectProblem = (answer: Answer, status: number | { class: 4 | 5 }) => {
  const context = `${answer.status} ${answer.text.slice(0, 300)}`;
  if (typeof status === 'number') expect(answer.status, context).toBe(status);
  else expect(Math.floor(answer.status / 100), context).toBe(status.class);
  expect(String(answer.headers['content-type']), context).toMatch(/^application\/problem\+json/);
  expect(answer.json, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: answer.status,
    detail: expect.any(String),
  });
  expect(answer.text, context).not.toMatch(STACK_TRACE);
};
