import {
  type ConferenceState,
  languagesOf,
  policyOf,
  registrationWindowRefusal,
} from '../../../domain/conference/decider.js';
import { memberLeavingGuards } from '../../../domain/delegation/quota.js';
import {
  type Invitation,
  type InvitationState,
  invitationDecider,
  invitationRefusal,
} from '../../../domain/invitation/decider.js';
import type { InvitationEvent } from '../../../domain/invitation/events.js';
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
  type OptionLimits,
  registrationGuards,
  seatRuleApplies,
  seatRuleStamp,
} from '../../../domain/registration/invariants.js';
import { answerErrors } from '../../../domain/registration-form/evaluate.js';
import type { RegistrationForm } from '../../../domain/registration-form/form.js';
import { fold } from '../../../domain/shared/decider.js';
import { ConflictError, InvalidCommandError } from '../../../domain/shared/errors.js';
import type { Guard } from '../event-store/event-store.js';
import { openedEventStore } from '../event-store/stores.js';
import { forbidden, notFound } from '../http/errors.js';
import { toStoreGuards } from './command.js';
import { existingConference, loadRegistrationForm, registrationFormOf } from './conference.js';
import { invitedRelease } from './invitations.js';
import { alreadyRead, defineCommand, loadStream, newStream, type StreamRead } from './pipeline.js';
import { SeatShardChooser } from './seats.js';
import { conferenceStream, invitationStream, registrationStream } from './streams.js';

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

export { seatGuardCounts } from './seats.js';

/** The one answer to a confirmation token that is unknown, expired or used: it tells nothing more. */
export const UNKNOWN_REQUEST =
  'No registration request of this token is waiting: it is unknown, expired or used';

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
  /** The body's `answers` to the registration form (CONTRACT 5.2), checked against the form in force. */
  answers?: unknown;
  now: string;
  /**
   * A confirmed registration request (CONTRACT 5.1): its token is claimed in the same transaction, so it
   * registers once; a claim already there answers 404 (used), before any other refusal.
   */
  singleUse?: { key: string; expiresAt: number };
  /** The invitation whose code the body gave (CONTRACT 5.3): accepted in the same transaction. */
  invitationId?: string;
  /** Registers without waiting for approval in a moderated category (an invitation's `skipModeration`). */
  skipModeration?: boolean;
  /** The conference as the route read it in this request (loadStream): the first decision takes it as read. */
  conferenceRead?: StreamRead<ConferenceState>;
}

/**
 * The one answer to a registration an invitation does not admit (CONTRACT 5.3: 403): the same for no
 * code, a code of another address, a revoked, declined, expired or used one, so that it never tells
 * whether an address was invited.
 */
export const NOT_INVITED =
  'No invitation admits this registration: a category by invitation needs the invitation code sent to this address, and a code given in any category must be that one';

/** The limits of a form's options by `fieldId/optionId`: what the guards of limited places take. */
export const optionLimitsOf = (form: RegistrationForm | undefined): OptionLimits => {
  const limits = new Map<string, number>();
  for (const field of form?.fields ?? [])
    for (const option of field.options ?? [])
      if (option.limit !== undefined) limits.set(`${field.fieldId}/${option.optionId}`, option.limit);
  return (option) => limits.get(option);
};

/**
 * The answers of a registration request checked against the form in force now (400 with
 * `answers.<fieldId>` paths), for a route that only accepts the request and registers later (the email
 * confirmation of CONTRACT 5.1): the registration's command checks them again against the form in force
 * when it runs, and takes the limited places then.
 */
export const checkAnswersNow = async (
  conferenceId: string,
  category: string,
  answers: unknown,
  conferenceRead?: StreamRead<ConferenceState>,
): Promise<void> => {
  const form = conferenceRead
    ? registrationFormOf(conferenceRead.state, conferenceId)
    : await loadRegistrationForm(conferenceId);
  const errors = answerErrors(form, category, answers);
  if (errors.length > 0)
    throw new InvalidCommandError('The answers do not fit the registration form', errors);
};

