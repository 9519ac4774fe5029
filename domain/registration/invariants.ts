import { unreachable } from '../shared/decider.js';
import { isOpenedChange, isOpenedPersonal, type RegistrationEvent } from './events.js';

/**
 * Cross-stream rules of registrations, stated as requirements on guards that the event store writes in
 * the same transaction as the events: one active registration per email and conference, and never more
 * seat holders than the conference's capacity.
 *
 * The seats of a conference are a pool split in SEAT_SHARDS shards, each an item holding its share of the
 * capacity and the seats held in it (`held <= share` always, and the shares add up to the capacity), so
 * that registrations spread over many items instead of queueing on one. A seat is taken in one shard,
 * and given back to the shard it was taken from; waiting needs every shard full. Every shard carries the
 * stamp of the settings the seat rule depends on (seatRuleStamp): a seat taken or a wait decided on other
 * settings than the shards hold is refused, and decided again.
 */
export type RegistrationGuard =
  | { kind: 'claim'; name: 'email'; key: string; owner: string }
  | { kind: 'release'; name: 'email'; key: string; owner: string }
  /** A seat of shard `shard`: refused when the shard is full or holds another stamp. */
  | { kind: 'take-seat'; name: 'seats'; pool: string; shard: number; stamp: string }
  | { kind: 'release-seat'; name: 'seats'; pool: string; shard: number }
  /** Waiting needs every shard full; joining is counted, so the waitlist process can tell it has seen all. */
  | { kind: 'join-waitlist'; name: 'seats'; pool: string; shards: number; stamp: string }
  /** A limited option of the registration form (CONTRACT 5.2): taken below its limit, released on leaving it. */
  | { kind: 'take-option'; name: string; key: string; limit: number }
  | { kind: 'release-option'; name: string; key: string };

/**
 * The shards of a conference's seat pool. Each is in 1/64 of the registrations while seats are plentiful;
 * 64 rather than 16 because the registrations' own retries on a contended shard are what refuses them in
 * the end (`npm run bench:rush`: 16 shards leave some 503s at 500 arrivals per second, 64 none). A
 * waitlisting checks every shard, so the registration's transaction then has 64 items more (of 100).
 */
export const SEAT_SHARDS = 64;

/** The item of one shard of a seat pool (`pool` is seatsGuardKey). */
export const seatShardKey = (pool: string, shard: number) => `${pool}#${shard}`;

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
/** A conference's seat pool: its own item counts the waitlist's joins; its shards are seatShardKey. */
export const seatsGuardKey = (conferenceId: string) => `guard#seats#${conferenceId}`;

/**
 * The settings the seat rule decides on, as one value: the capacity and the registration window. The
 * shards hold it, so a registration decided on settings changed meanwhile is refused by its own shard.
 */
export const seatRuleStamp = (conference: {
  capacity: number;
  registrationOpensAt?: string;
  registrationClosesAt?: string;
}): string =>
  `${conference.capacity}|${conference.registrationOpensAt ?? ''}|${conference.registrationClosesAt ?? ''}`;

/**
 * The shares of a capacity over the shards, given the seats held in each: every shard keeps at least
 * the seats it holds, the free seats are spread evenly (the first shards get the remainder), and the
 * shares add up to the capacity. Undefined when the capacity is below the seats held.
 */
export const seatShares = (capacity: number, held: readonly number[]): number[] | undefined => {
  const taken = held.reduce((sum, seats) => sum + seats, 0);
  if (capacity < taken) return undefined;
  const free = capacity - taken;
  const each = Math.floor(free / held.length);
  const remainder = free % held.length;
  return held.map((seats, shard) => seats + each + (shard < remainder ? 1 : 0));
};

/** Events that take a seat or wait for one: only their guards need the seat rule's stamp. */
export const seatRuleApplies = (events: readonly RegistrationEvent[]): boolean =>
  events.some(
    (event) =>
      event.type === 'DelegateRegistered' ||
      event.type === 'DelegateWaitlisted' ||
      event.type === 'WaitlistedDelegatePromoted' ||
      event.type === 'RegistrationApproved',
  );

