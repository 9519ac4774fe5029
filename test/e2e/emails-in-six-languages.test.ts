import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../domain/shared/languages.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { detectedLanguage } from '../support/language-detector.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';

/**
 * Every email a delegate gets is in their language (CONTRACT 5.4): six delegates of a conference offering
 * the six languages, each choosing one, register and confirm over HTTP on `npm start`; an outside language
 * detector (franc) reads each email they got, the confirmation and the registration's, as that language.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const outbox = () => join(server.dataDir, 'outbox');
const addressOf = (language: string) => `delegate.${language}@example.org`;

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    { ...iclc2015, emailConfirmation: true, languages: [...LANGUAGES], defaultLanguage: 'es' },
    organizer(),
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: each delegate is written to in their language', () => {
  it.each(LANGUAGES)('%s: the confirmation and the registration email read as it', async (language) => {
    const email = addressOf(language);
    const requested = await call('POST', `/conferences/${conferenceId}/registrations`, {
      givenName: 'Alex',
      familyName: 'Morgan',
      email,
      country: 'MX',
      city: 'Mexico City',
      category: 'academic',
      language,
      consent: true,
    });
    expect(requested.status).toBe(202);
    const confirmation = await eventually(async () => (await outboxMailsTo(outbox(), email))[0]?.mail);
    expect(detectedLanguage(confirmation.text ?? ''), confirmation.text).toBe(language);
    expect(String(confirmation.html)).toContain(`dir="${language === 'ar' ? 'rtl' : 'ltr'}"`);
    const token = confirmation.text?.match(/[?&]token=([\w.-]+)/)?.[1];
    const confirmed = await call('POST', '/registrations/confirm', { token });
    expect(confirmed.status).toBe(201);
    const mails = await eventually(async () => {
      const all = await outboxMailsTo(outbox(), email);
      return all.length >= 2 ? all : undefined;
    }, 20_000);
    for (const { mail } of mails) expect(detectedLanguage(mail.text ?? ''), mail.subject).toBe(language);
  });
});
