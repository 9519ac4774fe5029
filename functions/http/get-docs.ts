import { randomBytes } from 'node:crypto';
import escapeHtml from 'escape-html';
import { htmlPageHeaders, httpRoute } from '../shared/http/http.js';

/** Where the page finds the document and the renderer, relative to `/docs`: the same origin, always. */
const DOCS_LINKS = { document: 'openapi.json', script: 'docs/assets/api-reference.js' } as const;

/**
 * Scalar's settings: nothing that reaches another origin (fonts, telemetry, the AI agent, MCP, the
 * developer toolbar of hosted Scalar); requests sent from the page go straight to this API.
 */
const scalarConfiguration = {
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: 'never',
  documentDownloadType: 'json',
  persistAuth: false,
};

/**
 * Only this origin: scripts from it and no inline script at all; style elements only with the nonce of
 * this answer (Scalar reads it from the csp-nonce meta element); style attributes, which Scalar sets on
 * some elements, are allowed; images and fonts from this origin or data: URLs.
 */
const contentSecurityPolicy = (nonce: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

const page = (nonce: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta property="csp-nonce" content="${nonce}">
    <title>Learning Cities conference API</title>
  </head>
  <body>
    <noscript>The documentation needs JavaScript; the OpenAPI document itself is at <a href="${DOCS_LINKS.document}">${DOCS_LINKS.document}</a>.</noscript>
    <script id="api-reference" data-url="${DOCS_LINKS.document}" data-configuration="${escapeHtml(JSON.stringify(scalarConfiguration))}"></script>
    <script src="${DOCS_LINKS.script}"></script>
  </body>
</html>
`;

export const handler = httpRoute('public', async () => {
  const nonce = randomBytes(16).toString('base64');
  return {
    status: 200,
    body: page(nonce),
    headers: htmlPageHeaders(contentSecurityPolicy(nonce)),
  };
});
