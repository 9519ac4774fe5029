import { describe, expect, it } from 'vitest';
import { delegationDecider, delegationStreamId } from '../../domain/delegation/decider.js';
import type { DelegationEvent } from '../../domain/delegation/events.js';
import { delegationDetailsSchema } from '../../domain/delegation/events.js';
import {
  DELEGATION_QUOTA_GUARD,
  delegationPlaceGuards,
  delegationQuotaGuard,
  delegationQuotaKey,
  memberLeavingGuards,
  placesHeldOf,
} from '../../domain/delegation/quota.js';
import { delegationStateSchema } from '../../domain/delegation/state.js';
import {
  evolveRegistrantRow,
  participantEntryOf,
  type RegistrantRow,
} from '../../domain/projections/registrant-list.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, InvalidCommandError, NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const given = deciderSpec(delegationDecider);
const now = '2015-09-01T10:00:00.000Z';
const later = '2015-09-02T10:00:00.000Z';
const focalPoint = {
  email: 'focal@cdmx.example.org',
  givenName: 'Rosa',
  familyName: 'Icela',
  language: 'es' as const,
};
const created: DelegationEvent = {
  type: 'DelegationCreated',
  data: {
    delegationId: 'd1',
    conferenceId: 'c1',
    name: 'Mexico City',
    country: 'MX',
    quota: 3,
    createdAt: now,
    personal: focalPoint,
  },
};

describe('delegation decider', () => {
  it('creates a delegation with its focal point in the personal part; its state keeps none of it', () => {
    given()
      .when({
        type: 'CreateDelegation',
        delegationId: 'd1',
        conferenceId: 'c1',
        details: { name: 'Mexico City', country: 'MX', quota: 3, focalPoint },
        now,
      })
      .then(created);
    const state = fold(delegationDecider, [created]);
    expect(state).toEqual({
      status: 'active',
      delegationId: 'd1',
      conferenceId: 'c1',
      name: 'Mexico City',
      country: 'MX',
      quota: 3,
      createdAt: now,
      credentials: 'pending',
      substitutions: 0,
    });
    expect(JSON.stringify(state)).not.toContain('focal@');
    expect(delegationStateSchema.safeParse(state).success).toBe(true);
    expect(delegationStreamId('d1')).toBe('delegation-d1');
    given(created)
      .when({
        type: 'CreateDelegation',
        delegationId: 'd1',
        conferenceId: 'c1',
        details: { name: 'x', quota: 1, focalPoint },
        now,
      })
      .thenThrows(ConflictError);
  });

  it('refuses a quota below the places held, naming how many; the same quota is no change', () => {
    given(created)
      .when({ type: 'ChangeQuota', quota: 2, placesHeld: 3, now: later })
      .thenThrows(ConflictError, /holds 3 places/);
    given(created)
      .when({ type: 'ChangeQuota', quota: 3, placesHeld: 1, now: later })
      .thenThrows(InvalidCommandError);
    given(created)
      .when({ type: 'ChangeQuota', quota: 2, placesHeld: 2, now: later })
      .then({
        type: 'DelegationQuotaChanged',
        data: { delegationId: 'd1', quota: 2, previous: 3, changedAt: later },
      });
  });

  it('names an active member head (409 otherwise), once', () => {
    given(created)
      .when({ type: 'NameHead', registrationId: 'r9', member: false, now: later })
      .thenThrows(ConflictError, /not an active member/);
    const named: DelegationEvent = {
      type: 'HeadOfDelegationNamed',
      data: { delegationId: 'd1', registrationId: 'r1', namedAt: later },
    };
    given(created).when({ type: 'NameHead', registrationId: 'r1', member: true, now: later }).then(named);
    given(created, named).when({ type: 'NameHead', registrationId: 'r1', member: true, now: later }).then();
  });

  it('changes credentials only when they change', () => {
    const received: DelegationEvent = {
      type: 'DelegationCredentialsChanged',
      data: { delegationId: 'd1', status: 'received', changedAt: later },
    };
    given(created).when({ type: 'ChangeCredentials', status: 'received', now: later }).then(received);
    given(created, received).when({ type: 'ChangeCredentials', status: 'received', now: later }).then();
    given().when({ type: 'ChangeCredentials', status: 'verified', now: later }).thenThrows(NotFoundError);
  });

  it('substitutes an active member; a substituted head is no longer the head', () => {
    given(created)
      .when({ type: 'SubstituteMember', registrationId: 'r1', invitationId: 'i9', member: false, now: later })
      .thenThrows(ConflictError);
    const named: DelegationEvent = {
      type: 'HeadOfDelegationNamed',
      data: { delegationId: 'd1', registrationId: 'r1', namedAt: later },
    };
    const substituted: DelegationEvent = {
      type: 'DelegationMemberSubstituted',
      data: { delegationId: 'd1', registrationId: 'r1', invitationId: 'i9', substitutedAt: later },
    };
    given(created, named)
      .when({ type: 'SubstituteMember', registrationId: 'r1', invitationId: 'i9', member: true, now: later })
      .then(substituted);
    const state = fold(delegationDecider, [created, named, substituted]);
    expect(state).toMatchObject({ substitutions: 1 });
    expect(state).not.toHaveProperty('headOfDelegation');
  });

  it('validates the body: quota 1..1000, a focal point with an address', () => {
    expect(delegationDetailsSchema.safeParse({ name: 'X', quota: 0, focalPoint }).success).toBe(false);
    expect(delegationDetailsSchema.safeParse({ name: 'X', quota: 1001, focalPoint }).success).toBe(false);
    expect(
      delegationDetailsSchema.safeParse({ name: 'X', quota: 2, focalPoint: { ...focalPoint, email: 'nope' } })
        .success,
    ).toBe(false);
    expect(delegationDetailsSchema.safeParse({ name: 'X', quota: 2, focalPoint }).success).toBe(true);
  });
});

