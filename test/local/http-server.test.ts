import { request } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDefinition } from '../../infra/definitions/routes.js';
import { type HttpHandler, type HttpServer, startHttpServer } from '../../local/http-server.js';
import { silentLogger } from '../../local/log.js';

const route = (name: string, method: 'GET' | 'POST', path: string): RouteDefinition => ({
  name,
  method,
  path,
  entry: `test-only/${name}.ts`,
  access: 'public',
  writes: method === 'POST',
});

const testRoutes = [
  route('Echo', 'GET', '/things/{thingId}/parts/{partId}'),
  route('CreatePart', 'POST', '/things/{thingId}/parts'),
  route('Special', 'GET', '/things/special/parts/{partId}'),
  route('Fails', 'GET', '/fails'),
  route('Raw', 'GET', '/raw'),
];

const invocations: Array<{ event: APIGatewayProxyEventV2; context: Context }> = [];
const handlers: Record<string, HttpHandler> = {
  Echo: async (event, context) => {
    invocations.push({ event, context });
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'X-Route': event.routeKey },
      cookies: ['a=1; Path=/', 'b=2; Path=/'],
      body: JSON.stringify({ pathParameters: event.pathParameters }),
    };
  },
  CreatePart: async (event, context) => {
    invocations.push({ event, context });
    return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: event.body ?? '' };
  },
  Special: async () => ({ statusCode: 200, body: 'special' }),
  Fails: async () => {
    throw new Error('secret internals');
  },
  Raw: async () => ({ hello: 'world' }),
};
let loads = 0;

let server: HttpServer;
beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    routes: testRoutes,
    logger: silentLogger,
    loadHandler: async (definition) => {
      loads += 1;
      const handler = handlers[definition.name];
      if (!handler) throw new Error(`no handler for ${definition.name}`);
      return handler;
    },
  });
});
afterAll(() => server.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch: it can send repeated headers and cookies as they are. */
const send = (
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
) =>
  new Promise<Reply>((resolve, reject) => {
    const outgoing = request(`${server.url}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });

describe('local HTTP API', () => {
  it('hands the handler an API Gateway payload 2.0 event and a Lambda context', async () => {
    invocations.length = 0;
    const reply = await send('GET', '/things/caf%C3%A9%2F1/parts/p%201?b=2&a=1&a=3&empty=', {
      headers: { 'X-Multi': ['one', 'two'], Cookie: 'session=abc; theme=dark', 'User-Agent': 'vitest-agent' },
    });
    expect(reply.status).toBe(200);
    expect(invocations).toHaveLength(1);
    const { event, context } = invocations[0] as (typeof invocations)[number];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /things/{thingId}/parts/{partId}',
      rawPath: '/things/caf%C3%A9%2F1/parts/p%201',
      rawQueryString: 'b=2&a=1&a=3&empty=',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,3', b: '2', empty: '' },
      pathParameters: { thingId: 'café/1', partId: 'p 1' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1',
        http: {
          method: 'GET',
          path: '/things/caf%C3%A9%2F1/parts/p%201',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest-agent',
        },
        routeKey: 'GET /things/{thingId}/parts/{partId}',
        stage: '$default',
      },
    });
    expect(event.body).toBeUndefined();
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers['user-agent']).toBe('vitest-agent');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
    expect(context.functionName).toBe('Echo');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it("writes the handler's status, headers, cookies and body back", async () => {
    const reply = await send('GET', '/things/t1/parts/p1');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['x-route']).toBe('GET /things/{thingId}/parts/{partId}');
    expect(reply.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(JSON.parse(reply.body)).toEqual({ pathParameters: { thingId: 't1', partId: 'p1' } });
  });

  it('passes the body as a UTF-8 string and answers with the status the handler chose', async () => {
    const body = JSON.stringify({ name: 'Espoo ✓' });
    const reply = await send('POST', '/things/t1/parts', {
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toBe(body);
    expect(invocations.at(-1)?.event.body).toBe(body);
  });

  it('prefers the route with a literal segment over one with a parameter', async () => {
    expect((await send('GET', '/things/special/parts/p1')).body).toBe('special');
  });

  it('loads each handler module once', async () => {
    const before = loads;
    await send('GET', '/things/t1/parts/p1');
    await send('GET', '/things/t2/parts/p2');
    expect(loads).toBe(before);
  });

  it('answers a bare object as API Gateway does: 200 JSON', async () => {
    const reply = await send('GET', '/raw');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ hello: 'world' });
  });

  it('answers an unknown path with 404 problem+json', async () => {
    const reply = await send('GET', '/nowhere');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.body)).toEqual({
      type: 'https://learning-cities.dev/problems/not-found',
      title: 'Not Found',
      status: 404,
      detail: expect.stringContaining('/nowhere'),
    });
    expect((await send('GET', '/things/t1/parts/')).status).toBe(404);
  });

  it('answers a known path with another method with 405 and Allow', async () => {
    const reply = await send('DELETE', '/things/t1/parts');
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('POST');
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.body)).toMatchObject({
      type: 'https://learning-cities.dev/problems/method-not-allowed',
      title: 'Method Not Allowed',
      status: 405,
    });
  });

  it('refuses a body over 1 MB with 413 problem+json', async () => {
    const reply = await send('POST', '/things/t1/parts', { body: Buffer.alloc(1024 * 1024 + 1, 'a') });
    expect(reply.status).toBe(413);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.body)).toMatchObject({
      type: 'https://learning-cities.dev/problems/content-too-large',
      status: 413,
    });
    const fits = await send('POST', '/things/t1/parts', { body: Buffer.alloc(1024 * 1024, 'a') });
    expect(fits.status).toBe(201);
  });

  it('turns a handler that throws into 500 problem+json without internals', async () => {
    const reply = await send('GET', '/fails');
    expect(reply.status).toBe(500);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.body)).toMatchObject({
      type: 'https://learning-cities.dev/problems/internal-server-error',
      title: 'Internal Server Error',
      status: 500,
    });
    expect(reply.body).not.toContain('secret internals');
    expect(reply.body).not.toMatch(/at .*\.ts:\d+/);
  });
});
