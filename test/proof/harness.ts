import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'vitest';
import { type DocumentJob, supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { type RouteDefinition, routes } from '../../infra/definitions/routes.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import {
  type Handler,
  type HandlerEnvironment,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';

export type Harness = HandlerEnvironment;

/**
 * The handler environment of the proofs (test/support/handler-environment.ts), quiet: no logs, no
 * metrics, no traces. Call this before importing any handler module.
 */
/**
 * The jobs handed to the documents queue (CONTRACT 5.5): the proofs test the request that starts a
 * document, not its making, so the queue is a stand-in that keeps what it was sent (the cloud's is
 * DOCUMENTS_QUEUE_URL, the local runtime's the handler in process).
 */
export const documentJobsStarted: DocumentJob[] = [];

export const prepareProofEnvironment = async (prefix: string): Promise<Harness> => {
  const harness = await prepareHandlerEnvironment(prefix, {
    logLevel: 'SILENT',
    env: { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_TRACE_ENABLED: 'false' },
  });
  supplyAdapters({
    documentJobs: {
      start: async (job) => {
        documentJobsStarted.push(job);
      },
    },
  });
  return harness;
};

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
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    rawBody?: string;
    query?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 => {
  const path = fillPath(route.path, params);
  const event = httpEvent(route.method, path, {
    body: options.rawBody ?? options.body,
    headers: options.headers,
    pathParameters: Object.keys(params).length ? params : undefined,
  });
  const routeKey = `${route.method} ${route.path}`;
  const query = options.query
    ? {
        rawQueryString: new URLSearchParams(
          Object.entries(options.query).map(([name, value]): [string, string] => [
            name,
            value.toWellFormed(),
          ]),
        ).toString(),
        queryStringParameters: options.query,
      }
    : {};
  return { ...event, ...query, routeKey, requestContext: { ...event.requestContext, routeKey } };
};

export const invoke = async (
  handler: Handler,
  route: RouteDefinition,
  params: Record<string, string>,
  options: Parameters<typeof routeEvent>[2] = {},
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

/**
 * Calls routes by name with an organizer's token: `send` gives the answer as it is, `call` expects a
 * 2xx and gives its JSON.
 */
export const organizerCalls = (handlers: Record<string, Handler>, organizerToken: string) => {
  const send = (name: string, params: Record<string, string>, body?: unknown): Promise<Answer> =>
    invoke(handlers[name] as Handler, routeNamed(name), params, {
      body,
      headers: { authorization: `Bearer ${organizerToken}` },
    });
  const call = async (name: string, params: Record<string, string>, body?: unknown) => {
    const answer = await send(name, params, body);
    expect(answer.status, answer.text).toBeLessThan(300);
    return answer.json;
  };
  return { send, call };
};

export type OrganizerCalls = ReturnType<typeof organizerCalls>;

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
