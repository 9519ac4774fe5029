import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { invitationStreamId } from '../../domain/invitation/decider.js';
import { iclc2015 } from '../domain/fixtures.js';
import { deliverAlone, type SqsConsumer } from '../support/bus-events.js';
import { importHandler } from '../support/handler-environment.js';
import { outboxMailsTo } from '../support/outbox.js';
import { storeWithCodec } from '../support/personal-data.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * CONTRACT 5.3 through the real handlers on DynamoDB Local: a code raced by several registrations works
 * once (InvitationAccepted at the invitation stream's expected version), invitations of one address raced
 * give one 201 and 409s (the claim on the address's MAC), and the invitee's address is stored only sealed.
 */
const handlers = useRouteHandlers('invitations', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let conferenceId: string;
let invitationCodeOf: (invitationId: string) => Promise<string>;

const mayor = (email: string, invitationCode: string) => ({
  body: {
    givenName: 'Eeva',
    familyName: 'Virtanen',
    email,
    country: 'FI',
    city: 'Espoo',
    category: 'mayor',
    consent: true,
    invitationCode,
  },
});

const invite = (email: string) =>
  call('SendInvitation', { conferenceId }, { body: { email, category: 'mayor' }, headers: organizer() });

const scanAll = async (table: string) =>
  (await handlers.environment.tables.client.send(new ScanCommand({ TableName: table }))).Items?.map((item) =>
    unmarshall(item),
  ) ?? [];

beforeAll(async () => {
  ({ invitationCodeOf } = await import('../../functions/shared/invitations/invitation-code.js'));
  const created = await call(
    'CreateConference',
    {},
    { body: { ...iclc2015, registrationPolicy: { mayor: 'invitation' } }, headers: organizer() },
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 60_000);

describe('invitations on DynamoDB Local', () => {
  it('a code raced by six registrations of its address: exactly one registers, one InvitationAccepted', async () => {
    const address = 'eeva.virtanen@example.org';
    const sent = await invite(address);
    expect(sent.status).toBe(201);
    const code = await invitationCodeOf(sent.body.invitationId);
    const answers = await Promise.all(
      // The address in other cases too: compared as the email guard compares it.
      Array.from({ length: 6 }, (_, i) =>
        call('RegisterDelegate', { conferenceId }, mayor(i % 2 ? address.toUpperCase() : address, code)),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    // The losers met the used code (403) or the address registered meanwhile (409): never a second seat.
    for (const status of statuses.filter((s) => s !== 201)) expect([403, 409]).toContain(status);
    const events = (await scanAll(handlers.environment.tables.events)).filter(
      (item) => item.streamId === invitationStreamId(sent.body.invitationId) && item.type,
    );
    expect(events.map((event) => event.type).sort()).toEqual(['InvitationAccepted', 'InvitationSent']);
    const winner = answers.find((answer) => answer.status === 201);
    const accepted = events.find((event) => event.type === 'InvitationAccepted');
    expect(JSON.stringify(accepted)).toContain(winner?.body.registrationId);

    // Erasing the registration destroys the invitation's own data key too: its invitee is unreadable.
    const keysOf = async () =>
      (await scanAll(handlers.environment.tables.dataKeys))
        .filter((item) => item.pk === `invitation#${sent.body.invitationId}`)
        .map((item) => item.sk);
    expect(await keysOf()).toEqual(['data-key']);
    const erased = await call(
      'ErasePersonalData',
      { conferenceId, registrationId: winner?.body.registrationId },
      { body: {}, headers: organizer() },
    );
    expect(erased.status).toBe(200);
    expect(await keysOf()).toEqual(['erased']);
  }, 60_000);

  it('another address with a valid code: 403, and the code still works for its own address', async () => {
    const sent = await invite('bahir.dar@example.org');
    const code = await invitationCodeOf(sent.body.invitationId);
    const stranger = await call('RegisterDelegate', { conferenceId }, mayor('stranger@example.org', code));
    expect(stranger.status).toBe(403);
    const owner = await call('RegisterDelegate', { conferenceId }, mayor('Bahir.Dar@example.org', code));
    expect(owner.status).toBe(201);
  }, 60_000);

  it('six invitations of one address at once: one 201, five 409; the address never stored in plaintext', async () => {
    const address = 'raced.invitee@example.org';
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => invite(i % 2 ? address.toUpperCase() : address)),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const stored = JSON.stringify([
      ...(await scanAll(handlers.environment.tables.events)),
      ...(await scanAll(handlers.environment.tables.streamState)),
      ...(await scanAll(handlers.environment.tables.dataKeys)),
    ]).toLowerCase();
    expect(stored).not.toContain('raced.invitee');
    expect(stored).not.toContain('eeva.virtanen');
  }, 60_000);

  it('the retention schedule expires the invitations past expiresAt (read from their list); the address is free again', async () => {
    const projector = await importHandler<SqsConsumer>('functions/consumers/invitations-projector.ts');
    const { expireInvitations } = await import('../../functions/shared/invitations/expiry.js');
    const store = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
    const project = async (invitationId: string) => {
      for (const event of await store.load(invitationStreamId(invitationId)))
        expect(
          await deliverAlone(projector, event, {
            queue: 'invitations',
            functionName: 'InvitationsProjector',
          }),
        ).toEqual([]);
    };
    // A conference still to come (the suite's own, of 2015, is past its retention: see the next test).
    const future = await call(
      'CreateConference',
      {},
      {
        body: {
          ...iclc2015,
          startDate: '2099-09-28',
          endDate: '2099-09-30',
          registrationPolicy: { mayor: 'invitation' },
        },
        headers: organizer(),
      },
    );
    expect(future.status).toBe(201);
    const at = future.body.conferenceId;
    const inviteAt = (email: string, extra: Record<string, unknown> = {}) =>
      call(
        'SendInvitation',
        { conferenceId: at },
        { body: { email, category: 'mayor', ...extra }, headers: organizer() },
      );
    const soon = new Date(Date.now() + 60_000).toISOString();
    const address = 'expiring@example.org';
    const expiring = await inviteAt(address, { expiresAt: soon });
    expect(expiring.status).toBe(201);
    const lasting = await inviteAt('lasting@example.org');
    await project(expiring.body.invitationId);
    await project(lasting.body.invitationId);
    expect((await inviteAt(address)).status).toBe(409);

    const before = await expireInvitations({ now: new Date().toISOString(), correlationId: 'test-expiry' });
    expect(before.expired).toBe(0);
    // The run of a minute later (its clock given, as the schedule's event gives it).
    const after = await expireInvitations({ now: soon, correlationId: 'test-expiry' });
    expect(after).toMatchObject({ expired: 1, failed: [] });
    const events = (await store.load(invitationStreamId(expiring.body.invitationId))).map((e) => e.type);
    expect(events).toEqual(['InvitationSent', 'InvitationExpired']);
    expect((await store.load(invitationStreamId(lasting.body.invitationId))).map((e) => e.type)).toEqual([
      'InvitationSent',
    ]);
    // Expired, the address's guard is free: it may be invited again; the expired code admits no one.
    expect((await inviteAt(address)).status).toBe(201);
    const code = await invitationCodeOf(expiring.body.invitationId);
    expect((await call('RegisterDelegate', { conferenceId: at }, mayor(address, code))).status).toBe(403);
  }, 60_000);

  it('past the conference’s retention, the schedule erases the invitees still listed: their key destroyed', async () => {
    const projector = await importHandler<SqsConsumer>('functions/consumers/invitations-projector.ts');
    const { expireInvitations } = await import('../../functions/shared/invitations/expiry.js');
    const store = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
    });
    const sealed = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
    // The suite's conference ended in 2015: with the default retention of 365 days, it is past it.
    const address = 'never.registered@example.org';
    const sent = await invite(address);
    expect(sent.status).toBe(201);
    for (const event of await sealed.load(invitationStreamId(sent.body.invitationId)))
      expect(
        await deliverAlone(projector, event, { queue: 'invitations', functionName: 'InvitationsProjector' }),
      ).toEqual([]);
    const result = await expireInvitations({
      now: new Date().toISOString(),
      correlationId: 'test-retention',
    });
    expect(result.failed).toEqual([]);
    expect(result.erased).toBeGreaterThanOrEqual(1);
    const events = await store.load(invitationStreamId(sent.body.invitationId));
    expect(events.map((event) => event.type)).toEqual(['InvitationSent', 'InviteePersonalDataErased']);
    // Read opened, the invitee is gone for good; the data key is destroyed.
    expect((events[0]?.data as { personal?: unknown } | undefined)?.personal).toEqual({
      unavailable: 'erased',
    });
    const keys = (await scanAll(handlers.environment.tables.dataKeys))
      .filter((item) => item.pk === `invitation#${sent.body.invitationId}`)
      .map((item) => item.sk);
    expect(keys).toEqual(['erased']);
    // A pending invitation erased ends: the address may be invited again, the code admits no one.
    const code = await invitationCodeOf(sent.body.invitationId);
    expect((await call('RegisterDelegate', { conferenceId }, mayor(address, code))).status).toBe(403);
    expect((await invite(address)).status).toBe(201);
  }, 60_000);

  it('with email confirmation the code travels in the confirmation token and is checked again at confirmation', async () => {
    const { emailConfirmation: _v1, ...v12 } = iclc2015;
    const created = await call(
      'CreateConference',
      {},
      { body: { ...v12, registrationPolicy: { mayor: 'invitation' } }, headers: organizer() },
    );
    const at = created.body.conferenceId;
    const address = 'confirming.mayor@example.org';
    const sent = await call(
      'SendInvitation',
      { conferenceId: at },
      { body: { email: address, category: 'mayor' }, headers: organizer() },
    );
    const code = await invitationCodeOf(sent.body.invitationId);
    // No code: the same 403 before anything is mailed.
    const { invitationCode: _none, ...withoutCode } = mayor(address, code).body;
    expect((await call('RegisterDelegate', { conferenceId: at }, { body: withoutCode })).status).toBe(403);
    const requested = await call('RegisterDelegate', { conferenceId: at }, mayor(address, code));
    expect(requested.status).toBe(202);
    const tokens = (await outboxMailsTo(handlers.environment.outbox, address)).flatMap(({ mail }) => {
      const match = /\/registrations\/confirm\?token=([A-Za-z0-9_.-]+)/.exec(mail.text ?? '');
      return match?.[1] ? [match[1]] : [];
    });
    expect(tokens).toHaveLength(1);
    // Revoked meanwhile: the confirmation checks the code again (403); a new invitation's code registers.
    const revoked = await call(
      'RevokeInvitation',
      { conferenceId: at, invitationId: sent.body.invitationId },
      { body: {}, headers: organizer() },
    );
    expect(revoked.status).toBe(200);
    expect((await call('ConfirmRegistration', {}, { body: { token: tokens[0] } })).status).toBe(403);

    const again = await call(
      'SendInvitation',
      { conferenceId: at },
      { body: { email: address, category: 'mayor' }, headers: organizer() },
    );
    expect(again.status).toBe(201);
    const newCode = await invitationCodeOf(again.body.invitationId);
    expect((await call('RegisterDelegate', { conferenceId: at }, mayor(address, newCode))).status).toBe(202);
    const newTokens = (await outboxMailsTo(handlers.environment.outbox, address))
      .flatMap(({ mail }) => {
        const match = /\/registrations\/confirm\?token=([A-Za-z0-9_.-]+)/.exec(mail.text ?? '');
        return match?.[1] ? [match[1]] : [];
      })
      .filter((token) => token !== tokens[0]);
    expect(newTokens).toHaveLength(1);
    const confirmed = await call('ConfirmRegistration', {}, { body: { token: newTokens[0] } });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.status).toBe('registered');
    const store = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
    expect((await store.load(invitationStreamId(again.body.invitationId))).map((e) => e.type)).toEqual([
      'InvitationSent',
      'InvitationAccepted',
    ]);
  }, 60_000);
});
