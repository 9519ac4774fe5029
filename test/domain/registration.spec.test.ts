import { describe, expect, it } from 'vitest';
import { personalDataOf, registrationDecider } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import {
  emailGuardKey,
  registrationGuards,
  seatRuleApplies,
  seatsGuardKey,
} from '../../domain/registration/invariants.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, GoneError, NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { delegate } from './fixtures.js';

const given = deciderSpec(registrationDecider);
const now = '2015-09-01T10:00:00.000Z';
const later = '2015-09-02T10:00:00.000Z';
const personal = {
  givenName: delegate.givenName,
  familyName: delegate.familyName,
  email: delegate.email,
  city: delegate.city,
  organization: delegate.organization,
  // The conference's default language, as none was given (English for a conference that names none).
  language: 'en' as const,
  emailKey: 'mac-of-ana',
  manageTokenHash: 'hash',
};
const admitted = {
  registrationId: 'r1',
  conferenceId: 'c1',
  country: delegate.country,
  category: delegate.category,
  registeredAt: now,
  personal,
};
const register = (seatAvailable: boolean) => ({
  type: 'RegisterDelegate' as const,
  registrationId: 'r1',
  conferenceId: 'c1',
  delegate,
  emailKey: 'mac-of-ana',
  manageTokenHash: 'hash',
  seatAvailable,
  now,
});
const registered: RegistrationEvent = { type: 'DelegateRegistered', data: admitted };
const waitlisted: RegistrationEvent = { type: 'DelegateWaitlisted', data: admitted };
const checkedIn: RegistrationEvent = {
  type: 'DelegateCheckedIn',
  data: { registrationId: 'r1', checkedInAt: later },
};
const cancelled = (
  previousStatus: 'registered' | 'waitlisted' | 'checked-in',
  cancelledBy: 'delegate' | 'organizer' | 'retention' = 'delegate',
): RegistrationEvent => ({
  type: 'RegistrationCancelled',
  data: { registrationId: 'r1', cancelledAt: later, previousStatus, cancelledBy },
});
const erased = (erasedBy: 'delegate' | 'organizer' | 'retention' = 'delegate'): RegistrationEvent => ({
  type: 'PersonalDataErased',
  data: { registrationId: 'r1', erasedAt: later, erasedBy },
});

describe('Registration decider', () => {
  describe('register', () => {
    it('registers while a seat is free', () => {
      given().when(register(true)).then(registered);
    });
    it('waitlists when no seat is free', () => {
      given().when(register(false)).then(waitlisted);
    });
    it('refuses to register the same registration twice', () => {
      given(registered).when(register(true)).thenThrows(ConflictError);
    });
  });

  describe('cancel', () => {
    const cancel = { type: 'CancelRegistration' as const, by: 'delegate' as const, now: later };
    it('cancels a registered delegate, remembering the seat was held', () => {
      given(registered).when(cancel).then(cancelled('registered'));
    });
    it('cancels a waitlisted delegate', () => {
      given(waitlisted).when(cancel).then(cancelled('waitlisted'));
    });
    it('cancels a checked-in delegate', () => {
      given(registered, checkedIn).when(cancel).then(cancelled('checked-in'));
    });
    it('refuses to cancel twice', () => {
      given(registered, cancelled('registered'))
        .when(cancel)
        .thenThrows(ConflictError, /already cancelled/);
    });
    it('does not know an unknown registration', () => {
      given().when(cancel).thenThrows(NotFoundError);
    });
  });

  describe('check in', () => {
    const checkIn = { type: 'CheckInDelegate' as const, now: later };
    it('checks in a registered delegate', () => {
      given(registered).when(checkIn).then(checkedIn);
    });
    it('checks in a promoted delegate', () => {
      given(waitlisted, {
        type: 'WaitlistedDelegatePromoted',
        data: { registrationId: 'r1', promotedAt: now },
      })
        .when(checkIn)
        .then(checkedIn);
    });
    it('refuses a waitlisted delegate', () => {
      given(waitlisted)
        .when(checkIn)
        .thenThrows(ConflictError, /not registered/);
    });
    it('refuses a second check-in', () => {
      given(registered, checkedIn)
        .when(checkIn)
        .thenThrows(ConflictError, /already checked in/);
    });
    it('refuses a cancelled registration', () => {
      given(registered, cancelled('registered')).when(checkIn).thenThrows(ConflictError);
    });
  });

  describe('promote', () => {
    const promote = { type: 'PromoteWaitlistedDelegate' as const, now: later };
    it('promotes a waitlisted delegate', () => {
      given(waitlisted)
        .when(promote)
        .then({ type: 'WaitlistedDelegatePromoted', data: { registrationId: 'r1', promotedAt: later } });
    });
    it('does not promote a delegate who holds a seat', () => {
      given(registered).when(promote).thenThrows(ConflictError);
    });
    it('does not promote a delegate who cancelled', () => {
      given(waitlisted, cancelled('waitlisted')).when(promote).thenThrows(ConflictError);
    });
  });
});

