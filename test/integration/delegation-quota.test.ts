import { beforeAll, describe, expect, it } from 'vitest';
import { delegationQuotaKey } from '../../domain/delegation/quota.js';
import { iclc2015 } from '../domain/fixtures.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * CONTRACT 5.3, the delegation's quota through the real handlers on DynamoDB Local: invitations into a
 * delegation raced by the dozen never take more places than the quota (the guard item's conditional
 * increment in each invitation's transaction); an invitation revoked gives its place back; a quota lowered
 * below the places held is 409 naming how many, and a lowering raced with invitations never leaves more
 * places held than the quota.
 */
const handlers = useRouteHandlers('delegation-quota', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let conferenceId: string;

/** The guard item of a delegation's quota, read from the stream-state table (what the guards write). */
const quotaItem = async (delegationId: string) => {
  const { eventStore } = await import('../../functions/shared/event-store/stores.js');
  const item = (await eventStore().guardItems([delegationQuotaKey(delegationId)])).get(
    delegationQuotaKey(delegationId),
  );
  return { held: Number(item?.held ?? 0), quota: Number(item?.quota ?? Number.NaN) };
};

const delegation = async (quota: number) => {
  const created = await call(
    'CreateDelegation',
    { conferenceId },
    {
      body: {
        name: 'Republic of Korea',
        country: 'KR',
        quota,
        focalPoint: { email: `focal.${quota}@korea.example.org`, givenName: 'Min', familyName: 'Park' },
      },
      headers: organizer(),
    },
  );
  expect(created.status).toBe(201);
  return created.body.delegationId as string;
};

const invite = (delegationId: string, email: string) =>
  call(
    'SendInvitation',
    { conferenceId },
    { body: { email, category: 'political-leader', delegationId }, headers: organizer() },
  );

beforeAll(async () => {
  const created = await call('CreateConference', {}, { body: iclc2015, headers: organizer() });
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 60_000);

describe('a delegation’s quota on DynamoDB Local', () => {
  it('twelve invitations raced against a quota of 4: exactly 4 sent, 8 refused 409; a revocation frees one', async () => {
    const delegationId = await delegation(4);
    expect(await quotaItem(delegationId)).toEqual({ held: 0, quota: 4 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) => invite(delegationId, `member.${n}@korea.example.org`)),
    );
    const sent = answers.filter((answer) => answer.status === 201);
    expect(sent).toHaveLength(4);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(8);
    for (const refused of answers.filter((answer) => answer.status === 409))
      expect(refused.body.detail).toMatch(/quota is full/);
    expect(await quotaItem(delegationId)).toEqual({ held: 4, quota: 4 });

    const revoked = await call(
      'RevokeInvitation',
      { conferenceId, invitationId: sent[0]?.body.invitationId },
      { headers: organizer() },
    );
    expect(revoked.status).toBe(200);
    expect(await quotaItem(delegationId)).toEqual({ held: 3, quota: 4 });
    expect((await invite(delegationId, 'late@korea.example.org')).status).toBe(201);
    expect((await invite(delegationId, 'later@korea.example.org')).status).toBe(409);
  });

  it('a quota below the places held is 409 naming how many; raced with invitations it never undercuts them', async () => {
    const delegationId = await delegation(5);
    for (const n of [0, 1]) expect((await invite(delegationId, `held.${n}@kr.example.org`)).status).toBe(201);
    const lowered = await call(
      'ChangeDelegationCredentials',
      { conferenceId, delegationId },
      { body: { quota: 1 }, headers: organizer() },
    );
    expect(lowered.status).toBe(409);
    expect(lowered.body.detail).toMatch(/holds 2 places/);

    // Lower to 3 while five invitations race for the 3 places left of 5.
    const [lowering, ...invited] = await Promise.all([
      call(
        'ChangeDelegationCredentials',
        { conferenceId, delegationId },
        { body: { quota: 3 }, headers: organizer() },
      ),
      ...Array.from({ length: 5 }, (_, n) => invite(delegationId, `race.${n}@kr.example.org`)),
    ]);
    const { held, quota } = await quotaItem(delegationId);
    expect(held).toBeLessThanOrEqual(quota);
    expect(held).toBe(2 + invited.filter((answer) => answer.status === 201).length);
    if (lowering?.status === 200) expect(quota).toBe(3);
    else {
      expect(lowering?.status).toBe(409);
      expect(quota).toBe(5);
      expect(lowering?.body.detail).toMatch(/holds \d+ places/);
    }
  });

  it('an invitation into an unknown delegation is 404, and a quota change of one is 404', async () => {
    expect((await invite('no-such-delegation', 'nobody@example.org')).status).toBe(404);
    const change = await call(
      'ChangeDelegationCredentials',
      { conferenceId, delegationId: 'no-such-delegation' },
      { body: { status: 'verified' }, headers: organizer() },
    );
    expect(change.status).toBe(404);
  });
});
