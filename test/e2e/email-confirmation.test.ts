import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';

/**
 * CONTRACT 5.1 over HTTP against `npm start`: register (202), the link read from the outbox, confirm (201),
 * read back with the manage token; the same answer for an address registered already (and a notice without
 * a token); confirming twice; a new manage link replacing the old token. (The 24-hour expiry is proved with
 * an injected clock in test/integration/registration-requests.test.ts.)
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const { emailConfirmation: _v1, ...v12 } = iclc2015;

const body = (email: string) => ({
  givenName: 'Kebede',
  familyName: 'Alemu',
  email,
  country: 'ET',
  city: 'Bahir Dar',
  organization: 'Bahir Dar City Administration',
  category: 'mayor',
  consent: true,
});

const mailsTo = (address: string) => outboxMailsTo(join(server.dataDir, 'outbox'), address);
const mailWithSubject = (address: string, subject: RegExp) =>
  eventually(async () => (await mailsTo(address)).find(({ mail }) => subject.test(mail.subject ?? '')));

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  conferenceId = (await call('POST', '/conferences', { ...v12, capacity: 5 }, organizer())).body.conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: the owner of an address confirms it', () => {
  it('a conference created under v1.2 has emailConfirmation on', async () => {
    const conference = await call('GET', `/conferences/${conferenceId}`);
    expect(conference.body.emailConfirmation).toBe(true);
  });

  it('register -> 202, the link from the outbox -> 201, read back with the manage token; confirming twice -> 404', async () => {
    const address = 'kebede@example.org';
    const requested = await call('POST', `/conferences/${conferenceId}/registrations`, body(address));
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ status: 'confirmation-sent' });
    // Nothing is held before confirmation.
    const counts = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
    expect(counts.body).toMatchObject({ registered: 0, waitlisted: 0 });

    const { mail } = await mailWithSubject(address, /please confirm/i);
    const link = /(http:\/\/\S+\/registrations\/confirm\?token=[A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1];
    expect(link?.startsWith(`${server.apiUrl}/registrations/confirm?token=`)).toBe(true);
    const token = new URL(link ?? '').searchParams.get('token');

    const confirmed = await call('POST', '/registrations/confirm', { token });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toEqual({
      registrationId: expect.any(String),
      conferenceId,
      status: 'registered',
      manageToken: expect.any(String),
    });
    const { registrationId, manageToken } = confirmed.body;
    const read = await call(
      'GET',
      `/conferences/${conferenceId}/registrations/${registrationId}`,
      undefined,
      {
        'x-manage-token': manageToken,
      },
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      registrationId,
      email: address,
      givenName: 'Kebede',
      status: 'registered',
    });

    const again = await call('POST', '/registrations/confirm', { token });
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('probing an address: the answers for a new and a registered address are byte-identical; the registered one gets a notice without a token', async () => {
    const registered = 'kebede@example.org';
    const fresh = 'stranger@example.org';
    const forRegistered = await call('POST', `/conferences/${conferenceId}/registrations`, body(registered));
    const forFresh = await call('POST', `/conferences/${conferenceId}/registrations`, body(fresh));
    expect(forRegistered.status).toBe(forFresh.status);
    expect(forRegistered.text).toBe(forFresh.text);
    expect(forRegistered.headers.get('content-type')).toBe(forFresh.headers.get('content-type'));
    expect(forRegistered.headers.get('content-length')).toBe(forFresh.headers.get('content-length'));

    const { mail: notice } = await mailWithSubject(registered, /already registered/i);
    expect(`${notice.text}${notice.html || ''}`).not.toMatch(/token=/);
    // It links the delegate's page, which offers to email a new manage link.
    expect(notice.text).toMatch(new RegExp(`/conferences/${conferenceId}/registrations/[\\w-]+/manage`));
    await mailWithSubject(fresh, /please confirm/i);
    // The registered address was not registered twice.
    const counts = await eventually(async () => {
      const { body: c } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return c.registered === 1 ? c : undefined;
    });
    expect(counts.registered).toBe(1);
  });

  it('manage-link: the same 202 for anyone; the owner gets a new token in the fragment, and the old one gets 403', async () => {
    const address = 'owner@example.org';
    await call('POST', `/conferences/${conferenceId}/registrations`, body(address));
    const { mail } = await mailWithSubject(address, /please confirm/i);
    const token = /token=([A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1];
    const confirmed = await call('POST', '/registrations/confirm', { token });
    expect(confirmed.status).toBe(201);
    const { registrationId, manageToken: oldToken } = confirmed.body;

    const forOwner = await call('POST', `/conferences/${conferenceId}/manage-link`, { email: address });
    const forNobody = await call('POST', `/conferences/${conferenceId}/manage-link`, {
      email: 'nobody@example.org',
    });
    expect(forOwner.status).toBe(202);
    expect(forOwner.body).toEqual({ status: 'link-sent' });
    expect(forNobody.text).toBe(forOwner.text);

    const { mail: linkMail } = await mailWithSubject(address, /a new link to your registration/i);
    const link = /(http:\/\/\S+\/manage#token=[A-Za-z0-9_-]+)/.exec(linkMail.text ?? '')?.[1] ?? '';
    const url = new URL(link);
    expect(url.pathname).toBe(`/conferences/${conferenceId}/registrations/${registrationId}/manage`);
    expect(url.search).toBe('');
    const newToken = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    expect(newToken).not.toBe(oldToken);

    const path = `/conferences/${conferenceId}/registrations/${registrationId}`;
    expect((await call('GET', path, undefined, { 'x-manage-token': newToken })).status).toBe(200);
    expect((await call('GET', path, undefined, { 'x-manage-token': oldToken })).status).toBe(403);
    expect(await mailsTo('nobody@example.org')).toEqual([]);
  });

  it('bad input: a malformed token is 400, an unknown one 404, an unknown conference 404', async () => {
    const malformed = await call('POST', '/registrations/confirm', { token: 'x' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await call('POST', '/registrations/confirm', {
      token: `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..${'A'.repeat(16)}.${'B'.repeat(40)}.${'C'.repeat(22)}`,
    });
    expect(unknown.status).toBe(404);
    expect((await call('POST', '/conferences/nope/registrations', body('x@example.org'))).status).toBe(404);
    expect((await call('POST', '/conferences/nope/manage-link', { email: 'x@example.org' })).status).toBe(
      404,
    );
  });
});