/** The 409 of a limited option that is full (a refused option guard), naming the option; else nothing. */
const fullOption = (guards: string[], form: RegistrationForm | undefined): ConflictError | undefined => {
  const refused = guards.find((name) => name.startsWith('option:'));
  if (!refused) return undefined;
  const option = refused.slice('option:'.length);
  const [fieldId, optionId] = option.split('/');
  const limit = optionLimitsOf(form)(option);
  return new ConflictError(
    `The option ${optionId} of ${fieldId} is full: all ${limit ?? 'its'} places are taken (answers.${fieldId})`,
  );
};

/**
 * Registers a delegate as registered or waitlisted. The decision guesses whether a seat is free (as the
 * last registration here found it) and in which shard of the seat pool to take it; the seat guard
 * written with the event makes the guess hold, and when it refuses, another shard or the other answer is
 * decided. The conference is read for its window and capacity but not held unchanged: the shard's stamp
 * is (seatRuleStamp), so no registration item is in every registration's transaction. A refused email
 * guard is the 409 of an email already active.
 */
export const registerDelegate = (registration: NewRegistration) => {
  const { conferenceId, registrationId } = registration;
  let seatAvailable = !lastSeenFull.get(conferenceId);
  const seats = new SeatShardChooser(conferenceId);
  let decided: { shard: number | undefined; stamp: string } | undefined;
  let form: RegistrationForm | undefined;
  return defineCommand({
    subject: `The seats of conference ${conferenceId}`,
    reads: {
      conference: registration.conferenceRead
        ? alreadyRead(conferenceStream(conferenceId), registration.conferenceRead)
        : conferenceStream(conferenceId),
      registration: newStream(registrationStream(registrationId)),
      invitation: registration.invitationId ? invitationStream(registration.invitationId) : undefined,
    },
    prepare: () => seats.prepare(),
    decide: (streams) => {
      const conference = existingConference(streams.conference, conferenceId);
      const closed = registrationWindowRefusal(conference, registration.now);
      if (closed) throw new ConflictError(closed);
      const { category } = registration.delegate;
      // A code given is checked whatever the category's policy; an invitation category needs one.
      const invited = invitationAccepted(registration, streams.invitation, {
        required: policyOf(conference, category) === 'invitation',
      });
      // The shards read found every seat held: wait (the wait's guard checks that every shard still is full).
      if (seats.knownFull) seatAvailable = false;
      const seatShard = seatAvailable ? seats.choose() : undefined;
      const stamp = seatRuleStamp(conference);
      decided = { shard: seatShard, stamp };
      // The answers are checked against the form in force as read; the registration keeps that version.
      form = registrationFormOf(streams.conference, conferenceId);
      const events = registrationDecider.decide(
        {
          type: 'RegisterDelegate',
          registrationId,
          conferenceId,
          delegate: registration.delegate,
          emailKey: registration.emailKey,
          manageTokenHash: registration.manageTokenHash,
          seatAvailable,
          ...(seatShard === undefined ? {} : { seatShard }),
          ...(form ? { form } : {}),
          ...(registration.answers === undefined ? {} : { answers: registration.answers }),
          languages: languagesOf(conference),
          ...(invited
            ? {
                invitation: {
                  invitationId: invited.invitation.invitationId,
                  ...(invited.invitation.delegationId
                    ? { delegationId: invited.invitation.delegationId }
                    : {}),
                },
              }
            : {}),
          // A moderated category's registration waits for an organizer (CONTRACT 5.3); `invitation` is
          // checked before (the invitation code) and registers as `open` here.
          policy: policyOf(conference, registration.delegate.category) === 'moderated' ? 'moderated' : 'open',
          // An invitation with `skipModeration` registers at once.
          ...(registration.skipModeration || invited?.invitation.skipModeration
            ? { skipModeration: true }
            : {}),
          now: registration.now,
        },
        streams.registration,
      );
      return {
        append: [
          { to: 'registration', events },
          // At the invitation stream's version as read: a code raced by two registrations works once.
          { to: 'invitation', events: invited?.events ?? [] },
        ],
        guards: emailGuarded(
          [
            ...(invited ? invitedRelease(invited.invitation) : []),
            ...registrationGuards(
              { conferenceId, registrationId },
              stamp,
              events,
              optionLimitsOf(form),
            ).flatMap(toStoreGuards),
            ...(registration.singleUse
              ? [{ op: 'claim' as const, name: 'request', owner: registrationId, ...registration.singleUse }]
              : []),
          ],
          conferenceId,
          registration.legacyEmailKey,
          true,
        ),
        result: admittedAs(events),
      };
    },
    guardRefused: (guards, error) => {
      if (guards.includes('request')) throw notFound(UNKNOWN_REQUEST);
      if (guards.includes('email'))
        throw new ConflictError('This email address already has an active registration for the conference');
      const full = fullOption(guards, form);
      if (full) throw full;
      if (!guards.includes('seats') || !decided) return undefined;
      seats.refused(decided.shard, decided.stamp, error);
      // A wait refused: a seat is free somewhere (or the settings changed); the shards are read again.
      if (decided.shard === undefined) seatAvailable = true;
      return 'decide-again';
    },
    committed: (status) => {
      // A pending registration tried no seat: it tells nothing of whether the conference is full.
      if (status !== 'pending') lastSeenFull.set(conferenceId, status === 'waitlisted');
    },
  });
};

