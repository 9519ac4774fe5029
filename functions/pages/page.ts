import { randomBytes } from 'node:crypto';
import escapeHtml from 'escape-html';
import { textDirection } from '../../domain/notifications/messages/index.js';
import type { Language } from '../../domain/shared/languages.js';
import { type HttpResponse, htmlPageHeaders } from '../shared/http/http.js';
import type { PageScript } from './scripts.js';
import { type PageStrings, pageStrings } from './strings.js';

/** What a page's script reads from the page: its words and the ids it works on. */
export interface PageData {
  language: Language;
  strings: PageStrings;
  [key: string]: unknown;
}

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, "Noto Sans", "Noto Naskh Arabic", "Noto Sans SC", sans-serif; }
  body { margin: 0 auto; max-width: 40rem; padding: 1rem; line-height: 1.5; color: #1b1b1b; background: #fff; }
  h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  .hint { font-weight: 400; color: #4a4a4a; }
  input, select, textarea { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem;
    border: 1px solid #5f5f5f; border-radius: 4px; }
  input[type=checkbox], input[type=radio] { width: auto; margin-inline-end: .5rem; }
  fieldset { border: 1px solid #5f5f5f; border-radius: 4px; margin-top: 1rem; }
  button { font: inherit; margin-top: 1rem; padding: .6rem 1.2rem; border: 0; border-radius: 4px; background: #0b4f8a;
    color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #0b4f8a; border: 2px solid #0b4f8a; }
  button.danger { background: #a1232b; }
  :focus-visible { outline: 3px solid #c05600; outline-offset: 2px; }
  .error { color: #a1232b; font-weight: 600; }
  [aria-invalid=true] { border-color: #a1232b; border-width: 2px; }
  dl { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: .25rem 1rem; }
  dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
  .notice { padding: .75rem; border-inline-start: 4px solid #0b4f8a; background: #eef4fa; }
  a { color: #0b4f8a; }
  [hidden] { display: none !important; }
`;

/** Only this origin, no inline script; the one style element with this answer's nonce. */
const contentSecurityPolicy = (nonce: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** JSON inside HTML: `<` escaped so that no `</script>` ends the element early. */
const jsonInHtml = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * A delegate's page (CONTRACT 5.6): in `language` (right to left for Arabic), usable with a keyboard and a
 * screen reader, its HTML made here with every text escaped, its behaviour in its bundled script.
 */
export const pageResponse = (options: {
  language: Language;
  title: string;
  script: PageScript;
  /** The page's content before its script runs (escaped HTML). */
  main: string;
  data?: Record<string, unknown>;
}): HttpResponse => {
  const nonce = randomBytes(16).toString('base64');
  const data: PageData = {
    language: options.language,
    strings: pageStrings[options.language],
    ...options.data,
  };
  const body = `<!doctype html>
<html lang="${options.language}" dir="${textDirection(options.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
<script type="application/json" id="page-data">${jsonInHtml(data)}</script>
<script src="/pages/${options.script}.js" defer></script>
</head>
<body>
<main id="main">
${options.main}
</main>
<div id="announcer" role="status" aria-live="polite"></div>
</body>
</html>
`;
  return {
    status: 200,
    body,
    headers: { ...htmlPageHeaders(contentSecurityPolicy(nonce)), 'content-language': options.language },
  };
};

/** Escaped text for the pages' HTML. */
export const html = (text: string) => escapeHtml(text);
