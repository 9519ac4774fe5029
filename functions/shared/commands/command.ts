import { type RegistrationGuard, seatShardKey } from '../../../domain/registration/invariants.js';
import type { Guard } from '../event-store/event-store.js';
import { actorOf } from '../http/auth.js';
import type { HttpRequest } from '../http/http.js';

/** What every command's append records about where it came from. */
export const commandMetadata = (request: HttpRequest) => ({
  correlationId: request.correlationId,
  actor: actorOf(request.principal),
  now: new Date().toISOString(),
});

/** A seat shard's counter of the seats held in it. */
export const SEATS_HELD = 'held';
/** A seat shard's part of the capacity: `held <= share` always, and the shares add up to the capacity. */
export const SEAT_SHARE = 'share';
/** A seat shard's copy of the seat rule's stamp (seatRuleStamp): a decision on other settings is refused. */
export const SEAT_STAMP = 'stamp';
/**
 * A seat shard's lock (epoch ms until which it holds): set while a capacity change reads the seats held
 * and writes the new shares, so that no seat is taken in between; a lock left behind expires.
 */
export const SEAT_LOCKED_UNTIL = 'lockedUntil';
/** How many registrations ever joined the waitlist (on the pool's own item): what the waitlist process checks its read model by. */
export const WAITLIST_JOINED = 'waitlistJoined';

/**
 * The registration rules' guards in the event store's vocabulary. A seat is one shard's item: taken while
 * the shard holds fewer than its share (and the stamp decided on); waiting checks every shard full.
 */
export const toStoreGuards = (guard: RegistrationGuard): Guard[] => {
  switch (guard.kind) {
    case 'claim':
      return [{ op: 'claim', name: guard.name, key: guard.key, owner: guard.owner }];
    case 'release':
      return [{ op: 'release', name: guard.name, key: guard.key, owner: guard.owner }];
    case 'take-seat':
      return [
        {
          op: 'increment',
          name: guard.name,
          key: seatShardKey(guard.pool, guard.shard),
          counter: SEATS_HELD,
          by: 1,
          below: { attribute: SEAT_SHARE },
          matching: { [SEAT_STAMP]: guard.stamp },
          unlocked: { attribute: SEAT_LOCKED_UNTIL, now: Date.now() },
        },
      ];
    case 'release-seat':
      return [
        {
          op: 'increment',
          name: guard.name,
          key: seatShardKey(guard.pool, guard.shard),
          counter: SEATS_HELD,
          by: -1,
        },
      ];
    case 'take-option':
      return [
        {
          op: 'increment',
          name: guard.name,
          key: guard.key,
          counter: SEATS_HELD,
          by: 1,
          below: guard.limit,
        },
      ];
    case 'release-option':
      return [{ op: 'increment', name: guard.name, key: guard.key, counter: SEATS_HELD, by: -1 }];
    case 'join-waitlist':
      return [
        ...Array.from(
          { length: guard.shards },
          (_, shard): Guard => ({
            op: 'require-at-least',
            name: guard.name,
            key: seatShardKey(guard.pool, shard),
            counter: SEATS_HELD,
            value: { attribute: SEAT_SHARE },
            matching: { [SEAT_STAMP]: guard.stamp },
          }),
        ),
        { op: 'increment', name: guard.name, key: guard.pool, counter: WAITLIST_JOINED, by: 1 },
      ];
  }
};
