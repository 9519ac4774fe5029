/**
 * A delegation's quota as a guard written in the same transaction as the events that take or give back
 * a place (CONTRACT 5.3: pending and accepted invitations and active members count): one item per
 * delegation holding its `quota` and the places `held`. A place is taken only while `held < quota`, so
 * the quota is never exceeded however many invitations are sent at once; a quota is set only while
 * `held <= quota`, so it is never lowered below the places held. Pure data: the event store writes it.
 *
 * Who takes and gives back:
 * - an invitation with a `delegationId` takes a place when sent (slice I's invitation command), and gives
 *   it back when declined, revoked or expired;
 * - an accepted invitation keeps its place for the member's registration, which gives it back when
 *   cancelled or erased;
 * - a substitution keeps the place: the member's cancellation and the substitute's invitation are one
 *   transaction, so the place passes from one to the other (neither guard is written).
 */

/** The counter of places held, and the attribute holding the quota, on the delegation's guard item. */
export const PLACES_HELD = 'held';
export const QUOTA = 'quota';

/** The name a refusal of the quota guard carries (AppendConflictError's guards). */
export const DELEGATION_QUOTA_GUARD = 'delegation-quota';

export const delegationQuotaKey = (delegationId: string) => `guard#delegation#${delegationId}`;

/** A guard in the event store's vocabulary (functions/shared/event-store Guard), as plain data. */
export type DelegationPlaceGuard =
  | {
      op: 'increment';
      name: string;
      key: string;
      counter: string;
      by: number;
      below?: { attribute: string };
    }
  | {
      op: 'set';
      name: string;
      key: string;
      values: Record<string, string | number>;
      counter: string;
      atMost: number;
    };

/**
 * The guards of a place of the delegation's quota: `take` is refused (guard DELEGATION_QUOTA_GUARD) when
 * every place is held; `release` gives one back. Written with the events of the invitation or
 * registration that takes or leaves the place, in one transaction.
 */
export const delegationPlaceGuards = (
  delegationId: string,
  change: 'take' | 'release',
): DelegationPlaceGuard[] => [
  change === 'take'
    ? {
        op: 'increment',
        name: DELEGATION_QUOTA_GUARD,
        key: delegationQuotaKey(delegationId),
        counter: PLACES_HELD,
        by: 1,
        below: { attribute: QUOTA },
      }
    : {
        op: 'increment',
        name: DELEGATION_QUOTA_GUARD,
        key: delegationQuotaKey(delegationId),
        counter: PLACES_HELD,
        by: -1,
      },
];

/**
 * The guard that sets a delegation's quota (at creation, or changed): refused while more places are
 * held than the new quota. Made with `held` at 0 when the item is new.
 */
export const delegationQuotaGuard = (delegationId: string, quota: number): DelegationPlaceGuard => ({
  op: 'set',
  name: DELEGATION_QUOTA_GUARD,
  key: delegationQuotaKey(delegationId),
  values: { [QUOTA]: quota },
  counter: PLACES_HELD,
  atMost: quota,
});

/** The places held as the guard item says (absent: none). */
export const placesHeldOf = (item: Record<string, unknown> | undefined): number =>
  typeof item?.[PLACES_HELD] === 'number' ? (item[PLACES_HELD] as number) : 0;

/**
 * The place a member's registration gives back when it leaves (cancelled, erased while active, or a pending
 * one rejected): none for a registration of no delegation, nor for events that keep it a member.
 */
export const memberLeavingGuards = (
  registration: { delegationId?: string },
  events: readonly { type: string }[],
): DelegationPlaceGuard[] =>
  registration.delegationId !== undefined &&
  events.some((event) => event.type === 'RegistrationCancelled' || event.type === 'RegistrationRejected')
    ? delegationPlaceGuards(registration.delegationId, 'release')
    : [];
