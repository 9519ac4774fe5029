import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageStrings as strings } from '../../functions/pages/strings.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';
import { pdfPagesText } from '../support/pdf-reader.js';
import { launchChromium } from './chromium.js';

/** Screenshots of every page, kept as artifacts of the run. */
const SHOTS = '.test-results/pages';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let conferenceId: string;

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now: the violations, by rule and node. */
const accessibilityViolations = async (page: Page) => {
  await page.evaluate(axe.source);
  const result = await page.evaluate(() => {
    const scope = globalThis as unknown as { axe: typeof axe; document: axe.ElementContext };
    return scope.axe.run(scope.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
  });
  return result.violations.map((violation) => ({
    rule: violation.id,
    nodes: violation.nodes.map((node) => node.html),
  }));
};

/** The registration's id in a manage page's path (`/registrations/<id>/manage`). */
const registrationIdOf = (url: string) =>
  new URL(url).pathname.match(/\/registrations\/([^/]+)\/manage/)?.[1];

const shoot = async (page: Page, name: string) => {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};

/** The link of the newest email to `address` whose link matches `pattern`. */
const mailedLink = (address: string, pattern: RegExp) =>
  eventually(async () => {
    const mails = await outboxMailsTo(join(server.dataDir, 'outbox'), address);
    return mails.map(({ mail }) => mail.text?.match(pattern)?.[0]).find(Boolean);
  });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchChromium();
  // axe is injected as a script: the pages' CSP (script-src 'self') would refuse it, as it should.
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
  const call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    {
      ...iclc2015,
      name: {
        en: iclc2015.name,
        ar: 'المؤتمر الدولي الثاني للمدن المتعلّمة',
        es: 'II Conferencia Internacional sobre Ciudades del Aprendizaje',
      },
      languages: ['en', 'es', 'ar'],
      defaultLanguage: 'en',
      emailConfirmation: true,
    },
    { authorization: `Bearer ${server.token}` },
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

/** A delegate registers, confirms, corrects, downloads the badge and cancels, in a browser only. */
const delegateJourney = async (language: 'en' | 'ar', email: string) => {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto(`${server.apiUrl}/conferences/${conferenceId}/register?lang=${language}`);
  await expect.poll(() => page.locator('form#registration button[type=submit]').count()).toBe(1);
  expect(await page.getAttribute('html', 'dir')).toBe(language === 'ar' ? 'rtl' : 'ltr');
  expect(await accessibilityViolations(page)).toEqual([]);
  await shoot(page, `${language}-1-register`);

  await page.locator('[name=givenName]').fill(language === 'ar' ? 'ليلى' : 'Lucía');
  await page.locator('[name=familyName]').fill(language === 'ar' ? 'حداد' : 'Hernández');
  await page.locator('[name=email]').fill(email);
  await page.locator('[name=country]').fill(language === 'ar' ? 'JO' : 'MX');
  await page.locator('[name=city]').fill(language === 'ar' ? 'عمّان' : 'Mexico City');
  await page.locator('[name=category]').selectOption('mayor');
  // Submitted without consent first: the error shows next to the field, and nothing is sent.
  await page.locator('button[type=submit]').click();
  await expect.poll(() => page.locator('[name=consent][aria-invalid=true]').count()).toBe(1);
  await page.locator('[name=consent]').check();
  // Publication is asked for apart, by its own labelled checkbox (reachable as a checkbox by its name).
  await page.getByRole('checkbox', { name: strings[language].consentToPublish }).check();
  await page.locator('button[type=submit]').click();
  await expect.poll(() => page.locator('h1').textContent()).not.toContain('Learning');
  expect(await accessibilityViolations(page)).toEqual([]);
  await shoot(page, `${language}-2-check-your-email`);

  const confirmLink = await mailedLink(email, /https?:\/\/\S+\/registrations\/confirm\?token=[\w.~%-]+/);
  await page.goto(confirmLink);
  // The GET changed nothing: the same link opened twice still shows its button.
  await page.reload();
  await expect.poll(() => page.locator('#confirm').count()).toBe(1);
  expect(await accessibilityViolations(page)).toEqual([]);
  await shoot(page, `${language}-3-confirm`);
  await page.locator('#confirm').click();
  await page.waitForURL(/\/manage\?lang=\w+#token=/);
  await expect.poll(() => page.locator('dl').count()).toBeGreaterThan(0);
  expect(new URL(page.url()).search).not.toContain('token');
  // The read back (the API's own, with the page's token) says what the page shows: published.
  const token = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('token') ?? '';
  const readBack = async () => {
    const answer = await httpClient(server.apiUrl)(
      'GET',
      `/conferences/${conferenceId}/registrations/${registrationIdOf(page.url())}`,
      undefined,
      { 'x-manage-token': token },
    );
    expect(answer.status).toBe(200);
    return answer.body as { city: string; consentToPublish: boolean };
  };
  expect((await readBack()).consentToPublish).toBe(true);
  expect(await page.locator('[name=consentToPublish]').isChecked()).toBe(true);
  expect(await page.locator('dd', { hasText: strings[language].published }).count()).toBe(1);
  expect(await accessibilityViolations(page)).toEqual([]);
  await shoot(page, `${language}-4-manage`);

  const city = language === 'ar' ? 'الزرقاء' : 'Guadalajara';
  await page.locator('[name=city]').fill(city);
  // Withdrawn in the same correction: the read back then says false, and the page shows it unticked.
  await page.getByRole('checkbox', { name: strings[language].consentToPublish }).uncheck();
  await page.locator('form:has([name=city]) button[type=submit]').click();
  await expect.poll(() => page.locator('dd', { hasText: city }).count()).toBe(1);
  expect(await readBack()).toMatchObject({ city, consentToPublish: false });
  expect(await page.locator('[name=consentToPublish]').isChecked()).toBe(false);
  expect(await page.locator('dd', { hasText: strings[language].notPublished }).count()).toBe(1);

  const download = page.waitForEvent('download');
  await page.locator('button', { hasText: 'PDF' }).first().click();
  const badge = readFileSync((await (await download).path()) ?? '');
  const [badgeText = ''] = await pdfPagesText(new Uint8Array(badge));
  expect(badgeText).toContain('ICLC2015');

  const cancel = page.locator('section button.secondary').last();
  await cancel.click();
  await expect.poll(() => page.locator('[role=group] button.danger').count()).toBe(1);
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.locator('[role=group] button.danger').click();
  await expect
    .poll(() => page.locator('.notice').first().textContent())
    .toMatch(language === 'ar' ? /ملغى/ : /Cancelled/);
  await shoot(page, `${language}-5-cancelled`);
  expect(problems).toEqual([]);
  await page.close();
};

describe('the delegate’s pages in a real browser', () => {
  it('in English: register, confirm from the mailed link, correct, download the badge, cancel', async () => {
    await delegateJourney('en', 'lucia.hernandez@example.org');
  });

  it('in Arabic, right to left, the same', async () => {
    await delegateJourney('ar', 'layla.haddad@example.org');
  });

  it('a page opened with a wrong token says so and offers a new link, accessibly', async () => {
    const page = await context.newPage();
    await page.goto(
      `${server.apiUrl}/conferences/${conferenceId}/registrations/nobody/manage?lang=en#token=wrong`,
    );
    await expect.poll(() => page.locator('[role=alert]').count()).toBe(1);
    expect(await page.locator('[role=alert]').textContent()).toContain('Ask for a new link');
    expect(await accessibilityViolations(page)).toEqual([]);
    await shoot(page, 'en-6-wrong-token');
    const expired = await context.newPage();
    await expired.goto(`${server.apiUrl}/registrations/confirm?token=expired-or-made-up`);
    expect(await expired.locator('[role=alert]').textContent()).toContain('not valid any more');
    expect(await expired.locator('#confirm').count()).toBe(0);
    expect(await accessibilityViolations(expired)).toEqual([]);
    await page.close();
    await expired.close();
  });
});
