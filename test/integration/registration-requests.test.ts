import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { outboxMailsTo } from '../support/outbox.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * CONTRACT 5.1 through the real handlers on DynamoDB Local: the exact email rate under concurrency, the
 * single use of a confirmation token under concurrency, its expiry (the clock injected), and that nothing
 * of a request is stored. Emails are read back from the local outbox by mailparser.
 */
const handlers = useRouteHandlers('requests', {
  logLevel: 'SILENT',
  env: { PUBLIC_API_URL: 'https://api.example.org/' },
});
const { call } = handlers;
let conferenceId: string;
const { emailConfirmation: _v1, ...v12 } = iclc2015;

const body = (email: string, extra: Record<string, unknown> = {}) => ({
  givenName: 'Ana',
  familyName: 'Pérez',
  email,
  country: 'MX',
  city: 'Mexico City',
  organization: 'Ciudad de México',
  category: 'mayor',
  consent: true,
  ...extra,
});

const request = (email: string, at = conferenceId) =>
  call('RegisterDelegate', { conferenceId: at }, { body: body(email) });

const mailsTo = (address: string) => outboxMailsTo(handlers.environment.outbox, address);

/** The token of each confirmation link mailed to the address, oldest first is not promised. */
const tokensMailedTo = async (address: string) =>
  (await mailsTo(address)).flatMap(({ mail }) => {
    const match = /\/registrations\/confirm\?token=([A-Za-z0-9_.-]+)/.exec(mail.text ?? '');
    return match?.[1] ? [match[1]] : [];
  });

const scanAll = async (table: string) =>
  (await handlers.environment.tables.client.send(new ScanCommand({ TableName: table }))).Items?.map((item) =>
    unmarshall(item),
  ) ?? [];

