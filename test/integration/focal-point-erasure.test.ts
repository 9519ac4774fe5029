import { DeleteItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { delegationStreamId } from '../../domain/delegation/decider.js';
import { iclc2015 } from '../domain/fixtures.js';
import { deliverAlone, type SqsConsumer } from '../support/bus-events.js';
import { importHandler } from '../support/handler-environment.js';
import { outboxMailsTo } from '../support/outbox.js';
import { storeWithCodec } from '../support/personal-data.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * Issue 18 on DynamoDB Local: the retention schedule erases the focal points of the delegations of a
 * conference past its retention (FocalPointPersonalDataErased, the delegation's data key destroyed with
 * it), the delegation stays readable by the organizer and by its token, and reapply-erasures destroys the
 * key again after a restore brought it back.
 */
const handlers = useRouteHandlers('focal-point-erasure', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let conferenceId: string;

const scanAll = async (table: string) =>
  (await handlers.environment.tables.client.send(new ScanCommand({ TableName: table }))).Items?.map((item) =>
    unmarshall(item),
  ) ?? [];
const keyItemsOf = async (delegationId: string) =>
  (await scanAll(handlers.environment.tables.dataKeys)).filter(
    (item) => item.pk === `delegation-${delegationId}`,
  );

beforeAll(async () => {
  const created = await call('CreateConference', {}, { body: iclc2015, headers: organizer() });
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
}, 60_000);

describe('a delegation’s focal point past the conference’s retention', () => {
  it('is erased by the schedule: its key destroyed, the event opened as erased, the delegation kept', async () => {
    const { expireInvitations } = await import('../../functions/shared/invitations/expiry.js');
    const { delegationToken } = await import('../../functions/shared/http/delegation-token.js');
    const { reapplyErasures } = await import('../../functions/shared/personal-data/reapply.js');
    const notifier = await importHandler<SqsConsumer>('functions/consumers/notifier.ts');
    const store = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
    });
    const sealed = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
    const createDelegation = async (name: string, email: string) => {
      const created = await call(
        'CreateDelegation',
        { conferenceId },
        {
          body: { name, quota: 3, focalPoint: { email, givenName: 'Rosa', familyName: 'Icela' } },
          headers: organizer(),
        },
      );
      expect(created.status).toBe(201);
      return created.body.delegationId as string;
    };
    const notify = async (delegationId: string) => {
      const [event] = await sealed.load(delegationStreamId(delegationId));
      if (!event) throw new Error('no DelegationCreated');
      expect(await deliverAlone(notifier, event, { queue: 'Notifier', functionName: 'Notifier' })).toEqual(
        [],
      );
    };
    const delegationId = await createDelegation('Mexico City', 'rosa.icela@cdmx.example.org');
    // Its DelegationCreated not yet delivered to the notifier when the retention runs.
    const lateId = await createDelegation('Guadalajara', 'late.focal@gdl.example.org');
    // The positive control: a focal point not erased is mailed its link.
    await notify(delegationId);
    expect(await outboxMailsTo(handlers.environment.outbox, 'rosa.icela@cdmx.example.org')).toHaveLength(1);
    // The positive control: before the retention the focal point opens, under a live key.
    const before = await store.load(delegationStreamId(delegationId));
    expect((before[0]?.data as { personal?: { email?: string } } | undefined)?.personal?.email).toBe(
      'rosa.icela@cdmx.example.org',
    );
    const liveKeys = await keyItemsOf(delegationId);
    expect(liveKeys.map((item) => item.sk)).not.toContain('erased');
    expect(liveKeys.length).toBeGreaterThan(0);

    // The suite's conference ended in 2015: with the default retention of 365 days, it is past it.
    const result = await expireInvitations({
      now: new Date().toISOString(),
      correlationId: 'test-retention',
    });
    expect(result.failed).toEqual([]);
    expect(result.focalPointsErased).toBe(2);
    // The notifier never mails an erased focal point (its event delivered late, after the erasure).
    await notify(lateId);
    expect(await outboxMailsTo(handlers.environment.outbox, 'late.focal@gdl.example.org')).toEqual([]);
    // Read by a store that never cached the key (as a new execution environment would).
    const fresh = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables, {
      open: true,
    });
    const events = await fresh.load(delegationStreamId(delegationId));
    expect(events.map((event) => event.type)).toEqual(['DelegationCreated', 'FocalPointPersonalDataErased']);
    expect((events[0]?.data as { personal?: unknown } | undefined)?.personal).toEqual({
      unavailable: 'erased',
    });
    expect((await keyItemsOf(delegationId)).map((item) => item.sk)).toEqual(['erased']);
    // Nothing of the focal point is left in the events table in clear.
    expect(JSON.stringify(await scanAll(handlers.environment.tables.events))).not.toContain('rosa.icela');

    // A second run erases nothing more.
    const again = await expireInvitations({
      now: new Date().toISOString(),
      correlationId: 'test-retention-2',
    });
    expect(again.focalPointsErased).toBe(0);

    // The delegation keeps working: the organizer reads it, and so does its token (checked by MAC).
    const read = await call('GetDelegation', { conferenceId, delegationId }, { headers: organizer() });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Mexico City');
    const token = await delegationToken(conferenceId, delegationId);
    const byToken = await call(
      'GetDelegation',
      { conferenceId, delegationId },
      { headers: { 'x-delegation-token': token } },
    );
    expect(byToken.status).toBe(200);

    // A restore of the data keys brings the key back; reapply-erasures destroys it again.
    for (const item of liveKeys)
      await handlers.environment.tables.client.send(
        new PutItemCommand({ TableName: handlers.environment.tables.dataKeys, Item: marshall(item) }),
      );
    await handlers.environment.tables.client.send(
      new DeleteItemCommand({
        TableName: handlers.environment.tables.dataKeys,
        Key: marshall({ pk: `delegation-${delegationId}`, sk: 'erased' }),
      }),
    );
    expect((await keyItemsOf(delegationId)).map((item) => item.sk)).not.toContain('erased');
    const reapplied = await reapplyErasures({
      client: handlers.environment.tables.client,
      eventsTable: handlers.environment.tables.events,
      dataKeysTable: handlers.environment.tables.dataKeys,
    });
    expect(reapplied.erasures).toBeGreaterThanOrEqual(1);
    expect((await keyItemsOf(delegationId)).map((item) => item.sk)).toEqual(['erased']);
  }, 60_000);
});
