import { registrationWindowRefusal } from '../../../domain/conference/decider.js';
import {
  type DelegateDetails,
  type Registration,
  type RegistrationCommand,
  type RegistrationState,
  registrationDecider,
  registrationStreamId,
} from '../../../domain/registration/decider.js';
import type { Delegate, DelegatePersonal, RegistrationEvent } from '../../../domain/registration/events.js';
import {
  emailGuardKey,
  emailRuleApplies,
  registrationGuards,
  seatRuleApplies,
  seatsGuardKey,
} from '../../../domain/registration/invariants.js';
import { fold } from '../../../domain/shared/decider.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import type { Guard } from '../event-store/event-store.js';
import { eventStore, openedEventStore } from '../event-store/stores.js';
import { notFound } from '../http/errors.js';
import { SEATS_HELD, toStoreGuard, WAITLIST_JOINED } from './command.js';
import { existingConference } from './conference.js';
import { defineCommand, loadStream, newStream } from './pipeline.js';
import { conferenceStream, registrationStream } from './streams.js';

/** The registration of a state read, if it belongs to the conference, or 404. */
export const existingRegistration = (
  state: RegistrationState,
  conferenceId: string,
  registrationId: string,
): Registration => {
  if (state.status === 'none' || state.conferenceId !== conferenceId)
    throw notFound(`No registration ${registrationId} for conference ${conferenceId}`);
  return state;
};

/** A registration of a conference as it stands (404 when there is none). */
export const loadRegistration = async (conferenceId: string, registrationId: string): Promise<Registration> =>
  existingRegistration(
    (await loadStream(registrationStream(registrationId))).state,
    conferenceId,
    registrationId,
  );

/**
 * A registration with its events read opened (the personal parts decrypted, or the erased marker): for
 * the readers that need names and addresses, which only functions granted the data key can be.
 */
export const loadRegistrationWithEvents = async (
  conferenceId: string,
  registrationId: string,
): Promise<{ registration: Registration; events: RegistrationEvent[] }> => {
  const events = (await openedEventStore().load(registrationStreamId(registrationId))) as RegistrationEvent[];
  const registration = existingRegistration(fold(registrationDecider, events), conferenceId, registrationId);
  return { registration, events };
};

/**
 * The seats held at a conference now, and how many registrations ever joined its waitlist, as the seat
 * guard counts them (read consistently).
 */
export const seatGuardCounts = async (
  conferenceId: string,
): Promise<{ seatsHeld: number; waitlistJoined: number }> => {
  const counts = await eventStore().guardCounters(seatsGuardKey(conferenceId), [SEATS_HELD, WAITLIST_JOINED]);
  return { seatsHeld: counts[SEATS_HELD], waitlistJoined: counts[WAITLIST_JOINED] };
};

/**
 * The guards of registration events, and the check that no registration of old (made before the email
 * guard's MAC covered the conference) holds the address under its former key: that guard still blocks a
 * second active registration of the address until its own registration releases it. A check on a guard
 * the same transaction releases (the registration's own, its address corrected) is left out: it is free
 * once the transaction holds, and DynamoDB refuses two operations on one item.
 */
const emailGuarded = (
  guards: Guard[],
  conferenceId: string,
  legacyEmailKey: string | undefined,
  claimsEmail: boolean,
): Guard[] => {
  if (!legacyEmailKey || !claimsEmail) return guards;
  const key = emailGuardKey(conferenceId, legacyEmailKey);
  return guards.some((guard) => guard.key === key)
    ? guards
    : [...guards, { op: 'absent', name: 'email', key }];
};

/** Whether the conference looked full at the last registration here: the first guess of the next one. */
const lastSeenFull = new Map<string, boolean>();

export interface NewRegistration {
  conferenceId: string;
  registrationId: string;
  delegate: Delegate;
  /** HMAC of the normalized email in the conference (functions/shared/personal-data): the email guard's key. */
  emailKey: string;
  /** The address's guard key of old (EmailKeys.of): refused while a registration made before holds it. */
  legacyEmailKey?: string;
  manageTokenHash: string;
  now: string;
}

/**
 * Registers a delegate as registered or waitlisted. The decision guesses whether a seat is free (as the
 * last registration here found it); the seat guard written with the event makes the guess hold, and when
 * it refuses, the other answer is decided. A refused email guard is the 409 of an email already active.
 */
