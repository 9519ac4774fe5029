import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DOCS_SCRIPT } from '../../infra/definitions/routes.js';
import { readBundledFile } from '../shared/http/bundled-files.js';
import { type HttpRequest, httpRoute, noneMatchHolds } from '../shared/http/http.js';

interface Variant {
  body: string;
  isBase64Encoded: boolean;
  headers: Record<string, string>;
}

let variants: { identity: Variant; gzip: Variant } | undefined;

/**
 * The script, read and compressed once per execution environment. Gzip brings ~4.9 MB down to ~1.4 MB,
 * well inside the 6 MB a Lambda function may answer with (tested in test/api/openapi.test.ts).
 */
const loadVariants = () => {
  const script = readBundledFile(DOCS_SCRIPT);
  const digest = createHash('sha256').update(script).digest('base64url').slice(0, 27);
  const common = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=86400',
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  return {
    identity: {
      body: script.toString('utf8'),
      isBase64Encoded: false,
      headers: { ...common, etag: `"${digest}"` },
    },
    gzip: {
      body: gzipSync(script, { level: 9 }).toString('base64'),
      isBase64Encoded: true,
      headers: { ...common, etag: `"${digest}-gzip"`, 'content-encoding': 'gzip' },
    },
  };
};

/** Whether Accept-Encoding allows gzip (RFC 9110 section 12.5.3; `*` counts, `q=0` refuses). */
export const acceptsGzip = (acceptEncoding: string | undefined): boolean =>
  (acceptEncoding ?? '').split(',').some((entry) => {
    const [coding = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });

const answer = (request: HttpRequest) => {
  variants ??= loadVariants();
  const variant = acceptsGzip(request.header('accept-encoding')) ? variants.gzip : variants.identity;
  const { etag = '', 'cache-control': cacheControl = '', vary = '' } = variant.headers;
  if (noneMatchHolds(request.header('if-none-match'), etag))
    return { status: 304, headers: { etag, 'cache-control': cacheControl, vary } };
  return {
    status: 200,
    body: variant.body,
    isBase64Encoded: variant.isBase64Encoded,
    headers: variant.headers,
  };
};

export const handler = httpRoute('public', async (request) => answer(request));
