import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { problemType } from '../functions/shared/http/problem-types.js';
import { dynamoDb } from '../functions/shared/runtime/config.js';
import { ANY_ORIGIN, type CorsRequest, corsResponseHeaders, isPreflight } from '../infra/definitions/cors.js';
import { routes as definedRoutes, type RouteDefinition } from '../infra/definitions/routes.js';
import { LOCAL_ACCOUNT } from './aws-config.js';
import { EXPORTS_PATH, serveExport } from './export-files.js';
import { createLambdaContext, invokeHandler } from './lambda-context.js';
import { consoleLogger, type LocalLogger } from './log.js';
import { describePortOwner } from './ports.js';
import { importFunction, repoRoot } from './repo-modules.js';
import { checkTableGrants, withTableGrants } from './table-grants.js';

/** A handler may also return a bare string or object, which API Gateway turns into a 200 JSON answer. */
type HandlerResult = APIGatewayProxyResultV2<Record<string, unknown>>;

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HandlerResult>;

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Defaults to the routes of infra/definitions/routes.ts. */
  routes?: readonly RouteDefinition[];
  /** How a route's handler is loaded; default: import `route.entry` from the repository root, once. */
  loadHandler?: (route: RouteDefinition) => Promise<HttpHandler>;
  maxBodyBytes?: number;
  logger?: LocalLogger;
  /** Serves the large exports written there at /exports/ (the cloud's presigned S3 links). */
  exportsDir?: string;
  /**
   * The origins whose browsers may call the API (infra/definitions/cors.ts: the same rules as the
   * cloud's corsPreflight); default `*` (every origin), which only the local server has.
   */
  allowedOrigins?: readonly string[];
}

export interface HttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  close(): Promise<void>;
}

const ONE_MEGABYTE = 1024 * 1024;

interface CompiledRoute {
  route: RouteDefinition;
  segments: Array<{ literal: string } | { param: string }>;
}

const compile = (route: RouteDefinition): CompiledRoute => ({
  route,
  segments: route.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = /^\{([^}]+)\}$/.exec(segment)?.[1];
      return param ? { param } : { literal: segment };
    }),
});

/** The path parameters when `rawPath` fits the template, else undefined. */
/**
 * A request as the log shows it: the route's path with its id parameters filled in; any other parameter
 * (a visa letter's verification code, a secret of sorts) by its name only, as API Gateway's routeKey has it.
 */
const loggedPath = (route: RouteDefinition, params: Record<string, string>): string =>
  route.path.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name.endsWith('Id') && params[name] !== undefined ? params[name] : whole,
  );

const matchPath = (compiled: CompiledRoute, rawPath: string): Record<string, string> | undefined => {
  const parts = rawPath.split('/').slice(1);
  if (!rawPath.startsWith('/') || parts.length !== compiled.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of compiled.segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (part !== segment.literal) return undefined;
      continue;
    }
    if (part === '') return undefined;
    try {
      params[segment.param] = decodeURIComponent(part);
    } catch {
      return undefined;
    }
  }
  return params;
};

/** Literal segments win over parameters, left to right, as API Gateway picks the most specific route. */
const specificity = (compiled: CompiledRoute) =>
  compiled.segments.map((segment) => ('literal' in segment ? '1' : '0')).join('');

