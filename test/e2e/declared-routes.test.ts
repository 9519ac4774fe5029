import { join } from 'node:path';
import { parseDocument } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';

/**
 * Issue 16 item 2: the local runtime holds every route's handler to the tables its definition declares
 * (local/table-grants.ts), so a route's declaration is proved only when some test calls it. These are
 * the routes no other end-to-end suite called (a run of them all with TABLE_ACCESS_LOG): health, the
 * API's description and docs, the pages and their scripts, awards, the check-in code. Each is called
 * here on `npm start`, its success answer read back by independent parsers (JSON.parse, htmlparser2,
 * mailparser), so a declaration that misses a table fails here as a 500.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.apiUrl}${path}`, { headers });

/** The elements of an HTML page by tag name, as htmlparser2 reads them. */
type Element = { name: string; attribs: Record<string, string>; children: Node[] };
type Node = Element | { type: string; data?: string; children?: Node[] };
const elementsOf = (html: string, name: string): Element[] => {
  const found: Element[] = [];
  const walk = (nodes: readonly Node[]) => {
    for (const node of nodes) {
      if ('name' in node && node.name === name) found.push(node);
      if (node.children) walk(node.children);
    }
  };
  walk(parseDocument(html).children as unknown as Node[]);
  return found;
};
const textOf = (node: Node): string =>
  'data' in node && typeof node.data === 'string' && !('name' in node)
    ? node.data
    : (node.children ?? []).map(textOf).join('');

const delegate = (email: string) => ({
  givenName: 'Sipho',
  familyName: 'Ndlovu',
  email,
  country: 'ZA',
  city: 'Cape Town',
  category: 'mayor',
  consent: true,
});

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call('POST', '/conferences', { ...iclc2015, capacity: 5 }, organizer());
  expect(created.status, created.text).toBe(201);
  conferenceId = created.body.conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: the routes no other suite calls, each held to its declared tables', () => {
  it('Health answers ok', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GetOpenApi answers the OpenAPI document, which describes the award routes', async () => {
    const response = await get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('json');
    const document = JSON.parse(await response.text()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths['/conferences/{conferenceId}/awards'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
  });

  it('GetDocs answers a page whose script GetDocsAsset serves', async () => {
    const page = await get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const sources = elementsOf(await page.text(), 'script')
      .map((script) => script.attribs.src)
      .filter((src): src is string => Boolean(src));
    expect(sources).toHaveLength(1);
    const asset = await fetch(new URL(sources[0] ?? '', `${server.apiUrl}/docs`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await asset.text()).length).toBeGreaterThan(10_000);
  });

  it('GetRegistrationPage answers the form page with the conference name, and GetPageScript its script', async () => {
    const page = await get(`/conferences/${conferenceId}/register`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(elementsOf(html, 'h1').map(textOf)).toContain(iclc2015.name);
    const data = elementsOf(html, 'script').find((script) => script.attribs.id === 'page-data');
    expect(JSON.parse(textOf(data ?? { type: 'text' }))).toMatchObject({ conferenceId });
    const src = elementsOf(html, 'script').find((script) => script.attribs.src)?.attribs.src ?? '';
    expect(src).toBe('/pages/register.js');
    const script = await get(src);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeGreaterThan(100);
  });

  it('GetConfirmationPage shows what the link confirms (changing nothing), the manage page and its script follow', async () => {
    const { emailConfirmation: _v1, ...v12 } = iclc2015;
    const created = await call('POST', '/conferences', { ...v12, capacity: 5 }, organizer());
    expect(created.status, created.text).toBe(201);
    const confirming = created.body.conferenceId as string;
    const address = 'sipho.confirms@example.org';
    const requested = await call('POST', `/conferences/${confirming}/registrations`, delegate(address));
    expect(requested.status, requested.text).toBe(202);
    const { mail } = await eventually(async () =>
      (await outboxMailsTo(join(server.dataDir, 'outbox'), address)).find(({ mail }) =>
        /please confirm/i.test(mail.subject ?? ''),
      ),
    );
    const link = /(http:\/\/\S+\/registrations\/confirm\?token=[A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1];
    if (!link) throw new Error(`no confirmation link in ${mail.text}`);
    const page = await get(new URL(link).pathname + new URL(link).search);
    expect(page.status).toBe(200);
    const html = await page.text();
    const shown = elementsOf(html, 'dd').map(textOf);
    expect(shown).toEqual(expect.arrayContaining([address, 'Sipho Ndlovu']));
    expect(elementsOf(html, 'button').map((button) => button.attribs.id)).toContain('confirm');
    // The GET confirmed nothing: the token still confirms, once.
    const token = new URL(link).searchParams.get('token');
    const confirmed = await call('POST', '/registrations/confirm', { token });
    expect(confirmed.status, confirmed.text).toBe(201);
    const { registrationId } = confirmed.body;

    const manage = await get(`/conferences/${confirming}/registrations/${registrationId}/manage`);
    expect(manage.status).toBe(200);
    const managed = await manage.text();
    expect(elementsOf(managed, 'h1')).toHaveLength(1);
    const src = elementsOf(managed, 'script').find((script) => script.attribs.src)?.attribs.src ?? '';
    expect(src).toBe('/pages/manage.js');
    expect((await get(src)).status).toBe(200);
    expect((await get('/pages/confirm.js')).status).toBe(200);
  });

  it('GrantAward grants an award (201, then 409 for the same), and ListAwards lists it', async () => {
    const grant = {
      award: 'UNESCO Learning City Award',
      year: 2015,
      city: 'Cork',
      country: 'IE',
      citation: 'For its lifelong learning festival.',
    };
    const granted = await call('POST', `/conferences/${conferenceId}/awards`, grant, organizer());
    expect(granted.status, granted.text).toBe(201);
    expect(granted.body.awardId).toEqual(expect.any(String));
    const again = await call('POST', `/conferences/${conferenceId}/awards`, grant, organizer());
    expect(again.status).toBe(409);
    const listed = await call('GET', `/conferences/${conferenceId}/awards`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.awards).toContainEqual(
      expect.objectContaining({ awardId: granted.body.awardId, city: 'Cork', country: 'IE', year: 2015 }),
    );
  });

  it('GetCheckInCode answers a registered delegate the code its registration email carries', async () => {
    const address = 'sipho.seated@example.org';
    const registered = await call('POST', `/conferences/${conferenceId}/registrations`, delegate(address));
    expect(registered.status, registered.text).toBe(201);
    expect(registered.body.status).toBe('registered');
    const { registrationId, manageToken } = registered.body;
    const code = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${registrationId}/check-in-code`,
      undefined,
      { 'x-manage-token': manageToken },
    );
    expect(code.status, code.text).toBe(200);
    expect(code.body.checkInCode).toEqual(expect.any(String));
    // The one email of the registration, read by mailparser: the same code.
    const mails = await eventually(async () => {
      const found = await outboxMailsTo(join(server.dataDir, 'outbox'), address);
      return found.length > 0 ? found : undefined;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.mail.text).toContain(code.body.checkInCode);
    // And no one else's token reads it.
    const denied = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${registrationId}/check-in-code`,
      undefined,
      { 'x-manage-token': 'x'.repeat(43) },
    );
    expect(denied.status).toBe(403);
  });
});
