import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsRules, parseAllowedOrigins } from '../../infra/definitions/cors.js';
import { type HttpServer, startHttpServer } from '../../local/http-server.js';
import { silentLogger } from '../../local/log.js';

/**
 * The local HTTP server answers CORS by the rules CDK gives API Gateway (infra/definitions/cors.ts), over
 * real HTTP, with the real route table and the real Health handler.
 */
const ALLOWED = 'https://conference.example.org';
const OTHER = 'https://attacker.example.net';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const send = (server: HttpServer, method: string, path: string, headers: Record<string, string> = {}) =>
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
    outgoing.end();
  });

const corsHeaderNames = (reply: Reply) =>
  Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));

const preflight = (
  server: HttpServer,
  origin: string,
  method = 'POST',
  headers = 'content-type,idempotency-key',
) =>
  send(server, 'OPTIONS', '/conferences/c1/registrations', {
    origin,
    'access-control-request-method': method,
    'access-control-request-headers': headers,
  });

describe('CORS of the local HTTP server, for the origins of ALLOWED_ORIGINS', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer({
      port: 0,
      logger: silentLogger,
      allowedOrigins: parseAllowedOrigins(`${ALLOWED}, https://organizers.example.org`),
    });
  });
  afterAll(() => server.close());

  it('answers a preflight from an allowed origin with the methods and headers the API takes', async () => {
    const reply = await preflight(server, ALLOWED, 'POST', 'Content-Type, Idempotency-Key, X-Manage-Token');
    expect(reply.status).toBe(204);
    expect(reply.body).toBe('');
    expect(reply.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(reply.headers.vary).toBe('Origin');
    const allowHeaders = String(reply.headers['access-control-allow-headers']).split(',');
    for (const name of [
      'authorization',
      'x-manage-token',
      'idempotency-key',
      'content-type',
      'x-delegation-token',
      'x-correlation-id',
    ])
      expect(allowHeaders).toContain(name);
    expect(String(reply.headers['access-control-allow-methods']).split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT']),
    );
    // The registration form is PUT: its preflight is answered too.
    const put = await preflight(server, ALLOWED, 'PUT', 'Authorization, Content-Type');
    expect(put.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(reply.headers['access-control-max-age']).toBe(String(corsRules.maxAgeSeconds));
    // Preflights are answered by the server, never by a handler: also on a path that needs a token.
    expect(
      (await preflight(server, ALLOWED, 'GET', 'authorization')).headers['access-control-allow-origin'],
    ).toBe(ALLOWED);
  });

  it('gives a preflight from an origin not allowed no CORS headers', async () => {
    const reply = await preflight(server, OTHER);
    expect(reply.status).toBe(204);
    expect(corsHeaderNames(reply)).toEqual([]);
    // Nor one asking for a header or method the API does not take.
    expect(corsHeaderNames(await preflight(server, ALLOWED, 'POST', 'x-custom'))).toEqual([]);
    expect(corsHeaderNames(await preflight(server, ALLOWED, 'DELETE', 'content-type'))).toEqual([]);
  });

  it('adds the allowed origin and the exposed headers to actual answers, errors included', async () => {
    const ok = await send(server, 'GET', '/health', { origin: ALLOWED });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ status: 'ok' });
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(ok.headers['access-control-expose-headers']).split(',')).toEqual([
      'location',
      'retry-after',
    ]);
    const missing = await send(server, 'GET', '/no-such-route', { origin: ALLOWED });
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(ALLOWED);

    const other = await send(server, 'GET', '/health', { origin: OTHER });
    expect(other.status).toBe(200);
    expect(corsHeaderNames(other)).toEqual([]);
    const sameOrigin = await send(server, 'GET', '/health');
    expect(corsHeaderNames(sameOrigin)).toEqual([]);
  });
});

describe('CORS of the local HTTP server by default', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer({ port: 0, logger: silentLogger });
  });
  afterAll(() => server.close());

  it('allows every origin (locally only)', async () => {
    const reply = await preflight(server, OTHER);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    const ok = await send(server, 'GET', '/health', { origin: OTHER });
    expect(ok.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('allowed origins as a setting', () => {
  it('takes origins and `*`, and refuses what no browser sends as an Origin', () => {
    expect(parseAllowedOrigins(' https://a.example , http://localhost:5173,,')).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(parseAllowedOrigins('*')).toEqual(['*']);
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(() => parseAllowedOrigins('https://a.example/')).toThrow(/https:\/\/a\.example/);
    expect(() => parseAllowedOrigins('https://a.example/path')).toThrow(/no path/);
    expect(() => parseAllowedOrigins('a.example')).toThrow(/not an origin/);
  });
});