const problem = (
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
) => {
  const body = JSON.stringify({ type: problemType(title), title, status, detail });
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');
/** API Gateway's `requestContext.time`, e.g. `12/Mar/2020:19:03:58 +0000`. */
const requestTime = (date: Date) =>
  `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
  `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;

type BodyResult = { body: string; isBase64Encoded: boolean } | { tooLarge: true };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text as it is when the bytes are UTF-8; otherwise the bytes in base64, flagged as such, as API Gateway
 * hands over a body it does not take for text: never decoded with U+FFFD for what was not UTF-8.
 */
const bodyOf = (bytes: Buffer): { body: string; isBase64Encoded: boolean } => {
  try {
    return { body: utf8.decode(bytes), isBase64Encoded: false };
  } catch {
    return { body: bytes.toString('base64'), isBase64Encoded: true };
  }
};

/**
 * Reads the body up to `limit` bytes. A larger one is read on and thrown away (up to a few times the limit,
 * so that the client gets to read the 413 rather than a reset connection) before `tooLarge` is reported.
 */
const readBody = (request: IncomingMessage, limit: number): Promise<BodyResult> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(request.headers['content-length'] ?? 0) > limit;
    const giveUp = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.resume();
      resolve({ tooLarge: true });
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (size > 4 * limit) giveUp();
      else if (!tooLarge) chunks.push(chunk);
    };
    const onEnd = () => resolve(tooLarge ? { tooLarge: true } : bodyOf(Buffer.concat(chunks)));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });

/** An API Gateway HTTP API payload format 2.0 event for one request. */
export const toApiGatewayEvent = (
  request: IncomingMessage,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  body: string,
  isBase64Encoded = false,
): APIGatewayProxyEventV2 => {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart >= 0 ? url.slice(0, queryStart) : url;
  const rawQueryString = queryStart >= 0 ? url.slice(queryStart + 1) : '';

  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (name !== 'cookie' && values) headers[name] = values.join(',');
  }
  const cookies = (request.headersDistinct.cookie ?? [])
    .flatMap((header) => header.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');

  const query = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query.set(name, [...(query.get(name) ?? []), value]);
  }

  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  const host = (request.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    cookies: cookies.length ? cookies : undefined,
    headers,
    queryStringParameters: query.size
      ? Object.fromEntries([...query].map(([name, values]) => [name, values.join(',')]))
      : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    body: body === '' ? undefined : body,
    isBase64Encoded,
  };
};

const isStructured = (result: HandlerResult): result is APIGatewayProxyStructuredResultV2 =>
  typeof result === 'object' && result !== null && 'statusCode' in result;

