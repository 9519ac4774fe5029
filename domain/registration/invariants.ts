import { unreachable } from '../shared/decider.js';
import { normalizeEmail } from '../shared/values.js';
import type { RegistrationEvent } from './events.js';

/**
 * Cross-stream rules of registrations, stated as requirements on guards that the event store writes in
 * the same transaction as the events: one active registration per email and conference, and never more
 * seat holders than the conference's capacity.
 */
export type RegistrationGuard =
  | { kind: 'claim'; name: 'email'; key: string; owner: string }
  | { kind: 'release'; name: 'email'; key: string; owner: string }
  | { kind: 'take-seat'; name: 'seats'; key: string; capacity: number }
  | { kind: 'release-seat'; name: 'seats'; key: string }
  | { kind: 'assert-full'; name: 'seats'; key: string; capacity: number };

export const emailGuardKey = (conferenceId: string, address: string) =>
  `guard#email#${conferenceId}#${normalizeEmail(address)}`;
export const seatsGuardKey = (conferenceId: string) => `guard#seats#${conferenceId}`;

/** Events that take a seat or wait for one: only their guards need the conference's capacity. */
export const seatRuleApplies = (events: readonly RegistrationEvent[]): boolean =>
  events.some(
    (event) =>
      event.type === 'DelegateRegistered' ||
      event.type === 'DelegateWaitlisted' ||
      event.type === 'WaitlistedDelegatePromoted',
  );

const capacityFor = (capacity: number | undefined): number => {
  if (capacity === undefined) throw new Error('The seat rule needs the conference capacity');
  return capacity;
};

export const registrationGuards = (
  registration: { conferenceId: string; registrationId: string; email: string },
  capacity: number | undefined,
  events: readonly RegistrationEvent[],
): RegistrationGuard[] =>
  events.flatMap((event): RegistrationGuard[] => {
    const email = emailGuardKey(registration.conferenceId, registration.email);
    const seats = seatsGuardKey(registration.conferenceId);
    const owner = registration.registrationId;
    switch (event.type) {
      case 'DelegateRegistered':
        return [
          { kind: 'claim', name: 'email', key: email, owner },
          { kind: 'take-seat', name: 'seats', key: seats, capacity: capacityFor(capacity) },
        ];
      case 'DelegateWaitlisted':
        return [
          { kind: 'claim', name: 'email', key: email, owner },
          { kind: 'assert-full', name: 'seats', key: seats, capacity: capacityFor(capacity) },
        ];
      case 'WaitlistedDelegatePromoted':
        return [{ kind: 'take-seat', name: 'seats', key: seats, capacity: capacityFor(capacity) }];
      case 'RegistrationCancelled':
        return [
          { kind: 'release', name: 'email', key: email, owner },
          ...(event.data.previousStatus === 'waitlisted'
            ? []
            : [{ kind: 'release-seat', name: 'seats', key: seats } as const]),
        ];
      case 'DelegateCheckedIn':
        return [];
      default:
        return unreachable(event);
    }
  });