/**
 * The invitation a registration accepts, with its InvitationAccepted; undefined when it needs none and
 * gave no code. Any code that does not admit it, or none where the category needs one: the one 403.
 */
const invitationAccepted = (
  registration: NewRegistration,
  state: InvitationState | undefined,
  { required }: { required: boolean },
): { invitation: Invitation; events: InvitationEvent[] } | undefined => {
  if (!registration.invitationId) {
    if (required) throw forbidden(NOT_INVITED);
    return undefined;
  }
  const invitation = state ?? invitationDecider.initialState;
  const admits = {
    conferenceId: registration.conferenceId,
    category: registration.delegate.category,
    emailKey: registration.emailKey,
    now: registration.now,
  };
  if (invitation.status === 'none' || invitationRefusal(invitation, admits) !== undefined)
    throw forbidden(NOT_INVITED);
  const events = invitationDecider.decide(
    { type: 'AcceptInvitation', registrationId: registration.registrationId, ...admits },
    invitation,
  );
  return { invitation, events };
};

/** What a new registration became: a seat, a waitlist place, or (a moderated category) pending. */
const admittedAs = (events: readonly RegistrationEvent[]): 'registered' | 'waitlisted' | 'pending' => {
  const first = events[0]?.type;
  if (first === 'DelegateRegistered') return 'registered';
  if (first === 'RegistrationPending') return 'pending';
  return 'waitlisted';
};

export interface RegistrationChange {
  conferenceId: string;
  registrationId: string;
  command: RegistrationCommand;
  /** Checked against the registration before deciding (e.g. the manage token). */
  authorize?: (registration: Registration) => void;
  /**
   * What the caller read already: the first decision takes the streams as read and chooses a seat among
   * these shards (read as having one left) instead of reading them again; a decision taken again reads all.
   */
  known?: {
    registration: StreamRead<RegistrationState>;
    conference: StreamRead<ConferenceState>;
    freeSeatShards: readonly number[];
  };
}

/**
 * A change to an existing registration (cancel, check in, promote) with the guards its events need. The
 * conference is read with it (in the same round trip) for the seat rule's stamp. A promotion takes its
 * seat in a shard as a registration does; when every shard is full, the seat guard's refusal is the answer.
 */
