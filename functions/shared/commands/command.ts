import type { RegistrationGuard } from '../../../domain/registration/invariants.js';
import type { Guard } from '../event-store/event-store.js';
import { actorOf } from '../http/auth.js';
import type { HttpRequest } from '../http/http.js';

/** What every command's append records about where it came from. */
export const commandMetadata = (request: HttpRequest) => ({
  correlationId: request.correlationId,
  actor: actorOf(request.principal),
  now: new Date().toISOString(),
});

export const SEATS_HELD = 'held';
/** How many registrations ever joined the waitlist: what the waitlist process checks its read model by. */
export const WAITLIST_JOINED = 'waitlistJoined';

/** The registration rules' guards in the event store's vocabulary. */
export const toStoreGuard = (guard: RegistrationGuard): Guard => {
  switch (guard.kind) {
    case 'claim':
      return { op: 'claim', name: guard.name, key: guard.key, owner: guard.owner };
    case 'release':
      return { op: 'release', name: guard.name, key: guard.key, owner: guard.owner };
    case 'take-seat':
      return {
        op: 'increment',
        name: guard.name,
        key: guard.key,
        counter: SEATS_HELD,
        by: 1,
        below: guard.capacity,
      };
    case 'release-seat':
      return { op: 'increment', name: guard.name, key: guard.key, counter: SEATS_HELD, by: -1 };
    case 'take-option':
      return {
        op: 'increment',
        name: guard.name,
        key: guard.key,
        counter: SEATS_HELD,
        by: 1,
        below: guard.limit,
      };
    case 'release-option':
      return { op: 'increment', name: guard.name, key: guard.key, counter: SEATS_HELD, by: -1 };
    case 'join-waitlist':
      return {
        op: 'require-at-least',
        name: guard.name,
        key: guard.key,
        counter: SEATS_HELD,
        value: guard.capacity,
        tally: WAITLIST_JOINED,
      };
  }
};
