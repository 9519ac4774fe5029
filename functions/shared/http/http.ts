import { createHash } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ROUTE_DIMENSION } from '../../../infra/definitions/metrics.js';
import { type Access, routes } from '../../../infra/definitions/routes.js';
import { withinBudget } from '../resilience/policy.js';
import { logger, metricNames, metrics } from '../runtime/observability.js';
import { authenticate, type Principal } from './auth.js';
import { badRequest, HttpProblem } from './errors.js';
import { toProblem, zodFieldErrors } from './problem.js';

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  method: string;
  path: string;
  /** The body as sent (decoded from base64 when API Gateway encoded it). */
  rawBody: string;
  /** The body's bytes were not UTF-8: it is refused (400) rather than read with U+FFFD in their place. */
  bodyNotUtf8?: true;
  pathParameters: Record<string, string>;
  header(name: string): string | undefined;
  principal: Principal;
  correlationId: string;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body is a base64 string of bytes (e.g. gzip-encoded), which API Gateway decodes. */
  isBase64Encoded?: boolean;
}

const CORRELATION_ID = /^[\w.:-]{1,128}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text; undefined when its bytes are not UTF-8 (a base64 body of other bytes). */
const bodyText = (event: APIGatewayProxyEventV2): string | undefined => {
  if (!event.body) return '';
  if (!event.isBase64Encoded) return event.body;
  try {
    return utf8.decode(Buffer.from(event.body, 'base64'));
  } catch {
    return undefined;
  }
};

const toRequest = (event: APIGatewayProxyEventV2, principal: Principal): HttpRequest => {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const header = (name: string) => headers[name.toLowerCase()];
  const sentCorrelationId = header('x-correlation-id');
  const body = bodyText(event);
  return {
    event,
    method: event.requestContext.http.method,
    path: event.rawPath,
    rawBody: body ?? '',
    ...(body === undefined ? { bodyNotUtf8: true as const } : {}),
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    header,
    principal,
    correlationId:
      sentCorrelationId && CORRELATION_ID.test(sentCorrelationId)
        ? sentCorrelationId
        : event.requestContext.requestId,
  };
};

/** Parses the JSON body against a schema: broken JSON, a wrong media type or invalid fields give 400. */
export const parseBody = <S extends z.ZodType>(request: HttpRequest, schema: S): z.infer<S> => {
  const contentType = request.header('content-type') ?? 'application/json';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType))
    throw new HttpProblem(415, 'Unsupported Media Type', 'The body must be application/json');
  if (request.bodyNotUtf8)
    throw badRequest('The body is not valid UTF-8', [{ path: '(body)', message: 'is not valid UTF-8' }]);
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody);
  } catch {
    throw badRequest('The body is not valid JSON', [{ path: '(body)', message: 'is not valid JSON' }]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badRequest('The request body is not valid', zodFieldErrors(parsed.error));
  return parsed.data;
};

/** Path parameters are opaque ids; anything else is not a resource of ours. */
export const pathId = (request: HttpRequest, name: string): string => {
  const value = request.pathParameters[name] ?? '';
  if (!/^[\w-]{1,64}$/.test(value))
    throw new HttpProblem(404, 'Not Found', `No such ${name.replace(/Id$/, '')}`);
  return value;
};

export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** Whether an If-None-Match header names this ETag (weak comparison, RFC 9110 section 13.1.2). */
export const noneMatchHolds = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
};

/** A representation with its ETag; a request that already has it (If-None-Match) gets 304 with no body. */
export const conditionalGet = (
  request: HttpRequest,
  body: string,
  contentType: string,
  extraHeaders: Record<string, string> = {},
): HttpResponse => {
  const headers = { etag: etagOf(body), 'cache-control': 'no-cache', ...extraHeaders };
  if (noneMatchHolds(request.header('if-none-match'), headers.etag)) return { status: 304, headers };
  return { status: 200, body, headers: { ...headers, 'content-type': contentType } };
};

/**
 * The headers of an HTML page the API serves (the docs, the delegate's pages): its CSP, never cached (a new
 * nonce each time), no referrer, no sniffing, never framed.
 */
export const htmlPageHeaders = (contentSecurityPolicy: string): Record<string, string> => ({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': contentSecurityPolicy,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

/** The address the API was called at, e.g. `https://api.example.org/`, to make absolute links with. */
export const requestBaseUrl = (request: HttpRequest): string => {
  const protocol = request.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https' ? 'https' : 'http';
  const sentHost = request.header('host') ?? '';
  const host = /^[\w.-]+(:\d{1,5})?$/.test(sentHost) ? sentHost : request.event.requestContext.domainName;
  return `${protocol}://${host}/`;
};

const toResult = (response: HttpResponse, correlationId: string): APIGatewayProxyStructuredResultV2 => {
  const isText = typeof response.body === 'string';
  return {
    statusCode: response.status,
    headers: {
      ...(response.body === undefined || isText ? {} : { 'content-type': 'application/json' }),
      'x-correlation-id': correlationId,
      ...response.headers,
    },
    body:
      response.body === undefined ? '' : isText ? (response.body as string) : JSON.stringify(response.body),
    ...(response.isBase64Encoded ? { isBase64Encoded: true } : {}),
  };
};

/** The route of `infra/definitions/routes.ts` an event was routed by (API Gateway's route key). */
const routesByKey = new Map(routes.map((route) => [`${route.method} ${route.path}`, route]));

/**
 * One metric per answer: commands (write routes) by outcome, queries by count, and 409s as conflicts,
 * all with the route as a dimension. Every invocation so records at least one metric.
 */
const recordOutcome = (event: APIGatewayProxyEventV2, status: number): void => {
  const routeKey = event.routeKey ?? event.requestContext?.routeKey ?? 'unknown';
  const route = routesByKey.get(routeKey);
  metrics.addDimension(ROUTE_DIMENSION, route?.name ?? routeKey);
  const writes = route ? route.writes : event.requestContext?.http?.method === 'POST';
  const name = !writes
    ? metricNames.queryAnswered
    : status >= 500
      ? metricNames.commandFailed
      : status >= 400
        ? metricNames.commandRejected
        : metricNames.commandSucceeded;
  metrics.addMetric(name, MetricUnit.Count, 1);
  if (status === 409) metrics.addMetric(metricNames.conflicts, MetricUnit.Count, 1);
};

const answer = async (
  access: Access,
  handle: (request: HttpRequest) => Promise<HttpResponse>,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  let correlationId = event.requestContext?.requestId ?? 'unknown';
  try {
    const principal = await authenticate(access, event.headers ?? {});
    const request = toRequest(event, principal);
    correlationId = request.correlationId;
    logger.appendKeys({ correlationId });
    return toResult(await handle(request), correlationId);
  } catch (error) {
    const result = toProblem(error);
    return { ...result, headers: { ...result.headers, 'x-correlation-id': correlationId } };
  }
};

/**
 * The one middy chain of every HTTP function: structured logging with the correlation id, metrics of the
 * outcome, the caller authenticated for the route's access level, every retry of the request within one
 * budget taken from the Lambda context's remaining time, and every failure turned into problem+json.
 */
export const httpRoute = (access: Access, handle: (request: HttpRequest) => Promise<HttpResponse>) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async (event, context) => {
      const result = await withinBudget(context, () => answer(access, handle, event));
      recordOutcome(event, result.statusCode ?? 200);
      return result;
    });