describe('the quota guard', () => {
  it('takes a place only below the quota and gives one back; a quota is set only at or above the places held', () => {
    expect(delegationPlaceGuards('d1', 'take')).toEqual([
      {
        op: 'increment',
        name: DELEGATION_QUOTA_GUARD,
        key: delegationQuotaKey('d1'),
        counter: 'held',
        by: 1,
        below: { attribute: 'quota' },
      },
    ]);
    expect(delegationPlaceGuards('d1', 'release')).toEqual([
      {
        op: 'increment',
        name: DELEGATION_QUOTA_GUARD,
        key: delegationQuotaKey('d1'),
        counter: 'held',
        by: -1,
      },
    ]);
    expect(delegationQuotaGuard('d1', 4)).toMatchObject({ op: 'set', values: { quota: 4 }, atMost: 4 });
    expect(placesHeldOf(undefined)).toBe(0);
    expect(placesHeldOf({ held: 2 })).toBe(2);
  });

  it('a member leaving gives its place back; others give nothing', () => {
    const cancelled = [{ type: 'RegistrationCancelled' }];
    expect(memberLeavingGuards({ delegationId: 'd1' }, cancelled)).toEqual(
      delegationPlaceGuards('d1', 'release'),
    );
    expect(memberLeavingGuards({ delegationId: 'd1' }, [{ type: 'RegistrationRejected' }])).toHaveLength(1);
    expect(memberLeavingGuards({}, cancelled)).toEqual([]);
    expect(memberLeavingGuards({ delegationId: 'd1' }, [{ type: 'DelegateCheckedIn' }])).toEqual([]);
  });
});

describe('participant entries of the registrant list', () => {
  const envelope = (type: string, data: Record<string, unknown>, version: number) =>
    ({
      eventId: `e${version}`,
      type,
      streamId: 'registration-r1',
      version,
      conferenceId: 'c1',
      occurredAt: now,
      data,
      metadata: { correlationId: 'x', schemaVersion: 1 },
    }) as Parameters<typeof evolveRegistrantRow>[1];
  const registered = (consentToPublish: boolean) =>
    envelope(
      'DelegateRegistered',
      {
        registrationId: 'r1',
        conferenceId: 'c1',
        country: 'MX',
        category: 'mayor',
        registeredAt: now,
        delegationId: 'd1',
        personal: {
          givenName: 'Ana',
          familyName: 'Zamora',
          email: 'ana@example.org',
          city: 'CDMX',
          consentToPublish,
          manageTokenHash: 'h',
        },
      },
      1,
    );
  const apply = (...events: Parameters<typeof evolveRegistrantRow>[1][]) =>
    events.reduce<RegistrantRow | undefined>(evolveRegistrantRow, undefined);

  it('a consenting seat holder has one with the public fields only', () => {
    const entry = participantEntryOf(apply(registered(true)));
    expect(entry).toMatchObject({
      givenName: 'Ana',
      familyName: 'Zamora',
      organization: null,
      country: 'MX',
      delegationId: 'd1',
    });
    expect(JSON.stringify(entry)).not.toContain('ana@example.org');
    expect(participantEntryOf(apply(registered(false)))).toBeUndefined();
  });

  it('a withdrawn consent, a cancellation or an erasure removes it; consent given again brings it back', () => {
    const change = (consentToPublish: boolean, version: number) =>
      envelope(
        'DelegateDetailsChanged',
        {
          registrationId: 'r1',
          changedAt: later,
          changedBy: 'delegate',
          previous: { country: 'MX', category: 'mayor' },
          personal: { consentToPublish },
        },
        version,
      );
    expect(participantEntryOf(apply(registered(true), change(false, 2)))).toBeUndefined();
    expect(participantEntryOf(apply(registered(true), change(false, 2), change(true, 3)))).toBeDefined();
    const cancelled = envelope(
      'RegistrationCancelled',
      { registrationId: 'r1', cancelledAt: later, previousStatus: 'registered', cancelledBy: 'delegate' },
      2,
    );
    expect(participantEntryOf(apply(registered(true), cancelled))).toBeUndefined();
    const erased = envelope(
      'PersonalDataErased',
      { registrationId: 'r1', erasedAt: later, erasedBy: 'delegate' },
      3,
    );
    expect(participantEntryOf(apply(registered(true), erased))).toBeUndefined();
  });
});
