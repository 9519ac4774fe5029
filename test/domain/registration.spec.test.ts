import { describe, expect, it } from 'vitest';
import { personalDataOf, registrationDecider } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import {
  emailGuardKey,
  registrationGuards,
  SEAT_SHARDS,
  seatRuleApplies,
  seatRuleStamp,
  seatShares,
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
  // Not named in the public List of Participants unless the delegate said so (CONTRACT 5.3).
  consentToPublish: false,
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
  const pool = seatsGuardKey('c1');
  const stamp = seatRuleStamp({ capacity: 600 });
  const registeredInShard: RegistrationEvent = {
    type: 'DelegateRegistered',
    data: { ...admitted, seatShard: 5 },
  };

  it('keys the email guard by the email key (an HMAC), never the address', () => {
    expect(email).toBe('guard#email#c1#mac-of-ana');
    expect(
      registrationGuards(ids, stamp, [registeredInShard])
        .map((guard) => ('key' in guard ? guard.key : guard.pool))
        .join(),
    ).not.toMatch(/@/);
  });
  it('a cancellation read sealed cannot release the email guard', () => {
    expect(() =>
      registrationGuards({ conferenceId: 'c1', registrationId: 'r1' }, stamp, [cancelled('registered')]),
    ).toThrow(/opened/);
  });
  it('erasing adds no guard of its own', () => {
    expect(registrationGuards(ids, stamp, [erased()])).toEqual([]);
  });
  it('a registration claims the email and takes a seat in the shard its event names, on the settings read', () => {
    expect(registrationGuards(ids, stamp, [registeredInShard])).toEqual([
      { kind: 'claim', name: 'email', key: email, owner: 'r1' },
      { kind: 'take-seat', name: 'seats', pool, shard: 5, stamp },
    ]);
  });
  it('a seat taken names its shard', () => {
    expect(() => registrationGuards(ids, stamp, [registered])).toThrow(/shard/);
  });
  it('a waitlisting claims the email and holds only while every shard is full', () => {
    expect(registrationGuards(ids, stamp, [waitlisted])).toEqual([
      { kind: 'claim', name: 'email', key: email, owner: 'r1' },
      { kind: 'join-waitlist', name: 'seats', pool, shards: SEAT_SHARDS, stamp },
    ]);
  });
  it('cancelling a seat holder frees the email and the seat, in the shard it was taken from', () => {
    expect(registrationGuards({ ...ids, seatShard: 7 }, stamp, [cancelled('checked-in')])).toEqual([
      { kind: 'release', name: 'email', key: email, owner: 'r1' },
      { kind: 'release-seat', name: 'seats', pool, shard: 7 },
    ]);
  });
  it('cancelling a waitlisted delegate frees the email but no seat', () => {
    expect(registrationGuards(ids, stamp, [cancelled('waitlisted')])).toEqual([
      { kind: 'release', name: 'email', key: email, owner: 'r1' },
    ]);
  });
  it('a check-in needs no guard', () => {
    expect(registrationGuards(ids, stamp, [checkedIn])).toEqual([]);
  });
});

describe('The seat pool', () => {
  it('shares a capacity evenly over the shards, the remainder to the first', () => {
    expect(seatShares(10, [0, 0, 0, 0])).toEqual([3, 3, 2, 2]);
  });
  it('keeps every shard at least at the seats it holds, the free seats spread, the total the capacity', () => {
    const shares = seatShares(12, [5, 0, 1, 0]);
    expect(shares).toEqual([7, 2, 2, 1]);
    expect(shares?.reduce((sum, share) => sum + share, 0)).toBe(12);
  });
  it('has no shares for a capacity below the seats held', () => {
    expect(seatShares(5, [5, 0, 1, 0])).toBeUndefined();
    expect(seatShares(6, [5, 0, 1, 0])).toEqual([5, 0, 1, 0]);
  });
  it('stamps the settings a seat is decided on: capacity and window', () => {
    expect(seatRuleStamp({ capacity: 600 })).not.toBe(seatRuleStamp({ capacity: 601 }));
    expect(seatRuleStamp({ capacity: 600 })).not.toBe(
      seatRuleStamp({ capacity: 600, registrationClosesAt: '2015-09-01T00:00:00Z' }),
    );
  });
  it('a promotion takes its seat in the shard it is given and the registration holds it there', () => {
    const [promoted] = registrationDecider.decide(
      { type: 'PromoteWaitlistedDelegate', now: later, seatShard: 9 },
      fold(registrationDecider, [waitlisted]),
    );
    expect(promoted).toEqual({
      type: 'WaitlistedDelegatePromoted',
      data: { registrationId: 'r1', promotedAt: later, seatShard: 9 },
    });
    expect(fold(registrationDecider, [waitlisted, promoted as RegistrationEvent])).toMatchObject({
      seatShard: 9,
    });
  });
});

describe("Registration guards need the seat rule's stamp only for seats", () => {
  const ids = {
    conferenceId: 'c1',
    registrationId: 'r1',
    secrets: { emailGuard: 'k', manageTokenHash: 'h' },
  };
  it('a cancellation or check-in needs no stamp', () => {
    expect(seatRuleApplies([cancelled('registered'), checkedIn])).toBe(false);
    expect(() => registrationGuards(ids, undefined, [cancelled('registered')])).not.toThrow();
  });
  it('taking a seat or waiting for one does', () => {
    expect(seatRuleApplies([registered])).toBe(true);
    expect(seatRuleApplies([waitlisted])).toBe(true);
    expect(() => registrationGuards(ids, undefined, [waitlisted])).toThrow(/capacity/);
  });
});
