import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';

/**
 * CONTRACT 5.3, invitations, over HTTP against `npm start`: a category by invitation refuses without a
 * code, with another address's code, with a revoked or used one (403, one answer); the invitee's code from
 * the email in the outbox registers once; decline, revoke, remind (429 the second time); the list; and the
 * erasure of the registration made from an invitation takes the invitee off the list.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });

const mayor = (email: string, invitationCode?: string) => ({
  givenName: 'Jukka',
  familyName: 'Mäkelä',
  email,
  country: 'FI',
  city: 'Espoo',
  category: 'mayor',
  consent: true,
  ...(invitationCode === undefined ? {} : { invitationCode }),
});

const invite = (email: string, extra: Record<string, unknown> = {}) =>
  call(
    'POST',
    `/conferences/${conferenceId}/invitations`,
    { email, category: 'mayor', ...extra },
    organizer(),
  );

const mailsTo = (address: string) => outboxMailsTo(join(server.dataDir, 'outbox'), address);

/** The code of the invitation link in the newest email to `address` whose subject matches. */
const codeMailedTo = async (address: string, subject: RegExp) => {
  const { mail } = await eventually(async () =>
    (await mailsTo(address)).find(({ mail }) => subject.test(mail.subject ?? '')),
  );
  const link = /(http:\/\/\S+\/register\?invitation=[A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1];
  expect(link).toBeDefined();
  return new URL(link ?? '').searchParams.get('invitation') ?? '';
};

const register = (body: object) => call('POST', `/conferences/${conferenceId}/registrations`, body);
const problemOf = (answer: { body: Record<string, unknown> }) => {
  const { type, title, status, detail } = answer.body;
  return { type, title, status, detail };
};

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    {
      ...iclc2015,
      capacity: 10,
      languages: ['en', 'es'],
      defaultLanguage: 'en',
      registrationPolicy: { mayor: 'invitation', 'civil-society': 'moderated' },
    },
    organizer(),
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

describe('npm start: invitations', () => {
  it('an invitation category: 403 without a code and with another address’s code (one answer); the right code registers once', async () => {
    const invited = 'mayor.espoo@example.org';
    const sent = await invite(invited, { givenName: 'Jukka', familyName: 'Mäkelä' });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({ invitationId: expect.any(String), status: 'sent' });
    // The same address again, while the first is pending: 409.
    const again = await invite(invited);
    expect(again.status).toBe(409);

    const other = 'mayor.cork@example.org';
    expect((await invite(other)).status).toBe(201);
    const code = await codeMailedTo(invited, /invited/i);
    const othersCode = await codeMailedTo(other, /invited/i);

    const withoutCode = await register(mayor(invited));
    expect(withoutCode.status).toBe(403);
    expect(withoutCode.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const withOthersCode = await register(mayor(invited, othersCode));
    expect(withOthersCode.status).toBe(403);
    expect(problemOf(withOthersCode)).toEqual(problemOf(withoutCode));
    const madeUp = await register(mayor(invited, `${sent.body.invitationId}.${'A'.repeat(43)}`));
    expect(madeUp.status).toBe(403);
    expect(problemOf(madeUp)).toEqual(problemOf(withoutCode));

    const registered = await register(mayor(invited, code));
    expect(registered.status).toBe(201);
    expect(registered.body.status).toBe('registered');
    // Used: refused to anyone, with the same answer.
    const reused = await register(mayor('someone.else@example.org', code));
    expect(reused.status).toBe(403);
    expect(problemOf(reused)).toEqual(problemOf(withoutCode));

    const list = await eventually(async () => {
      const answer = await call(
        'GET',
        `/conferences/${conferenceId}/invitations?status=accepted`,
        undefined,
        organizer(),
      );
      return answer.body?.invitations?.length === 1 ? answer : undefined;
    });
    expect(list.body.invitations[0]).toMatchObject({
      invitationId: sent.body.invitationId,
      email: invited,
      category: 'mayor',
      status: 'accepted',
    });

    // Erasing the registration made from the invitation erases the invitee's data: off the list.
    const erased = await call(
      'POST',
      `/conferences/${conferenceId}/registrations/${registered.body.registrationId}/erase`,
      {},
      { 'x-manage-token': registered.body.manageToken },
    );
    expect(erased.status).toBe(200);
    await eventually(async () => {
      const answer = await call('GET', `/conferences/${conferenceId}/invitations`, undefined, organizer());
      const ids = (answer.body?.invitations ?? []).map((row: { invitationId: string }) => row.invitationId);
      return ids.includes(sent.body.invitationId) ? undefined : ids;
    });
  }, 60_000);

  it('the invitation is written in the invitee’s language if given, else the conference’s default', async () => {
    expect((await invite('alcaldesa@example.org', { language: 'es' })).status).toBe(201);
    expect((await invite('mayor.melton@example.org')).status).toBe(201);
    const spanish = await eventually(async () => (await mailsTo('alcaldesa@example.org'))[0]);
    expect(spanish.mail.subject).toMatch(/Está invitado/);
    expect(spanish.mail.text).toMatch(/register\?invitation=/);
    const english = await eventually(async () => (await mailsTo('mayor.melton@example.org'))[0]);
    expect(english.mail.subject).toMatch(/You are invited/);
    // A language the conference does not offer: 400.
    expect((await invite('maire@example.org', { language: 'fr' })).status).toBe(400);
  }, 60_000);

  it('the invitee declines with the code (200), then the code is unknown (404) and refused (403)', async () => {
    const address = 'mayor.amman@example.org';
    expect((await invite(address)).status).toBe(201);
    const code = await codeMailedTo(address, /invited/i);
    const declined = await call('POST', '/invitations/decline', { invitationCode: code });
    expect(declined.status).toBe(200);
    expect((await call('POST', '/invitations/decline', { invitationCode: code })).status).toBe(404);
    expect((await call('POST', '/invitations/decline', { invitationCode: 'not-a-code' })).status).toBe(404);
    expect((await register(mayor(address, code))).status).toBe(403);
    // The address is free for a new invitation.
    expect((await invite(address)).status).toBe(201);
  }, 60_000);

  it('an organizer revokes (200; again 409), and the revoked code is refused', async () => {
    const address = 'mayor.balanga@example.org';
    const sent = await invite(address);
    const code = await codeMailedTo(address, /invited/i);
    const path = `/conferences/${conferenceId}/invitations/${sent.body.invitationId}/revoke`;
    expect((await call('POST', path, {}, organizer())).status).toBe(200);
    expect((await call('POST', path, {}, organizer())).status).toBe(409);
    expect((await register(mayor(address, code))).status).toBe(403);
  }, 60_000);

  it('reminds once (200 and an email), a second time within 24 hours 429 with Retry-After', async () => {
    const address = 'mayor.swansea@example.org';
    const sent = await invite(address, { givenName: 'Rob', familyName: 'Stewart' });
    const path = `/conferences/${conferenceId}/invitations/${sent.body.invitationId}/remind`;
    expect((await call('POST', path, {}, organizer())).status).toBe(200);
    const second = await call('POST', path, {}, organizer());
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({
      type: 'https://learning-cities.dev/problems/too-many-requests',
      title: 'Too Many Requests',
      status: 429,
    });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    const code = await codeMailedTo(address, /reminder/i);
    expect(code).toBe(await codeMailedTo(address, /invited/i));
    // One invitation email and one reminder: once per event.
    const mails = await mailsTo(address);
    expect(mails).toHaveLength(2);
    const reminded = await eventually(async () => {
      const answer = await call(
        'GET',
        `/conferences/${conferenceId}/invitations?status=sent`,
        undefined,
        organizer(),
      );
      return answer.body?.invitations?.find(
        (row: { invitationId: string; remindedAt?: string }) =>
          row.invitationId === sent.body.invitationId && row.remindedAt,
      );
    });
    expect(reminded).toMatchObject({ email: address, status: 'sent' });
  }, 60_000);

  it('skipModeration registers at once in a moderated category; an invitation code also works there', async () => {
    const address = 'ngo@example.org';
    expect((await invite(address, { category: 'civil-society', skipModeration: true })).status).toBe(201);
    const code = await codeMailedTo(address, /invited/i);
    const registered = await register({ ...mayor(address, code), category: 'civil-society' });
    expect(registered.status).toBe(201);
    expect(registered.body.status).toBe('registered');
    // Without skipModeration the same code path waits for an organizer.
    const moderated = 'ngo.two@example.org';
    expect((await invite(moderated, { category: 'civil-society' })).status).toBe(201);
    const its = await codeMailedTo(moderated, /invited/i);
    const pending = await register({ ...mayor(moderated, its), category: 'civil-society' });
    expect(pending.status).toBe(201);
    expect(pending.body.status).toBe('pending');
  }, 60_000);
});
