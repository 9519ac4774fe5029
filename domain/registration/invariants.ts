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
  | { kind: 'join-waitlist'; name: 'seats'; key: string; capacity: number }
  /** A limited option of the registration form (CONTRACT 5.2): taken below its limit, released on leaving it. */
  | { kind: 'take-option'; name: string; key: string; limit: number }
  | { kind: 'release-option'; name: string; key: string };

/** The guard of one limited option: its name is what a refusal names (`option:fieldId/optionId`). */
export const optionGuardName = (option: string) => `option:${option}`;
export const optionGuardKey = (conferenceId: string, option: string) =>
  `guard#option#${conferenceId}#${option}`;

/** The limits of the options in the form in force, by `fieldId/optionId`, for the guards that take a place. */
export type OptionLimits = (option: string) => number | undefined;

const takeOptions = (
  conferenceId: string,
  options: readonly string[],
  limits: OptionLimits | undefined,
): RegistrationGuard[] =>
  options.map((option) => {
    const limit = limits?.(option);
    if (limit === undefined) throw new Error(`The option ${option} has no limit in the form in force`);
    return {
      kind: 'take-option',
      name: optionGuardName(option),
      key: optionGuardKey(conferenceId, option),
      limit,
    };
  });

const releaseOptions = (conferenceId: string, options: readonly string[]): RegistrationGuard[] =>
  options.map((option) => ({
    kind: 'release-option',
    name: optionGuardName(option),
    key: optionGuardKey(conferenceId, option),
  }));

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
  registration: {
    conferenceId: string;
    registrationId: string;
    secrets?: { emailGuard: string };
    limitedOptions?: string[];
  },
  capacity: number | undefined,
  events: readonly RegistrationEvent[],
  limits?: OptionLimits,
): RegistrationGuard[] =>
  events.flatMap((event): RegistrationGuard[] => {
    const conferenceId = registration.conferenceId;
    const email = () => emailGuardOf(registration, event);
    const seats = seatsGuardKey(registration.conferenceId);
    const owner = registration.registrationId;
    switch (event.type) {
      case 'DelegateRegistered':
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          { kind: 'take-seat', name: 'seats', key: seats, capacity: capacityFor(capacity) },
          ...takeOptions(conferenceId, event.data.limitedOptions ?? [], limits),
        ];
      case 'DelegateWaitlisted':
        // A waitlisted delegate holds the limited places chosen too: the answers are the registration's.
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          { kind: 'join-waitlist', name: 'seats', key: seats, capacity: capacityFor(capacity) },
          ...takeOptions(conferenceId, event.data.limitedOptions ?? [], limits),
        ];
      case 'WaitlistedDelegatePromoted':
        return [{ kind: 'take-seat', name: 'seats', key: seats, capacity: capacityFor(capacity) }];
      case 'RegistrationCancelled':
        return [
          { kind: 'release', name: 'email', key: email(), owner },
          ...(event.data.previousStatus === 'waitlisted'
            ? []
            : [{ kind: 'release-seat', name: 'seats', key: seats } as const]),
          ...releaseOptions(conferenceId, registration.limitedOptions ?? []),
        ];
      case 'DelegateDetailsChanged': {
        // A new address moves the guard in the same transaction: the old one released, the new one claimed.
        // New answers move the limited places: the ones left released, the ones chosen taken.
        const held = registration.limitedOptions ?? [];
        const now = event.data.limitedOptions ?? held;
        const options = [
          ...releaseOptions(
            conferenceId,
            held.filter((option) => !now.includes(option)),
          ),
          ...takeOptions(
            conferenceId,
            now.filter((option) => !held.includes(option)),
            limits,
          ),
        ];
        const newKey = changedEmailKey(event);
        if (newKey === undefined) return options;
        const oldGuard = email();
        const newGuard = emailGuardKey(registration.conferenceId, newKey);
        return newGuard === oldGuard
          ? options
          : [
              { kind: 'release', name: 'email', key: oldGuard, owner },
              { kind: 'claim', name: 'email', key: newGuard, owner },
              ...options,
            ];
      }
      case 'SensitiveAnswersErased':
      case 'DelegateCheckedIn':
      case 'PersonalDataErased':
        return [];
      default:
        return unreachable(event);
    }
  });
