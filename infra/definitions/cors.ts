/**
 * CORS of the HTTP API (CONTRACT 5.1, issue 16 item 3), declared once: CDK gives these rules to API
 * Gateway's `corsPreflight` (and the exports bucket's CORS), and the local HTTP server answers by the same
 * rules (`corsResponseHeaders`), so a browser on an allowed origin sees the same answers from both.
 */
export const corsRules = {
  /** The request headers the API takes: a preflight may ask for these (case-insensitive). */
  allowHeaders: [
    'Authorization',
    'X-Manage-Token',
    'Idempotency-Key',
    'Content-Type',
    'X-Delegation-Token',
    'X-Correlation-Id',
  ],
  /** Every method of the routes (infra/definitions/routes.ts; a test holds them together). */
  allowMethods: ['GET', 'POST', 'PUT', 'OPTIONS'],
  /** Response headers a page may read besides the CORS-safelisted ones. */
  exposeHeaders: ['Location', 'Retry-After'],
  /** How long a browser may cache a preflight's answer. */
  maxAgeSeconds: 3600,
  /** No cookies: the API's credentials are headers (a JWT, a manage token), never ambient ones. */
  allowCredentials: false,
} as const;

/** The CDK context key of the allowed origins: `-c allowedOrigins=https://a,https://b`. */
export const ALLOWED_ORIGINS_CONTEXT = 'allowedOrigins';
/** The environment variable of the allowed origins of the local server (default `*`, locally only). */
export const ALLOWED_ORIGINS_ENV = 'ALLOWED_ORIGINS';
/** Every origin: the local server's default, and never the cloud's. */
export const ANY_ORIGIN = '*';

/**
 * The allowed origins of a comma-separated setting: each `*` or an origin as a browser sends it
 * (scheme, host, optional port; no path, no trailing slash). Anything else is refused with the reason,
 * since an origin that never matches would fail silently in every browser.
 */
export const parseAllowedOrigins = (setting: string | undefined): string[] => {
  const origins = (setting ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (origin === ANY_ORIGIN) continue;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new Error(`Allowed origin ${JSON.stringify(origin)} is not an origin (e.g. https://example.org)`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin)
      throw new Error(
        `Allowed origin ${JSON.stringify(origin)} is not an origin as browsers send it: write ${JSON.stringify(
          parsed.origin,
        )} (scheme, host and port only, no path or trailing slash)`,
      );
  }
  return [...new Set(origins)];
};

const lower = (names: readonly string[]) => names.map((name) => name.toLowerCase());

/** What a request carries that CORS answers: its Origin, and for a preflight what it asks for. */
export interface CorsRequest {
  method: string;
  origin?: string;
  /** Access-Control-Request-Method: present on a preflight only. */
  requestMethod?: string;
  /** Access-Control-Request-Headers of a preflight, comma-separated. */
  requestHeaders?: string;
}

export const isPreflight = (request: CorsRequest): boolean =>
  request.method.toUpperCase() === 'OPTIONS' && request.requestMethod !== undefined;

/** Whether `origin` is one of `allowedOrigins` (or they allow any). */
export const originAllowed = (origin: string | undefined, allowedOrigins: readonly string[]): boolean =>
  origin !== undefined && (allowedOrigins.includes(ANY_ORIGIN) || allowedOrigins.includes(origin));

/**
 * The CORS headers of an answer, as API Gateway's HTTP API gives them: none for a request without an
 * allowed Origin (a preflight from another origin included); for a preflight the allowed methods and
 * headers (refused, without CORS headers, when it asks for a method or header the API does not take);
 * for any other request the allowed origin and the exposed headers.
 */
export const corsResponseHeaders = (
  request: CorsRequest,
  allowedOrigins: readonly string[],
): Record<string, string> => {
  if (!originAllowed(request.origin, allowedOrigins)) return {};
  const allowOrigin = allowedOrigins.includes(ANY_ORIGIN) ? ANY_ORIGIN : (request.origin as string);
  const vary: Record<string, string> = allowOrigin === ANY_ORIGIN ? {} : { vary: 'Origin' };
  if (!isPreflight(request))
    return {
      'access-control-allow-origin': allowOrigin,
      'access-control-expose-headers': lower(corsRules.exposeHeaders).join(','),
      ...vary,
    };
  const method = (request.requestMethod ?? '').trim().toUpperCase();
  const asked = (request.requestHeaders ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const allowedHeaders = lower(corsRules.allowHeaders);
  if (!(corsRules.allowMethods as readonly string[]).includes(method)) return {};
  if (asked.some((name) => !allowedHeaders.includes(name))) return {};
  return {
    'access-control-allow-origin': allowOrigin,
    'access-control-allow-methods': corsRules.allowMethods.join(','),
    'access-control-allow-headers': allowedHeaders.join(','),
    'access-control-max-age': String(corsRules.maxAgeSeconds),
    ...vary,
  };
};
