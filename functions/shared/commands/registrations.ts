import {
  type Registration,
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../../domain/registration/events.js';
import {
  emailRuleApplies,
  registrationGuards,
  seatRuleApplies,
} from '../../../domain/registration/invariants.js';
import { fold } from '../../../domain/shared/decider.js';
import type { IdempotencyWrite } from '../event-store/event-store.js';
import { eventStore, loadConference, openedEventStore } from '../event-store/stores.js';
import { notFound } from '../http/errors.js';
import { retryOnStreamConflict, toStoreGuard } from './command.js';

export interface LoadedRegistration {
  registration: Registration;
  version: number;
}

export interface LoadedRegistrationEvents extends LoadedRegistration {
  events: RegistrationEvent[];
}

/**
 * A registration's events and state. With `personal: 'open'` the personal parts are decrypted (the state
 * then knows the email guard and the manage token's hash); otherwise they stay sealed.
 */
export const loadRegistration = async (
  conferenceId: string,
  registrationId: string,
  personal: 'open' | 'sealed' = 'open',
): Promise<LoadedRegistrationEvents> => {
  const store = personal === 'open' ? openedEventStore() : eventStore();
  const events = (await store.load(registrationStreamId(registrationId))) as RegistrationEvent[];
  const state = fold(registrationDecider, events);
  if (state.status === 'none' || state.conferenceId !== conferenceId)
    throw notFound(`No registration ${registrationId} for conference ${conferenceId}`);
  return { registration: state, version: events.length, events };
};

export interface RegistrationChange {
  conferenceId: string;
  registrationId: string;
  command: (now: string) => RegistrationCommand;
  /** Checked against the loaded registration before deciding (e.g. the manage token). */
  authorize?: (registration: Registration) => void;
  metadata: { correlationId: string; causationId?: string; actor?: string };
  /** Whether the decision needs the personal part opened (the manage token, the email guard). */
  personal?: 'open' | 'sealed';
  idempotency?: (events: RegistrationEvent[]) => IdempotencyWrite | undefined;
}

/**
 * Load → decide → append for an existing registration, with the guards its events need. A concurrent
 * change to the same registration makes it load and decide again; a refused guard is left to the caller.
 */
export const changeRegistration = async (change: RegistrationChange): Promise<RegistrationEvent[]> =>
  retryOnStreamConflict(`Registration ${change.registrationId}`, async () => {
    const { registration, version } = await loadRegistration(
      change.conferenceId,
      change.registrationId,
      change.personal ?? 'open',
    );
    change.authorize?.(registration);
    const now = new Date().toISOString();
    const events = registrationDecider.decide(change.command(now), registration);
    // Cancelling and checking in need no capacity: a cold function then makes no conference read.
    const capacity = seatRuleApplies(events)
      ? (await loadConference(change.conferenceId)).capacity
      : undefined;
    if (emailRuleApplies(events) && !registration.secrets)
      throw new Error('A change that releases the email guard must read the registration opened');
    await eventStore().append({
      ...change.metadata,
      now,
      conferenceId: change.conferenceId,
      streams: [{ streamId: registrationStreamId(change.registrationId), expectedVersion: version, events }],
      guards: registrationGuards(registration, capacity, events).map(toStoreGuard),
      idempotency: change.idempotency?.(events),
    });
    return events;
  });