beforeAll(async () => {
  const created = await call(
    'CreateConference',
    {},
    { body: v12, headers: { authorization: `Bearer ${handlers.environment.organizerToken}` } },
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
});

describe('registration requests on DynamoDB Local', () => {
  it('20 concurrent requests for one address: twenty times the same 202, exactly 3 emails, nothing stored in plaintext', async () => {
    const address = 'racing@example.org';
    const answers = await Promise.all(Array.from({ length: 20 }, () => request(address)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body)))).toEqual(
      new Set([JSON.stringify({ status: 'confirmation-sent' })]),
    );
    expect(await mailsTo(address)).toHaveLength(3);
    expect(await tokensMailedTo(address)).toHaveLength(3);
    // No event, no guard: a request holds nothing; no table holds the address or the name.
    const stored = JSON.stringify([
      ...(await scanAll(handlers.environment.tables.events)),
      ...(await scanAll(handlers.environment.tables.streamState)),
      ...(await scanAll(handlers.environment.tables.dataKeys)),
    ]);
    expect(stored).not.toContain('racing');
    expect(stored).not.toContain('Pérez');
    expect(stored).toContain('email-rate');
    expect(
      (await scanAll(handlers.environment.tables.events)).filter((item) => item.type !== 'ConferenceCreated'),
    ).toEqual([]);
  });

  it('counts the rate per address: another address still gets its email', async () => {
    await request('racing@example.org');
    await request('other@example.org');
    expect(await mailsTo('racing@example.org')).toHaveLength(3);
    expect(await mailsTo('other@example.org')).toHaveLength(1);
  });

  it('a token registers once, whatever races: one 201 and 404 for every other confirmation', async () => {
    const address = 'once@example.org';
    await request(address);
    const [token] = await tokensMailedTo(address);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call('ConfirmRegistration', {}, { body: { token } })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, ...Array(7).fill(404)]);
    const created = answers.find((answer) => answer.status === 201);
    expect(created?.body).toMatchObject({ conferenceId, status: 'registered' });
    expect((await call('ConfirmRegistration', {}, { body: { token } })).status).toBe(404);
    // The claim that made it single-use holds a hash of the token, not the token, and expires.
    const claims = (await scanAll(handlers.environment.tables.streamState)).filter((item) =>
      String(item.pk).startsWith('guard#registration-request#'),
    );
    expect(claims.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(claims)).not.toContain(token);
    for (const claim of claims) expect(typeof claim.expiresAt).toBe('number');
  });

  it('a token past 24 hours is 404, one second before it registers (the clock injected)', async () => {
    const made = new Date('2030-03-01T10:00:00.000Z');
    vi.useFakeTimers({ toFake: ['Date'], now: made });
    const address = 'late@example.org';
    expect((await request(address)).status).toBe(202);
    const [token] = await tokensMailedTo(address);
    vi.setSystemTime(new Date(made.getTime() + 24 * 3_600_000));
    const expired = await call('ConfirmRegistration', {}, { body: { token } });
    expect(expired.status).toBe(404);
    expect(expired.body.detail).toMatch(/unknown, expired or used/);
    vi.setSystemTime(new Date(made.getTime() + 24 * 3_600_000 - 1_000));
    expect((await call('ConfirmRegistration', {}, { body: { token } })).status).toBe(201);
  });

  it('a malformed token is 400, a token of the right shape that this server never made is 404', async () => {
    expect((await call('ConfirmRegistration', {}, { body: { token: 'not a token' } })).status).toBe(400);
    expect((await call('ConfirmRegistration', {}, { body: {} })).status).toBe(400);
    const address = 'forged@example.org';
    await request(address);
    const [token = ''] = await tokensMailedTo(address);
    const parts = token.split('.');
    // One character of the ciphertext changed: the tag no longer holds.
    const cipher = parts[3] ?? '';
    parts[3] = `${cipher.slice(0, 5)}${cipher[5] === 'A' ? 'B' : 'A'}${cipher.slice(6)}`;
    const forged = await call('ConfirmRegistration', {}, { body: { token: parts.join('.') } });
    expect(forged.status).toBe(404);
  });

  it('an address registered already gets a notice without a token, and the answer is the same', async () => {
    const address = 'known@example.org';
    const first = await request(address);
    const [token] = await tokensMailedTo(address);
    expect((await call('ConfirmRegistration', {}, { body: { token } })).status).toBe(201);
    const second = await request(address);
    expect(second).toEqual(first);
    const mails = await mailsTo(address);
    expect(mails).toHaveLength(2);
    const notice = mails.find(({ mail }) => /already registered/.test(mail.subject ?? ''));
    expect(notice?.mail.text).toBeDefined();
    expect(notice?.mail.text).not.toMatch(/token=/);
    expect(notice?.mail.html || '').not.toMatch(/token=/);
  });

  it('the same Idempotency-Key again replays the 202 and sends no second email; another body with it is 422', async () => {
    const address = 'retry@example.org';
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await call('RegisterDelegate', { conferenceId }, { body: body(address), headers });
    const again = await call('RegisterDelegate', { conferenceId }, { body: body(address), headers });
    expect(again).toEqual(first);
    expect(first.status).toBe(202);
    expect(await mailsTo(address)).toHaveLength(1);
    const other = await call(
      'RegisterDelegate',
      { conferenceId },
      { body: body('else@example.org'), headers },
    );
    expect(other.status).toBe(422);
    const link = { 'idempotency-key': 'link-1' };
    const asked = await call(
      'RequestManageLink',
      { conferenceId },
      { body: { email: address }, headers: link },
    );
    expect(asked).toEqual({ status: 202, body: { status: 'link-sent' } });
    expect(
      await call('RequestManageLink', { conferenceId }, { body: { email: address }, headers: link }),
    ).toEqual(asked);
  });

  it('two requests of one address: the first confirmed registers, the second is 409 (the address is taken now)', async () => {
    const address = 'twice@example.org';
    await request(address);
    await request(address);
    const tokens = await tokensMailedTo(address);
    expect(tokens).toHaveLength(2);
    const answers = [];
    for (const token of tokens) answers.push(await call('ConfirmRegistration', {}, { body: { token } }));
    expect(answers.map((answer) => answer.status)).toEqual([201, 409]);
    expect(answers[1]?.body.detail).toMatch(/already has an active registration/);
  });

  it('a confirmation after the registration closed meanwhile is 409', async () => {
    const created = await call(
      'CreateConference',
      {},
      {
        body: { ...v12, acronym: 'CLOSING' },
        headers: { authorization: `Bearer ${handlers.environment.organizerToken}` },
      },
    );
    const closing = created.body.conferenceId as string;
    await request('closing@example.org', closing);
    const [token] = await tokensMailedTo('closing@example.org');
    const closed = await call(
      'ChangeConferenceSettings',
      { conferenceId: closing },
      {
        body: { registrationClosesAt: new Date(Date.now() - 60_000).toISOString() },
        headers: { authorization: `Bearer ${handlers.environment.organizerToken}` },
      },
    );
    expect(closed.status).toBe(200);
    expect((await call('ConfirmRegistration', {}, { body: { token } })).status).toBe(409);
    // Closed, a new request is 409 too (the window is checked before anything is sent).
    expect((await request('closing2@example.org', closing)).status).toBe(409);
  });
});
