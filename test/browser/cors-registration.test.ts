import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';
import { launchChromium } from './chromium.js';
import { type StaticOrigin, serveHtml } from './static-origin.js';

/** A web site of the conference's own, on another origin than the API: it only has `fetch`. */
const SITE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Register for the conference</title></head>
<body><main><h1>Register</h1><output id="result"></output></main>
<script>
  window.callApi = async (url, init) => {
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    } catch (error) {
      return { failed: String(error) };
    }
  };
</script></body></html>`;

interface ApiAnswer {
  status?: number;
  body?: Record<string, unknown> | null;
  failed?: string;
}

interface Request {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What the page's script has, as seen from the test (which is compiled without the DOM's types). */
interface SitePage {
  callApi: (url: string, init: Request) => Promise<unknown>;
  document: { getElementById: (id: string) => { textContent: string | null } };
}

/** Makes the page call the API, shows the answer in the page, and reads it back from the page. */
const fromPage = async (page: Page, url: string, init: Request): Promise<ApiAnswer> => {
  await page.evaluate(
    async ({ url, init }) => {
      const site = globalThis as unknown as SitePage;
      const answer = await site.callApi(url, init);
      const result = site.document.getElementById('result');
      result.textContent = JSON.stringify(answer);
    },
    { url, init },
  );
  return JSON.parse((await page.textContent('#result')) ?? 'null') as ApiAnswer;
};

describe('a registration form on another origin, in a real browser', () => {
  let server: RunningServer;
  let site: StaticOrigin;
  let stranger: StaticOrigin;
  let browser: Browser;
  let conferenceId: string;

  beforeAll(async () => {
    site = await serveHtml(SITE);
    stranger = await serveHtml(SITE);
    server = await startServer({ ALLOWED_ORIGINS: site.url });
    browser = await launchChromium();
    // A conference of v1.2: its registrations wait for the owner of the address to confirm.
    const created = await httpClient(server.apiUrl)(
      'POST',
      '/conferences',
      { ...iclc2015, emailConfirmation: true },
      {
        authorization: `Bearer ${server.token}`,
      },
    );
    expect(created.status).toBe(201);
    conferenceId = created.body.conferenceId;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await site?.close();
    await stranger?.close();
  });

  it('registers, confirms from the mailed link and reads the registration back through fetch', async () => {
    const page = await browser.newPage();
    await page.goto(site.url);
    const email = 'browser.delegate@example.org';

    const registered = await fromPage(page, `${server.apiUrl}/conferences/${conferenceId}/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'browser-registration-1' },
      body: JSON.stringify({
        givenName: 'Lucía',
        familyName: 'Hernández',
        email,
        country: 'MX',
        city: 'Mexico City',
        category: 'civil-society',
        consent: true,
      }),
    });
    expect(registered).toEqual({ status: 202, body: { status: 'confirmation-sent' } });

    const outbox = join(server.dataDir, 'outbox');
    const token = await eventually(async () => {
      const mails = await outboxMailsTo(outbox, email);
      return mails.map(({ mail }) => mail.text?.match(/[?&#]token=([\w.~-]+)/)?.[1]).find(Boolean);
    });

    const confirmed = await fromPage(page, `${server.apiUrl}/registrations/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(confirmed.status).toBe(201);
    const { registrationId, manageToken } = confirmed.body as { registrationId: string; manageToken: string };
    expect(confirmed.body).toMatchObject({ conferenceId, status: 'registered' });

    const readBack = await fromPage(
      page,
      `${server.apiUrl}/conferences/${conferenceId}/registrations/${registrationId}`,
      { headers: { 'x-manage-token': manageToken } },
    );
    expect(readBack.status).toBe(200);
    expect(readBack.body).toMatchObject({
      registrationId,
      givenName: 'Lucía',
      familyName: 'Hernández',
      email,
    });
    await page.close();
  });

  it('refuses a page on an origin that is not allowed: the browser sees no CORS answer', async () => {
    const page = await browser.newPage();
    await page.goto(stranger.url);
    const answer = await fromPage(page, `${server.apiUrl}/conferences/${conferenceId}/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ givenName: 'X', familyName: 'Y', email: 'x@example.org', consent: true }),
    });
    expect(answer.failed).toMatch(/Failed to fetch/);
    // The same site's own origin reaches the API (a positive control for the refusal above).
    const allowed = await browser.newPage();
    await allowed.goto(site.url);
    expect((await fromPage(allowed, `${server.apiUrl}/health`, {})).status).toBe(200);
    await page.close();
    await allowed.close();
  });
});
