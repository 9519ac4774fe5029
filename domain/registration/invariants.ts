import { unreachable } from '../shared/decider.js';
import { isOpenedChange, isOpenedPersonal, type RegistrationEvent } from './events.js';

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
  /** Waiting needs every seat held; joining is counted, so the waitlist process can tell it has seen all. */
  | { kind: 'join-waitlist'; name: 'seats'; key: string; capacity: number };

/**
 * The guard of one active registration per email and conference. `emailKey` is a keyed hash (HMAC) of the
 * normalized email, never the address: guards are not encrypted and outlive no erasure, but hold no
 * address either.
 */
export const emailGuardKey = (conferenceId: string, emailKey: string) =>
  `guard#email#${conferenceId}#${emailKey}`;
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

/** The email guard's key of a registration: from its first event, or from the state read opened. */
const emailGuardOf = (
  registration: { conferenceId: string; secrets?: { emailGuard: string } },
  event: RegistrationEvent,
): string => {
  if (
    (event.type === 'DelegateRegistered' || event.type === 'DelegateWaitlisted') &&
    isOpenedPersonal(event.data.personal) &&
    event.data.personal.emailKey
  )
    return emailGuardKey(registration.conferenceId, event.data.personal.emailKey);
  if (!registration.secrets)
    throw new Error('The email rule needs the registration read with its personal part opened');
  return emailGuardKey(registration.conferenceId, registration.secrets.emailGuard);
};

/** The email guard's new key of a details change that changed the email. */
const changedEmailKey = (event: RegistrationEvent): string | undefined =>
  event.type === 'DelegateDetailsChanged' && isOpenedChange(event.data.personal)
    ? event.data.personal.emailKey
    : undefined;

/** Whether these events claim or release the email (only then is the personal part needed). */
export const emailRuleApplies = (events: readonly RegistrationEvent[]): boolean =>
  events.some(
    (event) =>
      event.type === 'DelegateRegistered' ||
      event.type === 'DelegateWaitlisted' ||
      event.type === 'RegistrationCancelled' ||
      changedEmailKey(event) !== undefined,
  );

export const registrationGuards = (
  registration: { conferenceId: string; registrationId: string; secrets?: { emailGuard: string } },
  capacity: number | undefined,
  events: readonly RegistrationEvent[],
): RegistrationGuard[] =>
  events.flatMap((event): RegistrationGuard[] => {
    const email = () => emailGuardOf(registration, event);
    const seats = seatsGuardKey(registration.conferenceId);
    const owner = registration.registrationId;
    switch (event.type) {
      case 'DelegateRegistered':
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          { kind: 'take-seat', name: 'seats', key: seats, capacity: capacityFor(capacity) },
        ];
      case 'DelegateWaitlisted':
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          { kind: 'join-waitlist', name: 'seats', key: seats, capacity: capacityFor(capacity) },
        ];
      case 'WaitlistedDelegatePromoted':
        return [{ kind: 'take-seat', name: 'seats', key: seats, capacity: capacityFor(capacity) }];
      case 'RegistrationCancelled':
        return [
          { kind: 'release', name: 'email', key: email(), owner },
          ...(event.data.previousStatus === 'waitlisted'
            ? []
            : [{ kind: 'release-seat', name: 'seats', key: seats } as const]),
        ];
      case 'DelegateDetailsChanged': {
        // A new address moves the guard in the same transaction: the old one released, the new one claimed.
        const newKey = changedEmailKey(event);
        if (newKey === undefined) return [];
        const oldGuard = email();
        const newGuard = emailGuardKey(registration.conferenceId, newKey);
        return newGuard === oldGuard
          ? []
          : [
              { kind: 'release', name: 'email', key: oldGuard, owner },
              { kind: 'claim', name: 'email', key: newGuard, owner },
            ];
      }
      case 'DelegateCheckedIn':
      case 'ManageTokenReplaced':
      case 'PersonalDataErased':
        return [];
      default:
        return unreachable(event);
    }
  });
