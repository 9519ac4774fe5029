import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { emailGuardKey } from '../../domain/registration/invariants.js';
import { normalizeEmail } from '../../domain/shared/values.js';
import { runCommand } from '../../functions/shared/commands/pipeline.js';
import { registerDelegate } from '../../functions/shared/commands/registrations.js';
import { hashManageToken, newManageToken } from '../../functions/shared/http/auth.js';
import { keyService } from '../../functions/shared/personal-data/key-service.js';
import { emailKeys } from '../../functions/shared/personal-data/personal-data.js';
import { iclc2015 } from '../domain/fixtures.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * The email guard's MAC covers a purpose and the conference (issue 16 item 5); registrations made before,
 * whose guard is the MAC of the address alone, keep blocking a second active registration of the address
 * and release it on cancel. Through the real handlers, key service and guards on DynamoDB Local.
 */
const handlers = useRouteHandlers('email-guard', { logLevel: 'SILENT' });
const { call, organizer } = handlers;

const body = (email: string) => ({
  givenName: 'Ana',
  familyName: 'Perez',
  email,
  country: 'MX',
  city: 'Mexico City',
  category: 'mayor',
  consent: true,
});

const createConference = async () => {
  const created = await call(
    'CreateConference',
    {},
    { body: { ...iclc2015, editableUntil: '2099-01-01T00:00:00Z' }, headers: organizer() },
  );
  expect(created.status).toBe(201);
  return created.body.conferenceId as string;
};

const register = (conferenceId: string, email: string) =>
  call('RegisterDelegate', { conferenceId }, { body: body(email) });

/** The key registrations had before the MAC covered purpose and conference: the MAC of the address alone. */
const oldEmailKey = async (email: string) =>
  Buffer.from(await keyService().mac(Buffer.from(normalizeEmail(email), 'utf8'))).toString('base64url');

/** A registration as the code before this change made it: its guard under the key of old. */
const registerAsBefore = async (conferenceId: string, email: string) => {
  const registrationId = randomUUID();
  const now = new Date().toISOString();
  await runCommand(
    registerDelegate({
      conferenceId,
      registrationId,
      delegate: {
        givenName: 'Old',
        familyName: 'Registration',
        email,
        country: 'MX',
        city: 'Puebla',
        category: 'mayor',
      },
      emailKey: await oldEmailKey(email),
      manageTokenHash: hashManageToken(newManageToken()),
      now,
    }),
    { conferenceId, correlationId: randomUUID(), now },
  );
  return registrationId;
};

const guardExists = async (key: string) => {
  const { Item } = await handlers.environment.tables.client.send(
    new GetItemCommand({
      TableName: handlers.environment.tables.streamState,
      Key: marshall({ pk: key, sk: 0 }),
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
};

describe('email guard keys on DynamoDB Local', () => {
  it('gives one address unrelated guards in two conferences, each blocking a second registration in its own', async () => {
    const first = await createConference();
    const second = await createConference();
    const email = `same-${randomUUID()}@example.org`;
    expect((await register(first, email)).status).toBe(201);
    expect((await register(second, email.toUpperCase())).status).toBe(201);
    expect((await register(first, email)).status).toBe(409);
    expect((await register(second, email)).status).toBe(409);
    const inFirst = await emailKeys().of(first, email);
    const inSecond = await emailKeys().of(second, email);
    expect(inFirst.emailKey).not.toBe(inSecond.emailKey);
    expect(await guardExists(emailGuardKey(first, inFirst.emailKey))).toBe(true);
    expect(await guardExists(emailGuardKey(second, inSecond.emailKey))).toBe(true);
    // Nothing is claimed under the key of old any more.
    expect(await guardExists(emailGuardKey(first, inFirst.legacyEmailKey))).toBe(false);
  });

  it('keeps a registration of old blocking its address until it is cancelled, which releases it', async () => {
    const conferenceId = await createConference();
    const email = `old-${randomUUID()}@example.org`;
    const old = await registerAsBefore(conferenceId, email);
    const legacyGuard = emailGuardKey(conferenceId, await oldEmailKey(email));
    expect(await guardExists(legacyGuard)).toBe(true);

    const refused = await register(conferenceId, email.toUpperCase());
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 409 });

    const cancelled = await call(
      'CancelRegistration',
      { conferenceId, registrationId: old },
      { headers: organizer() },
    );
    expect(cancelled.status).toBe(200);
    expect(await guardExists(legacyGuard)).toBe(false);

    const again = await register(conferenceId, email);
    expect(again.status).toBe(201);
    expect((await register(conferenceId, email)).status).toBe(409);
  });

  it('refuses a correction to an address a registration of old holds, and allows one to its own address', async () => {
    const conferenceId = await createConference();
    const held = `held-${randomUUID()}@example.org`;
    await registerAsBefore(conferenceId, held);
    const mover = await register(conferenceId, `mover-${randomUUID()}@example.org`);
    expect(mover.status).toBe(201);
    const moved = await call(
      'ChangeRegistrationDetails',
      { conferenceId, registrationId: mover.body.registrationId },
      { body: { email: held }, headers: { 'x-manage-token': mover.body.manageToken } },
    );
    expect(moved.status).toBe(409);

    // A registration of old correcting its own address's case moves its guard to the new key.
    const own = `own-${randomUUID()}@example.org`;
    const ownId = await registerAsBefore(conferenceId, own);
    const corrected = await call(
      'ChangeRegistrationDetails',
      { conferenceId, registrationId: ownId },
      { body: { email: own.toUpperCase() }, headers: organizer() },
    );
    expect(corrected.status).toBe(200);
    const keys = await emailKeys().of(conferenceId, own);
    expect(await guardExists(emailGuardKey(conferenceId, keys.legacyEmailKey))).toBe(false);
    expect(await guardExists(emailGuardKey(conferenceId, keys.emailKey))).toBe(true);
    expect((await register(conferenceId, own)).status).toBe(409);
  });
});
