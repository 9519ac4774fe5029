import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  type DelegateCountsRow,
  delegateCountsChange,
  evolveDelegateCountsRow,
} from '../../domain/projections/delegate-counts.js';
import { personalDataOf, registrationDecider } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { emailGuardKey, registrationGuards } from '../../domain/registration/invariants.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, GoneError, InvalidCommandError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { delegate } from './fixtures.js';

const given = deciderSpec(registrationDecider);
const now = '2015-09-01T10:00:00.000Z';
const later = '2015-09-02T10:00:00.000Z';
const current = {
  givenName: delegate.givenName,
  familyName: delegate.familyName,
  email: delegate.email,
  city: delegate.city,
  organization: delegate.organization,
};
const registered: RegistrationEvent = {
  type: 'DelegateRegistered',
  data: {
    registrationId: 'r1',
    conferenceId: 'c1',
    country: delegate.country,
    category: delegate.category,
    registeredAt: now,
    personal: { ...current, emailKey: 'mac-of-ana', manageTokenHash: 'hash' },
  },
};
const change = (
  changes: Record<string, string>,
  options: { by?: 'delegate' | 'organizer'; editableUntil?: string; newEmailKey?: string } = {},
) => ({
  type: 'ChangeDelegateDetails' as const,
  by: options.by ?? ('delegate' as const),
  changes,
  current,
  ...(options.newEmailKey ? { newEmailKey: options.newEmailKey } : {}),
  ...(options.editableUntil ? { editableUntil: options.editableUntil } : {}),
  now: later,
});
const previous = { country: 'MX', category: 'mayor' as const };

describe('Correcting a registration (DelegateDetailsChanged)', () => {
  it('records only the fields that changed, and the values before for the counts', () => {
    given(registered)
      .when(change({ familyName: 'Pérez García', city: delegate.city, country: 'ES' }))
      .then({
        type: 'DelegateDetailsChanged',
        data: {
          registrationId: 'r1',
          changedAt: later,
          changedBy: 'delegate',
          country: 'ES',
          previous,
          personal: { familyName: 'Pérez García' },
        },
      });
  });

  it('an email change carries the new email guard key, and the guard moves in the same append', () => {
    const [event] = registrationDecider.decide(
      change({ email: 'ana@ciudad.mx' }, { by: 'organizer', newEmailKey: 'mac-of-new' }),
      fold(registrationDecider, [registered]),
    );
    expect(event).toEqual({
      type: 'DelegateDetailsChanged',
      data: {
        registrationId: 'r1',
        changedAt: later,
        changedBy: 'organizer',
        previous,
        personal: { email: 'ana@ciudad.mx', emailKey: 'mac-of-new' },
      },
    });
    const state = fold(registrationDecider, [registered]);
    if (state.status === 'none' || !event) throw new Error('registered');
    expect(registrationGuards(state, undefined, [event])).toEqual([
      { kind: 'release', name: 'email', key: emailGuardKey('c1', 'mac-of-ana'), owner: 'r1' },
      { kind: 'claim', name: 'email', key: emailGuardKey('c1', 'mac-of-new'), owner: 'r1' },
    ]);
    const after = fold(registrationDecider, [registered, event]);
    expect(after).toMatchObject({ secrets: { emailGuard: 'mac-of-new', manageTokenHash: 'hash' } });
    expect(personalDataOf([registered, event])).toMatchObject({ ...current, email: 'ana@ciudad.mx' });
  });

  it('an email changed only in letter case keeps the guard where it is', () => {
    const [event] = registrationDecider.decide(
      change({ email: delegate.email.toUpperCase() }, { newEmailKey: 'mac-of-ana' }),
      fold(registrationDecider, [registered]),
    );
    const state = fold(registrationDecider, [registered]);
    if (state.status === 'none' || !event) throw new Error('registered');
    expect(registrationGuards(state, undefined, [event])).toEqual([]);
  });

  it('a body that changes nothing is refused, naming each field', () => {
    const thrown = given(registered)
      .when(change({ givenName: delegate.givenName, country: 'MX' }))
      .thenThrows(InvalidCommandError, /changes nothing/) as InvalidCommandError;
    expect(thrown.errors.map((error) => error.path)).toEqual(['givenName', 'country']);
  });

  it('delegates may change until editableUntil (any offset), organizers always', () => {
    const closedAt = '2015-09-02T04:59:59-05:00'; // 09:59:59Z, before `later`
    given(registered)
      .when(change({ city: 'Puebla' }, { editableUntil: closedAt }))
      .thenThrows(ConflictError, /Changes closed at 2015-09-02T04:59:59-05:00/);
    given(registered)
      .when(change({ city: 'Puebla' }, { editableUntil: '2015-09-02T05:00:01-05:00' }))
      .then({
        type: 'DelegateDetailsChanged',
        data: {
          registrationId: 'r1',
          changedAt: later,
          changedBy: 'delegate',
          previous,
          personal: { city: 'Puebla' },
        },
      });
    expect(
      registrationDecider.decide(
        change({ city: 'Puebla' }, { by: 'organizer', editableUntil: closedAt }),
        fold(registrationDecider, [registered]),
      ),
    ).toHaveLength(1);
  });

  it('refuses a cancelled registration (409) and an erased one (410)', () => {
    const cancelled: RegistrationEvent = {
      type: 'RegistrationCancelled',
      data: {
        registrationId: 'r1',
        cancelledAt: later,
        previousStatus: 'registered',
        cancelledBy: 'delegate',
      },
    };
    const erased: RegistrationEvent = {
      type: 'PersonalDataErased',
      data: { registrationId: 'r1', erasedAt: later, erasedBy: 'delegate' },
    };
    given(registered, cancelled)
      .when(change({ city: 'Puebla' }))
      .thenThrows(ConflictError, /cancelled/);
    given(registered, cancelled, erased)
      .when(change({ city: 'Puebla' }))
      .thenThrows(GoneError);
  });

  it('moves a seat holder between countries and categories in the counts', () => {
    const envelope = (type: string, data: object, version: number) =>
      ({ type, data, version, streamId: 'registration-r1' }) as unknown as EventEnvelope;
    const row = evolveDelegateCountsRow(
      undefined,
      envelope('DelegateRegistered', { ...registered.data, personal: 'sealed' }, 1),
    ) as DelegateCountsRow;
    const after = evolveDelegateCountsRow(
      row,
      envelope(
        'DelegateDetailsChanged',
        {
          registrationId: 'r1',
          changedAt: later,
          changedBy: 'organizer',
          country: 'ES',
          category: 'academic',
          previous,
          personal: 'sealed',
        },
        2,
      ),
    );
    expect(delegateCountsChange(row, after).add).toEqual({
      'country:MX': -1,
      'country:ES': 1,
      'category:mayor': -1,
      'category:academic': 1,
    });
  });
});