const stampFor = (stamp: string | undefined): string => {
  if (stamp === undefined) throw new Error('The seat rule needs the conference capacity (its stamp)');
  return stamp;
};

const shardOf = (event: { data: { seatShard?: number } }): number => {
  if (event.data.seatShard === undefined) throw new Error('A seat is taken in a shard: the event names none');
  return event.data.seatShard;
};

/** The email guard's key of a registration: from its first event, or from the state read opened. */
const emailGuardOf = (
  registration: { conferenceId: string; secrets?: { emailGuard: string } },
  event: RegistrationEvent,
): string => {
  if (
    (event.type === 'DelegateRegistered' ||
      event.type === 'DelegateWaitlisted' ||
      event.type === 'RegistrationPending') &&
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
      event.type === 'RegistrationPending' ||
      event.type === 'RegistrationRejected' ||
      event.type === 'RegistrationCancelled' ||
      changedEmailKey(event) !== undefined,
  );

/**
 * The guards of a registration's events. `stamp` is the seat rule's stamp of the conference as read
 * (seatRuleStamp), needed only when a seat is taken or waited for; the shard of a seat taken is in the
 * event, and a seat given back goes to the shard the registration holds it in.
 */
export const registrationGuards = (
  registration: {
    conferenceId: string;
    registrationId: string;
    secrets?: { emailGuard: string };
    seatShard?: number;
    limitedOptions?: string[];
  },
  stamp: string | undefined,
  events: readonly RegistrationEvent[],
  limits?: OptionLimits,
): RegistrationGuard[] =>
  events.flatMap((event): RegistrationGuard[] => {
    const conferenceId = registration.conferenceId;
    const email = () => emailGuardOf(registration, event);
    const pool = seatsGuardKey(registration.conferenceId);
    const owner = registration.registrationId;
    switch (event.type) {
      case 'DelegateRegistered':
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          { kind: 'take-seat', name: 'seats', pool, shard: shardOf(event), stamp: stampFor(stamp) },
          ...takeOptions(conferenceId, event.data.limitedOptions ?? [], limits),
        ];
      case 'DelegateWaitlisted':
        // A waitlisted delegate holds the limited places chosen too: the answers are the registration's.
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          { kind: 'join-waitlist', name: 'seats', pool, shards: SEAT_SHARDS, stamp: stampFor(stamp) },
          ...takeOptions(conferenceId, event.data.limitedOptions ?? [], limits),
        ];
      case 'RegistrationPending':
        // A pending registration holds no seat and does not wait for one (CONTRACT 5.3); its address and
        // its limited places are held as any registration's.
        return [
          { kind: 'claim', name: 'email', key: email(), owner },
          ...takeOptions(conferenceId, event.data.limitedOptions ?? [], limits),
        ];
      case 'RegistrationApproved':
        // Approval takes a seat or a waitlist place exactly as a new registration would at that moment.
        return event.data.status === 'registered'
          ? [{ kind: 'take-seat', name: 'seats', pool, shard: shardOf(event), stamp: stampFor(stamp) }]
          : [{ kind: 'join-waitlist', name: 'seats', pool, shards: SEAT_SHARDS, stamp: stampFor(stamp) }];
      case 'RegistrationRejected':
        return [
          { kind: 'release', name: 'email', key: email(), owner },
          ...releaseOptions(conferenceId, registration.limitedOptions ?? []),
        ];
      case 'WaitlistedDelegatePromoted':
        return [{ kind: 'take-seat', name: 'seats', pool, shard: shardOf(event), stamp: stampFor(stamp) }];
      case 'RegistrationCancelled':
        return [
          { kind: 'release', name: 'email', key: email(), owner },
          ...(event.data.previousStatus === 'waitlisted' || event.data.previousStatus === 'pending'
            ? []
            : // A seat taken before the pool had shards (no shard recorded) is counted in shard 0.
              [{ kind: 'release-seat', name: 'seats', pool, shard: registration.seatShard ?? 0 } as const]),
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
      case 'ManageTokenReplaced':
      case 'PersonalDataErased':
        return [];
      default:
        return unreachable(event);
    }
  });