describe('Registration decider: erasure', () => {
  const erase = (by: 'delegate' | 'organizer' | 'retention' = 'delegate') => ({
    type: 'ErasePersonalData' as const,
    by,
    now: later,
  });
  it('cancels an active registration in the same step, then erases it', () => {
    given(registered).when(erase()).then(cancelled('registered'), erased());
    given(waitlisted)
      .when(erase('organizer'))
      .then(cancelled('waitlisted', 'organizer'), erased('organizer'));
    given(registered, checkedIn)
      .when(erase('retention'))
      .then(cancelled('checked-in', 'retention'), erased('retention'));
  });
  it('erases a cancelled registration without cancelling it again', () => {
    given(registered, cancelled('registered')).when(erase()).then(erased());
  });
  it('refuses to erase twice with a 410-type error', () => {
    given(registered, cancelled('registered'), erased())
      .when(erase())
      .thenThrows(GoneError, /erased/);
  });
  it('does not know an unknown registration', () => {
    given().when(erase()).thenThrows(NotFoundError);
  });
  it('answers every later command with a 410-type error', () => {
    const history = [registered, cancelled('registered'), erased()];
    given(...history)
      .when({ type: 'CancelRegistration', by: 'delegate', now: later })
      .thenThrows(GoneError);
    given(...history)
      .when({ type: 'CheckInDelegate', now: later })
      .thenThrows(GoneError);
    given(...history)
      .when({ type: 'PromoteWaitlistedDelegate', now: later })
      .thenThrows(GoneError);
  });
  it('keeps no personal data in its state, and forgets the secrets once erased', () => {
    const state = fold(registrationDecider, [registered]);
    expect(JSON.stringify(state)).not.toContain(delegate.givenName);
    expect(JSON.stringify(state)).not.toContain(delegate.email);
    expect(state).toMatchObject({
      status: 'registered',
      secrets: { emailGuard: 'mac-of-ana', manageTokenHash: 'hash' },
    });
    const after = fold(registrationDecider, [registered, cancelled('registered'), erased()]);
    expect(after).toMatchObject({ status: 'erased', erasedAt: later });
    expect(after).not.toHaveProperty('secrets');
  });
  it('tells the personal data as the events have it, or that it was erased', () => {
    expect(personalDataOf([registered])).toEqual(personal);
    expect(personalDataOf([registered, cancelled('registered'), erased()])).toBe('erased');
    const keyDestroyed: RegistrationEvent = {
      type: 'DelegateRegistered',
      data: { ...admitted, personal: { unavailable: 'erased' } },
    };
    expect(personalDataOf([keyDestroyed])).toBe('erased');
    expect(() =>
      personalDataOf([{ type: 'DelegateRegistered', data: { ...admitted, personal: 'pd1.sealed' } }]),
    ).toThrow(/sealed/);
  });
});

describe('Registration guards', () => {
  const ids = {
    conferenceId: 'c1',
    registrationId: 'r1',
    secrets: { emailGuard: 'mac-of-ana', manageTokenHash: 'hash' },
  };
  const email = emailGuardKey('c1', 'mac-of-ana');
  const seats = seatsGuardKey('c1');

  it('keys the email guard by the email key (an HMAC), never the address', () => {
    expect(email).toBe('guard#email#c1#mac-of-ana');
    expect(
      registrationGuards(ids, 600, [registered])
        .map((guard) => guard.key)
        .join(),
    ).not.toMatch(/@/);
  });
  it('a cancellation read sealed cannot release the email guard', () => {
    expect(() =>
      registrationGuards({ conferenceId: 'c1', registrationId: 'r1' }, 600, [cancelled('registered')]),
    ).toThrow(/opened/);
  });
  it('erasing adds no guard of its own', () => {
    expect(registrationGuards(ids, 600, [erased()])).toEqual([]);
  });
  it('a registration claims the email and takes a seat below capacity', () => {
    expect(registrationGuards(ids, 600, [registered])).toEqual([
      { kind: 'claim', name: 'email', key: email, owner: 'r1' },
      { kind: 'take-seat', name: 'seats', key: seats, capacity: 600 },
    ]);
  });
  it('a waitlisting claims the email and holds only while the seats are full', () => {
    expect(registrationGuards(ids, 600, [waitlisted])).toEqual([
      { kind: 'claim', name: 'email', key: email, owner: 'r1' },
      { kind: 'join-waitlist', name: 'seats', key: seats, capacity: 600 },
    ]);
  });
  it('cancelling a seat holder frees the email and the seat', () => {
    expect(registrationGuards(ids, 600, [cancelled('checked-in')])).toEqual([
      { kind: 'release', name: 'email', key: email, owner: 'r1' },
      { kind: 'release-seat', name: 'seats', key: seats },
    ]);
  });
  it('cancelling a waitlisted delegate frees the email but no seat', () => {
    expect(registrationGuards(ids, 600, [cancelled('waitlisted')])).toEqual([
      { kind: 'release', name: 'email', key: email, owner: 'r1' },
    ]);
  });
  it('a check-in needs no guard', () => {
    expect(registrationGuards(ids, 600, [checkedIn])).toEqual([]);
  });
});

describe('Registration guards need the capacity only for seats', () => {
  const ids = {
    conferenceId: 'c1',
    registrationId: 'r1',
    secrets: { emailGuard: 'k', manageTokenHash: 'h' },
  };
  it('a cancellation or check-in needs no capacity', () => {
    expect(seatRuleApplies([cancelled('registered'), checkedIn])).toBe(false);
    expect(() => registrationGuards(ids, undefined, [cancelled('registered')])).not.toThrow();
  });
  it('taking a seat or waiting for one does', () => {
    expect(seatRuleApplies([registered])).toBe(true);
    expect(seatRuleApplies([waitlisted])).toBe(true);
    expect(() => registrationGuards(ids, undefined, [registered])).toThrow(/capacity/);
  });
});