/** Writes a handler's result as API Gateway does (a bare string or object becomes a 200 JSON body). */
const writeResult = (response: ServerResponse, result: HandlerResult, requestId: string) => {
  const structured: APIGatewayProxyStructuredResultV2 = isStructured(result)
    ? result
    : {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: typeof result === 'string' ? result : JSON.stringify(result),
      };
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = Buffer.from(structured.body ?? '', structured.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  response.writeHead(structured.statusCode ?? 200, headers);
  response.end(body);
};

/**
 * The local stand-in for API Gateway's HTTP API: one node:http server on loopback that matches each
 * request against the routes, and calls the route's handler module with a payload 2.0 event.
 */
export const startHttpServer = async (options: HttpServerOptions): Promise<HttpServer> => {
  const {
    port,
    host = '127.0.0.1',
    routes = definedRoutes,
    maxBodyBytes = ONE_MEGABYTE,
    logger = consoleLogger('http'),
  } = options;
  const loadHandler =
    options.loadHandler ??
    ((route: RouteDefinition) => importFunction<HttpHandler>(route.entry, 'handler', repoRoot));
  const compiled = routes.map(compile).sort((a, b) => specificity(b).localeCompare(specificity(a)));
  const handlers = new Map<string, Promise<HttpHandler>>();

  const handlerOf = (route: RouteDefinition) => {
    const key = `${route.method} ${route.path}`;
    let handler = handlers.get(key);
    if (!handler) {
      handler = loadHandler(route);
      handlers.set(key, handler);
      // Not cached when the module cannot be loaded: the next request tries again.
      handler.catch(() => handlers.delete(key));
    }
    return handler;
  };

  const allowedOrigins = options.allowedOrigins ?? [ANY_ORIGIN];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method ?? 'GET';
    const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
    // CORS as API Gateway's corsPreflight does it: it answers preflights itself (204, with the CORS
    // headers only for an allowed origin) and adds the origin and exposed headers to every other answer.
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(',') : value;
    };
    const cors: CorsRequest = {
      method,
      ...(header('origin') === undefined ? {} : { origin: header('origin') }),
      ...(header('access-control-request-method') === undefined
        ? {}
        : { requestMethod: header('access-control-request-method') }),
      ...(header('access-control-request-headers') === undefined
        ? {}
        : { requestHeaders: header('access-control-request-headers') }),
    };
    const corsHeaders = corsResponseHeaders(cors, allowedOrigins);
    if (isPreflight(cors)) {
      request.resume();
      response.writeHead(204, { ...corsHeaders, 'content-length': '0' });
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(corsHeaders)) response.setHeader(name, value);
    if (options.exportsDir && method === 'GET' && rawPath.startsWith(EXPORTS_PATH)) {
      request.resume();
      await serveExport(options.exportsDir, rawPath, response);
      return;
    }
    const onPath = compiled
      .map((candidate) => ({ candidate, params: matchPath(candidate, rawPath) }))
      .filter((match) => match.params !== undefined);
    if (onPath.length === 0) {
      request.resume();
      problem(response, 404, 'Not Found', `No route matches ${method} ${rawPath}`);
      return;
    }
    const match = onPath.find(({ candidate }) => candidate.route.method === method);
    if (!match?.params) {
      request.resume();
      const allowed = [...new Set(onPath.map(({ candidate }) => candidate.route.method))].join(', ');
      problem(response, 405, 'Method Not Allowed', `${method} is not allowed on ${rawPath}; use ${allowed}`, {
        allow: allowed,
      });
      return;
    }
    const { route } = match.candidate;
    loggedAs.set(request, `${method} ${loggedPath(route, match.params)}`);
    const read = await readBody(request, maxBodyBytes);
    if ('tooLarge' in read) {
      problem(
        response,
        413,
        'Content Too Large',
        `The request body exceeds the limit of ${maxBodyBytes} bytes`,
        { connection: 'close' },
      );
      return;
    }
    const event = toApiGatewayEvent(request, route, match.params, read.body, read.isBase64Encoded);
    const requestId = event.requestContext.requestId;
    try {
      const handler = await handlerOf(route);
      // Each route only the tables its definition grants, as its role in the cloud (local/table-grants.ts).
      checkTableGrants(dynamoDb(), (message) => logger.error(`${route.name}: ${message}`));
      const result = await withTableGrants(route, () =>
        invokeHandler(handler, event, createLambdaContext(route.name, 29_000)),
      );
      writeResult(response, result, requestId);
    } catch (error) {
      logger.error(`${route.name} (${loggedAs.get(request)}, request ${requestId}) failed`, error);
      if (!response.headersSent) {
        problem(response, 500, 'Internal Server Error', `The request failed; request id ${requestId}`, {
          'apigw-requestid': requestId,
        });
      } else response.end();
    }
  };

  /** What the log says of a request routed to a handler (loggedPath); others by their method and path. */
  const loggedAs = new WeakMap<IncomingMessage, string>();
  const described = (request: IncomingMessage) =>
    loggedAs.get(request) ?? `${request.method} ${(request.url ?? '/').split('?')[0]}`;

  const server = createServer((request, response) => {
    const started = Date.now();
    response.once('finish', () =>
      logger.info(`${described(request)} ${response.statusCode} ${Date.now() - started} ms`),
    );
    handle(request, response).catch((error: unknown) => {
      logger.error(`${described(request)} failed`, error);
      if (!response.headersSent) problem(response, 500, 'Internal Server Error', 'The request failed');
      else response.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Cannot start the HTTP API: port ${port} on ${host} is already in use by ${describePortOwner(port)}. ` +
                'Or choose another port with PORT.',
            )
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // Requests still running get a moment to finish; then their connections are cut.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
};