export const changeRegistration = ({
  conferenceId,
  registrationId,
  command,
  authorize,
  known,
}: RegistrationChange) => {
  const seats = new SeatShardChooser(conferenceId, {
    readFirst: command.type === 'PromoteWaitlistedDelegate',
    ...(known ? { free: known.freeSeatShards } : {}),
  });
  let decided: { shard: number | undefined; stamp: string } | undefined;
  const registrationRef = registrationStream(registrationId);
  const conferenceRef = conferenceStream(conferenceId);
  return defineCommand({
    subject: `Registration ${registrationId}`,
    reads: known
      ? {
          registration: alreadyRead(registrationRef, known.registration),
          conference: alreadyRead(conferenceRef, known.conference),
        }
      : { registration: registrationRef, conference: conferenceRef },
    prepare: () => seats.prepare(),
    decide: (streams) => {
      const registration = existingRegistration(streams.registration, conferenceId, registrationId);
      authorize?.(registration);
      const events = registrationDecider.decide(
        command.type === 'PromoteWaitlistedDelegate' ? { ...command, seatShard: seats.choose() } : command,
        registration,
      );
      // The email guard's key is in the personal part: a state read without it cannot release the guard.
      if (emailRuleApplies(events) && !registration.secrets)
        throw new Error(`Registration ${registrationId} was read without its personal part`);
      // A seat taken on the settings as read: the shard's stamp refuses it if they changed meanwhile.
      const stamp = seatRuleApplies(events)
        ? seatRuleStamp(existingConference(streams.conference, conferenceId))
        : undefined;
      const taken = events.find((event) => event.type === 'WaitlistedDelegatePromoted');
      decided = stamp === undefined ? undefined : { shard: taken?.data.seatShard, stamp };
      return {
        append: [{ to: 'registration', events }],
        guards: [
          ...registrationGuards(registration, stamp, events).flatMap(toStoreGuards),
          // A member leaving its delegation gives its place of the quota back (CONTRACT 5.3).
          ...memberLeavingGuards(registration, events),
        ],
        result: events,
      };
    },
    guardRefused: (guards, error) => {
      if (!guards.includes('seats') || !decided) return undefined;
      return seats.refused(decided.shard, decided.stamp, error) === 'full' ? undefined : 'decide-again';
    },
  });
};

export interface DetailsChange {
  conferenceId: string;
  registrationId: string;
  by: 'delegate' | 'organizer';
  changes: Partial<Delegate>;
  /** The delegate's personal fields as read (opened) before the command runs. */
  current: DelegateDetails;
  /** HMAC of the new email (functions/shared/personal-data) when the body has one. */
  newEmailKey?: string;
  /** New answers to the registration form (the whole set), checked against the form in force. */
  answers?: unknown;
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
  let form: RegistrationForm | undefined;
  return defineCommand({
    subject: `Registration ${registrationId}`,
    reads: { registration: registrationStream(registrationId), conference: conferenceStream(conferenceId) },
    decide: (streams) => {
      const registration = existingRegistration(streams.registration, conferenceId, registrationId);
      change.authorize(registration);
      const conference = existingConference(streams.conference, conferenceId);
      const { editableUntil } = conference;
      form = registrationFormOf(streams.conference, conferenceId);
      const events = registrationDecider.decide(
        {
          type: 'ChangeDelegateDetails',
          by: change.by,
          changes: change.changes,
          current: change.current,
          ...(change.newEmailKey ? { newEmailKey: change.newEmailKey } : {}),
          ...(editableUntil ? { editableUntil } : {}),
          ...(change.answers === undefined ? {} : { answers: change.answers, ...(form ? { form } : {}) }),
          languages: languagesOf(conference),
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
          registrationGuards(registration, undefined, events, optionLimitsOf(form)).flatMap(toStoreGuards),
          conferenceId,
          change.newLegacyEmailKey,
          events.some((event) => event.type === 'DelegateDetailsChanged' && change.newEmailKey !== undefined),
        ),
        // New answers were checked against the form as read: a new version meanwhile decides again.
        unchanged: change.answers === undefined ? [] : ['conference'],
        result: { registration: after as Registration, personal, events },
      };
    },
    guardRefused: (guards) => {
      if (guards.includes('email'))
        throw new ConflictError('This email address already has an active registration for the conference');
      const full = fullOption(guards, form);
      if (full) throw full;
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