export const registerDelegate = (registration: NewRegistration) => {
  const { conferenceId, registrationId } = registration;
  let seatAvailable = !lastSeenFull.get(conferenceId);
  return defineCommand({
    subject: `The seats of conference ${conferenceId}`,
    reads: {
      conference: conferenceStream(conferenceId),
      registration: newStream(registrationStream(registrationId)),
    },
    decide: (streams) => {
      const conference = existingConference(streams.conference, conferenceId);
      const closed = registrationWindowRefusal(conference, registration.now);
      if (closed) throw new ConflictError(closed);
      const events = registrationDecider.decide(
        {
          type: 'RegisterDelegate',
          registrationId,
          conferenceId,
          delegate: registration.delegate,
          emailKey: registration.emailKey,
          manageTokenHash: registration.manageTokenHash,
          seatAvailable,
          now: registration.now,
        },
        streams.registration,
      );
      return {
        append: [{ to: 'registration', events }],
        // Decided on the conference's capacity and window as read: a settings change meanwhile decides again.
        unchanged: ['conference'],
        guards: emailGuarded(
          registrationGuards({ conferenceId, registrationId }, conference.capacity, events).map(toStoreGuard),
          conferenceId,
          registration.legacyEmailKey,
          true,
        ),
        result: events[0]?.type === 'DelegateRegistered' ? ('registered' as const) : ('waitlisted' as const),
      };
    },
    guardRefused: (guards) => {
      if (guards.includes('email'))
        throw new ConflictError('This email address already has an active registration for the conference');
      if (!guards.includes('seats')) return undefined;
      seatAvailable = !seatAvailable;
      return 'decide-again';
    },
    committed: (status) => lastSeenFull.set(conferenceId, status === 'waitlisted'),
  });
};

export interface RegistrationChange {
  conferenceId: string;
  registrationId: string;
  command: RegistrationCommand;
  /** Checked against the registration before deciding (e.g. the manage token). */
  authorize?: (registration: Registration) => void;
}

/**
 * A change to an existing registration (cancel, check in, promote) with the guards its events need. The
 * conference is read with it (in the same round trip) for its capacity.
 */
export const changeRegistration = ({
  conferenceId,
  registrationId,
  command,
  authorize,
}: RegistrationChange) =>
  defineCommand({
    subject: `Registration ${registrationId}`,
    reads: { registration: registrationStream(registrationId), conference: conferenceStream(conferenceId) },
    decide: (streams) => {
      const registration = existingRegistration(streams.registration, conferenceId, registrationId);
      authorize?.(registration);
      const events = registrationDecider.decide(command, registration);
      // The email guard's key is in the personal part: a state read without it cannot release the guard.
      if (emailRuleApplies(events) && !registration.secrets)
        throw new Error(`Registration ${registrationId} was read without its personal part`);
      const seatRule = seatRuleApplies(events);
      const capacity = seatRule ? existingConference(streams.conference, conferenceId).capacity : undefined;
      return {
        append: [{ to: 'registration', events }],
        // A seat taken on the capacity as read: a settings change meanwhile decides again.
        unchanged: seatRule ? ['conference'] : [],
        guards: registrationGuards(registration, capacity, events).map(toStoreGuard),
        result: events,
      };
    },
  });

export interface DetailsChange {
  conferenceId: string;
  registrationId: string;
  by: 'delegate' | 'organizer';
  changes: Partial<Delegate>;
  /** The delegate's personal fields as read (opened) before the command runs. */
  current: DelegateDetails;
  /** HMAC of the new email (functions/shared/personal-data) when the body has one. */
  newEmailKey?: string;
  /** The new email's guard key of old: refused while a registration made before holds it. */
  newLegacyEmailKey?: string;
  authorize: (registration: Registration) => void;
  now: string;
}

/**
 * Corrects a registration's details (CONTRACT 4.3). The conference is read for its `editableUntil`; an
 * email change moves the email guard in the same transaction as the event, and a refused claim is the 409
 * of an email already active elsewhere in the conference. The result is the registration after the change.
 */
export const changeDelegateDetails = (change: DetailsChange) => {
  const { conferenceId, registrationId } = change;
  return defineCommand({
    subject: `Registration ${registrationId}`,
    reads: { registration: registrationStream(registrationId), conference: conferenceStream(conferenceId) },
    decide: (streams) => {
      const registration = existingRegistration(streams.registration, conferenceId, registrationId);
      change.authorize(registration);
      const { editableUntil } = existingConference(streams.conference, conferenceId);
      const events = registrationDecider.decide(
        {
          type: 'ChangeDelegateDetails',
          by: change.by,
          changes: change.changes,
          current: change.current,
          ...(change.newEmailKey ? { newEmailKey: change.newEmailKey } : {}),
          ...(editableUntil ? { editableUntil } : {}),
          now: change.now,
        },
        registration,
      );
      if (emailRuleApplies(events) && !registration.secrets)
        throw new Error(`Registration ${registrationId} was read without its personal part`);
      const after = events.reduce(registrationDecider.evolve, registration as RegistrationState);
      const personal = { ...change.current, ...changedFields(events) };
      return {
        append: [{ to: 'registration', events }],
        guards: emailGuarded(
          registrationGuards(registration, undefined, events).map(toStoreGuard),
          conferenceId,
          change.newLegacyEmailKey,
          events.some((event) => event.type === 'DelegateDetailsChanged' && change.newEmailKey !== undefined),
        ),
        result: { registration: after as Registration, personal },
      };
    },
    guardRefused: (guards) => {
      if (guards.includes('email'))
        throw new ConflictError('This email address already has an active registration for the conference');
      return undefined;
    },
  });
};

const changedFields = (events: readonly RegistrationEvent[]): Partial<DelegatePersonal> =>
  Object.assign(
    {},
    ...events.flatMap((event) =>
      event.type === 'DelegateDetailsChanged' && typeof event.data.personal === 'object'
        ? [event.data.personal]
        : [],
    ),
  );
