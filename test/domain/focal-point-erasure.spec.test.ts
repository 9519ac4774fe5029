import { describe, expect, it } from 'vitest';
import { delegationDecider } from '../../domain/delegation/decider.js';
import { type DelegationEvent, delegationEvents } from '../../domain/delegation/events.js';
import { delegationStateSchema } from '../../domain/delegation/state.js';
import { fold } from '../../domain/shared/decider.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

/** Issue 18: the conference's retention erases a delegation's focal point; the delegation stays. */
const given = deciderSpec(delegationDecider);
const now = '2015-09-01T10:00:00.000Z';
const retention = '2016-09-01T03:15:00.000Z';
const created: DelegationEvent = {
  type: 'DelegationCreated',
  data: {
    delegationId: 'd1',
    conferenceId: 'c1',
    name: 'Mexico City',
    quota: 3,
    createdAt: now,
    personal: { email: 'focal@cdmx.example.org', givenName: 'Rosa', familyName: 'Icela', language: 'es' },
  },
};
const erased: DelegationEvent = {
  type: 'FocalPointPersonalDataErased',
  data: { delegationId: 'd1', erasedAt: retention, erasedBy: 'retention' },
};

describe('focal point erasure', () => {
  it('erases the focal point of a delegation with an event that carries no personal data', () => {
    given(created).when({ type: 'EraseFocalPoint', now: retention }).then(erased);
    expect(Object.keys(erased.data).sort()).toEqual(['delegationId', 'erasedAt', 'erasedBy']);
    expect(delegationEvents.FocalPointPersonalDataErased.safeParse(erased.data).success).toBe(true);
  });

  it('erases once: a second run of the retention appends nothing', () => {
    given(created, erased).when({ type: 'EraseFocalPoint', now: '2016-09-02T03:15:00.000Z' }).then();
  });

  it('erases no delegation that does not exist', () => {
    given().when({ type: 'EraseFocalPoint', now: retention }).thenThrows(NotFoundError);
  });

  it('keeps the delegation working for the organizer after the erasure', () => {
    const state = fold(delegationDecider, [created, erased]);
    expect(state).toMatchObject({
      status: 'active',
      name: 'Mexico City',
      quota: 3,
      focalPointErasedAt: retention,
    });
    expect(delegationStateSchema.parse(state)).toEqual(state);
    given(created, erased)
      .when({ type: 'ChangeQuota', quota: 5, placesHeld: 1, now: retention })
      .then({
        type: 'DelegationQuotaChanged',
        data: { delegationId: 'd1', quota: 5, previous: 3, changedAt: retention },
      });
    given(created, erased)
      .when({ type: 'ChangeCredentials', status: 'verified', now: retention })
      .then({
        type: 'DelegationCredentialsChanged',
        data: { delegationId: 'd1', status: 'verified', changedAt: retention },
      });
  });
});
