import {
  type Answers,
  answerErrors,
  answerTallies,
  limitedChoices,
  splitAnswers,
} from '../registration-form/evaluate.js';
import type { RegistrationForm } from '../registration-form/form.js';
import type { Decider } from '../shared/decider.js';
import { unreachable } from '../shared/decider.js';
import { ConflictError, GoneError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import { type Language, ownLanguages, type Translatable } from '../shared/languages.js';
import { normalizeEmail } from '../shared/values.js';
import {
  type ChangedPersonal,
  type Delegate,
  type DelegateCategory,
  type DelegatePersonal,
  isOpenedChange,
  isOpenedPersonal,
  optionKey,
  type PersonalPart,
  type RegistrationEvent,
  type RegistrationStatus,
  type RejectionReasonCode,
  SENSITIVE_TALLIES,
} from './events.js';

export type RegistrationCommand =
  | {
      type: 'RegisterDelegate';
      registrationId: string;
      conferenceId: string;
      delegate: Delegate;
      /** HMAC of the normalized email (the email guard's key), made by the caller with the system's key. */
      emailKey: string;
      manageTokenHash: string;
      /** Whether a seat is free; the seat guard written with the events makes the answer hold. */
      seatAvailable: boolean;
      /** The shard of the seat pool the seat is taken from, when one is. */
      seatShard?: number;
      /** The registration form in force at the conference (none: no questions) and the body's answers. */
      form?: RegistrationForm;
      answers?: unknown;
      /** The languages the conference offers and its default (languagesOf); a conference without: English. */
      languages?: ConferenceLanguages;
      /** The invitation whose code admits it (accepted in the same transaction), and its delegation. */
      invitation?: { invitationId: string; delegationId?: string };
      /**
       * The category's policy (policyOf; CONTRACT 5.3): `moderated` makes the registration `pending`, holding
       * no seat (`seatAvailable` is then not looked at), unless `skipModeration` (an invitation's) says not to.
       */
      policy?: 'open' | 'moderated';
      skipModeration?: boolean;
      now: string;
    }
  /** An organizer approves a pending registration: a seat if one is free (the seat guard), else the waitlist. */
  | { type: 'ApproveRegistration'; seatAvailable: boolean; seatShard?: number; now: string }
  /** An organizer rejects a pending registration, with a reason and an optional message to the delegate. */
  | {
      type: 'RejectRegistration';
      reasonCode: RejectionReasonCode;
      message?: Translatable;
      /** The conference's default language now: the language of a message given as a plain string. */
      defaultLanguage: Language;
      now: string;
    }
  | { type: 'CancelRegistration'; by: 'delegate' | 'organizer'; now: string }
  | { type: 'CheckInDelegate'; now: string }
  | {
      type: 'ChangeDelegateDetails';
      by: 'delegate' | 'organizer';
      /** The fields sent, each already valid by the registration's rules. */
      changes: Partial<Delegate>;
      /** The delegate's personal fields as the events tell them now (read opened by the caller). */
      current: DelegateDetails;
      /** HMAC of the new email, made by the caller with the system's key, when `changes` has an email. */
      newEmailKey?: string;
      /** The conference's limit for delegates' own changes, if it has one. */
      editableUntil?: string;
      /** New answers (the whole set), checked against the form in force, if the body gave `answers`. */
      answers?: unknown;
      form?: RegistrationForm;
      /** The languages the conference offers: a new `language` must be one of them. */
      languages?: ConferenceLanguages;
      now: string;
    }
  | { type: 'PromoteWaitlistedDelegate'; now: string; seatShard?: number }
  /** A new manage token for an active registration (CONTRACT 5.1 manage-link): only its hash is kept. */
  | { type: 'ReplaceManageToken'; manageTokenHash: string; now: string }
  | { type: 'ErasePersonalData'; by: 'delegate' | 'organizer' | 'retention'; now: string }
  | { type: 'EraseSensitiveAnswers'; by: 'organizer' | 'retention'; now: string };

export interface ConferenceLanguages {
  languages: readonly Language[];
  defaultLanguage: Language;
}

/** A language the conference does not offer: 400 naming those it does (CONTRACT 5.4). */
const englishOnly: ConferenceLanguages = { languages: ['en'], defaultLanguage: 'en' };

const checkLanguage = (language: Language | undefined, offered: ConferenceLanguages = englishOnly): void => {
  if (language !== undefined && !offered.languages.includes(language))
    throw new InvalidCommandError(`The conference does not offer the language ${language}`, [
      {
        path: 'language',
        message: `must be one of the conference's languages: ${offered.languages.join(', ')}`,
      },
    ]);
};

/**
 * The two values a decision may need of the personal part, known when the events were read opened:
 * the email guard's key and the manage token's hash. Neither is personal data in plaintext.
 */
export interface RegistrationSecrets {
  emailGuard: string;
  manageTokenHash: string;
}

/** What decisions need of a registration. It holds no personal data: names and addresses stay in events. */
export interface Registration {
  registrationId: string;
  conferenceId: string;
  status: RegistrationStatus;
  country: string;
  category: DelegateCategory;
  registeredAt: string;
  checkedInAt?: string;
  cancelledAt?: string;
  promotedAt?: string;
  /** When an organizer approved it (a moderated category): its place in the waitlist dates from then. */
  approvedAt?: string;
  rejectedAt?: string;
  erasedAt?: string;
  /** The shard of the conference's seat pool its seat is held in (taken when registered or promoted). */
  seatShard?: number;
  /** The form version the answers were given to (CONTRACT 5.2), and the limited options they hold. */
  formVersion?: number;
  limitedOptions?: string[];
  /** When the sensitive answers' key was destroyed on its own (their retention). */
  sensitiveErasedAt?: string;
  /** The invitation whose code admitted it, and that invitation's delegation (CONTRACT 5.3). */
  invitationId?: string;
  delegationId?: string;
  /** Absent when the events were read sealed (a decision that needs no personal data) or after erasure. */
  secrets?: RegistrationSecrets;
}

export type RegistrationState = { status: 'none' } | Registration;

/** A delegate's personal fields as they stand (no secrets). */
export type DelegateDetails = Pick<
  DelegatePersonal,
  | 'givenName'
  | 'familyName'
  | 'email'
  | 'city'
  | 'organization'
  | 'language'
  | 'latinName'
  | 'nameOrder'
  | 'consentToPublish'
>;

const personalDetailFields = [
  'givenName',
  'familyName',
  'email',
  'city',
  'organization',
  'language',
  'latinName',
  'nameOrder',
  'consentToPublish',
] as const;

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

export const registrationStreamId = (registrationId: string) => `registration-${registrationId}`;

/** The email guard of v2 events is the HMAC; a v1 event (before encryption) was guarded by the address. */
const secretsOf = (personal: PersonalPart): RegistrationSecrets | undefined =>
  isOpenedPersonal(personal)
    ? {
        emailGuard: personal.emailKey ?? normalizeEmail(personal.email),
        manageTokenHash: personal.manageTokenHash,
      }
    : undefined;

const existing = (state: RegistrationState): Registration => {
  if (state.status === 'none') throw new NotFoundError('No such registration');
  return state;
};

/** A registration whose personal data is still there: after erasure every delegate route answers 410. */
const notErased = (state: RegistrationState): Registration => {
  const registration = existing(state);
  if (registration.status === 'erased')
    throw new GoneError('The personal data of this registration was erased');
  return registration;
};

export const registrationDecider: Decider<RegistrationCommand, RegistrationEvent, RegistrationState> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterDelegate': {
        if (state.status !== 'none') throw new ConflictError('The registration already exists');
        const { country, category, givenName, familyName, email, city, organization, latinName, nameOrder } =
          command.delegate;
        checkLanguage(command.delegate.language, command.languages);
        const personal: DelegatePersonal = {
          givenName,
          familyName,
          email,
          city,
          ...(organization === undefined ? {} : { organization }),
          language: command.delegate.language ?? (command.languages ?? englishOnly).defaultLanguage,
          ...(latinName === undefined ? {} : { latinName }),
          ...(nameOrder === undefined ? {} : { nameOrder }),
          // Not named in the public List of Participants unless the delegate said so (CONTRACT 5.3).
          consentToPublish: command.delegate.consentToPublish === true,
          emailKey: command.emailKey,
          manageTokenHash: command.manageTokenHash,
        };
        const answered = checkedAnswers(command.form, category, command.answers);
        if (answered) Object.assign(personal, answered.personal);
        const moderated = isModerated(command);
        const data = {
          registrationId: command.registrationId,
          conferenceId: command.conferenceId,
          country,
          category,
          registeredAt: command.now,
          ...(!moderated && command.seatAvailable && command.seatShard !== undefined
            ? { seatShard: command.seatShard }
            : {}),
          personal,
          ...(answered?.fields ?? {}),
          ...(command.invitation ? { invitationId: command.invitation.invitationId } : {}),
          ...(command.invitation?.delegationId ? { delegationId: command.invitation.delegationId } : {}),
        };
        if (moderated) return [{ type: 'RegistrationPending', data }];
        return [
          command.seatAvailable ? { type: 'DelegateRegistered', data } : { type: 'DelegateWaitlisted', data },
        ];
      }
      case 'ApproveRegistration': {
        const registration = pendingOnly(notErased(state));
        return [
          {
            type: 'RegistrationApproved',
            data: {
              registrationId: registration.registrationId,
              approvedAt: command.now,
              status: command.seatAvailable ? 'registered' : 'waitlisted',
              ...(command.seatAvailable && command.seatShard !== undefined
                ? { seatShard: command.seatShard }
                : {}),
            },
          },
        ];
      }
      case 'RejectRegistration': {
        const registration = pendingOnly(notErased(state));
        return [
          {
            type: 'RegistrationRejected',
            data: {
              registrationId: registration.registrationId,
              rejectedAt: command.now,
              reasonCode: command.reasonCode,
              personal: command.message === undefined ? {} : { message: command.message },
              ...(command.message === undefined
                ? {}
                : { messageLanguages: ownLanguages(command.message, command.defaultLanguage) }),
            },
          },
        ];
      }
      case 'CancelRegistration': {
        const registration = notErased(state);
        if (registration.status === 'cancelled')
          throw new ConflictError('The registration is already cancelled');
        if (registration.status === 'rejected')
          throw new ConflictError('The registration was rejected: there is nothing to cancel');
        return [cancellation(registration, command.by, command.now)];
      }
      case 'CheckInDelegate': {
        const registration = notErased(state);
        if (registration.status === 'checked-in')
          throw new ConflictError(
            `The delegate is already checked in${registration.checkedInAt ? ` (since ${registration.checkedInAt})` : ''}`,
          );
        if (registration.status !== 'registered')
          throw new ConflictError(`The delegate is not registered (status: ${registration.status})`);
        return [
          {
            type: 'DelegateCheckedIn',
            data: { registrationId: registration.registrationId, checkedInAt: command.now },
          },
        ];
      }
      case 'ChangeDelegateDetails':
        return [detailsChange(notErased(state), command)];
      case 'PromoteWaitlistedDelegate': {
        const registration = notErased(state);
        if (registration.status !== 'waitlisted')
          throw new ConflictError(`The delegate is not waitlisted (status: ${registration.status})`);
        return [
          {
            type: 'WaitlistedDelegatePromoted',
            data: {
              registrationId: registration.registrationId,
              promotedAt: command.now,
              ...(command.seatShard === undefined ? {} : { seatShard: command.seatShard }),
            },
          },
        ];
      }
      case 'ReplaceManageToken': {
        const registration = notErased(state);
        if (registration.status === 'cancelled' || registration.status === 'rejected')
          throw new ConflictError(
            `The registration is ${registration.status}: it has no manage link any more`,
          );
        return [
          {
            type: 'ManageTokenReplaced',
            data: {
              registrationId: registration.registrationId,
              replacedAt: command.now,
              personal: { manageTokenHash: command.manageTokenHash },
            },
          },
        ];
      }
      case 'EraseSensitiveAnswers': {
        const registration = notErased(state);
        if (registration.sensitiveErasedAt)
          throw new GoneError('The sensitive answers of this registration were erased');
        return [
          {
            type: 'SensitiveAnswersErased',
            data: {
              registrationId: registration.registrationId,
              erasedAt: command.now,
              erasedBy: command.by,
            },
          },
        ];
      }
      case 'ErasePersonalData': {
        const registration = notErased(state);
        const erased: RegistrationEvent = {
          type: 'PersonalDataErased',
          data: {
            registrationId: registration.registrationId,
            erasedAt: command.now,
            erasedBy: command.by,
            // The invitee's data of the invitation it was made from is erased with it (its key destroyed).
            ...(registration.invitationId ? { invitationId: registration.invitationId } : {}),
          },
        };
        // An active registration is cancelled in the same step: its seat goes to the waitlist as usual. A
        // rejected one holds nothing: it is only erased.
        return registration.status === 'cancelled' || registration.status === 'rejected'
          ? [erased]
          : [cancellation(registration, command.by, command.now), erased];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DelegateRegistered':
      case 'DelegateWaitlisted':
      case 'RegistrationPending': {
        const { personal, sensitive: _sensitive, ...data } = event.data;
        const secrets = secretsOf(personal);
        return {
          ...data,
          status: admittedStatus[event.type],
          ...(secrets ? { secrets } : {}),
        };
      }
      case 'RegistrationApproved':
        return {
          ...existing(state),
          status: event.data.status,
          approvedAt: event.data.approvedAt,
          ...(event.data.seatShard === undefined ? {} : { seatShard: event.data.seatShard }),
        };
      case 'RegistrationRejected':
        return { ...existing(state), status: 'rejected', rejectedAt: event.data.rejectedAt };
      case 'WaitlistedDelegatePromoted':
        return {
          ...existing(state),
          status: 'registered',
          promotedAt: event.data.promotedAt,
          ...(event.data.seatShard === undefined ? {} : { seatShard: event.data.seatShard }),
        };
      case 'RegistrationCancelled':
        return { ...existing(state), status: 'cancelled', cancelledAt: event.data.cancelledAt };
      case 'DelegateCheckedIn':
        return { ...existing(state), status: 'checked-in', checkedInAt: event.data.checkedInAt };
      case 'DelegateDetailsChanged': {
        const { secrets, ...registration } = existing(state);
        const { personal, country, category, formVersion, limitedOptions } = event.data;
        // Read sealed, the change may have moved the email guard: no secret is kept rather than a stale one.
        const changedSecrets =
          secrets && isOpenedChange(personal)
            ? { ...secrets, ...(personal.emailKey ? { emailGuard: personal.emailKey } : {}) }
            : undefined;
        return {
          ...registration,
          ...(country ? { country } : {}),
          ...(category ? { category } : {}),
          ...(formVersion === undefined ? {} : { formVersion }),
          ...(limitedOptions === undefined ? {} : { limitedOptions }),
          ...(changedSecrets ? { secrets: changedSecrets } : {}),
        };
      }
      case 'ManageTokenReplaced': {
        const { secrets, ...registration } = existing(state);
        const { personal } = event.data;
        // Read sealed, the old hash would be stale: no secret is kept rather than the token replaced.
        return typeof personal === 'object' && 'manageTokenHash' in personal && secrets
          ? { ...registration, secrets: { ...secrets, manageTokenHash: personal.manageTokenHash } }
          : registration;
      }
      case 'SensitiveAnswersErased':
        return { ...existing(state), sensitiveErasedAt: event.data.erasedAt };
      case 'PersonalDataErased': {
        const { secrets: _secrets, ...registration } = existing(state);
        return { ...registration, status: 'erased', erasedAt: event.data.erasedAt };
      }
      default:
        return unreachable(event);
    }
  },
};

const admittedStatus = {
  DelegateRegistered: 'registered',
  DelegateWaitlisted: 'waitlisted',
  RegistrationPending: 'pending',
} as const;

/** Whether a registration of this command waits for an organizer's decision (CONTRACT 5.3). */
const isModerated = (command: Extract<RegistrationCommand, { type: 'RegisterDelegate' }>): boolean =>
  command.policy === 'moderated' && command.skipModeration !== true;

/** Only a pending registration is decided: any other is a conflict naming its status. */
const pendingOnly = (registration: Registration): Registration => {
  if (registration.status !== 'pending')
    throw new ConflictError(`The registration is not pending (status: ${registration.status})`);
  return registration;
};

const cancellation = (
  registration: Registration,
  by: 'delegate' | 'organizer' | 'retention',
  now: string,
): RegistrationEvent => {
  const { status } = registration;
  if (status === 'cancelled' || status === 'erased')
    throw new ConflictError('The registration is already cancelled');
  if (status === 'rejected') throw new ConflictError('The registration was rejected: it holds nothing');
  return {
    type: 'RegistrationCancelled',
    data: {
      registrationId: registration.registrationId,
      cancelledAt: now,
      previousStatus: status,
      cancelledBy: by,
    },
  };
};

const detailsChange = (
  registration: Registration,
  command: Extract<RegistrationCommand, { type: 'ChangeDelegateDetails' }>,
): RegistrationEvent => {
  if (registration.status === 'cancelled' || registration.status === 'rejected')
    throw new ConflictError(
      `The registration is ${registration.status}: its details can no longer be changed`,
    );
  if (
    command.by === 'delegate' &&
    command.editableUntil &&
    Date.parse(command.now) > Date.parse(command.editableUntil)
  )
    throw new ConflictError(
      `Changes closed at ${command.editableUntil}: only an organizer can change the details now`,
    );
  const { changes, current } = command;
  checkLanguage(changes.language, command.languages);
  const personal: ChangedPersonal = {};
  for (const field of personalDetailFields) {
    const value = changes[field];
    // A registration from before consentToPublish existed did not consent: false is no change for it.
    const was = field === 'consentToPublish' ? (current[field] ?? false) : current[field];
    if (value !== undefined && !sameValue(value, was)) Object.assign(personal, { [field]: value });
  }
  const country = changes.country !== registration.country ? changes.country : undefined;
  const category = changes.category !== registration.category ? changes.category : undefined;
  const answered =
    command.answers === undefined
      ? undefined
      : checkedAnswers(command.form, category ?? registration.category, command.answers);
  if (answered) Object.assign(personal, answered.personal);
  if (Object.keys(personal).length === 0 && country === undefined && category === undefined)
    throw new InvalidCommandError(
      'The body changes nothing: every field given already has that value',
      Object.keys(changes).map((path) => ({ path, message: 'is already the registration’s value' })),
    );
  if (personal.email !== undefined) {
    if (!command.newEmailKey) throw new Error('A changed email needs its guard key');
    personal.emailKey = command.newEmailKey;
  }
  return {
    type: 'DelegateDetailsChanged',
    data: {
      registrationId: registration.registrationId,
      changedAt: command.now,
      changedBy: command.by,
      ...(country === undefined ? {} : { country }),
      ...(category === undefined ? {} : { category }),
      previous: { country: registration.country, category: registration.category },
      personal,
      ...(answered?.fields ?? {}),
    },
  };
};

/**
 * Answers checked against the form in force (400 with `answers.<fieldId>` paths), split into what the
 * personal part keeps (`plain`) and what the event carries beside it: the form version, the limited
 * options taken (not personal) and the sensitive answers (sealed under the second key when stored).
 * `undefined` when there is neither a form nor answers.
 */
const checkedAnswers = (form: RegistrationForm | undefined, category: string, answers: unknown) => {
  if (!form && answers === undefined) return undefined;
  const errors = answerErrors(form, category, answers);
  if (errors.length > 0)
    throw new InvalidCommandError('The answers do not fit the registration form', errors);
  const given = (answers ?? {}) as Answers;
  const { plain, sensitive } = splitAnswers(form, given);
  const held = limitedChoices(form, given).map((choice) => optionKey(choice.fieldId, choice.optionId));
  return {
    personal: { answers: plain, tallies: answerTallies(form, plain) },
    fields: {
      ...(form ? { formVersion: form.version } : {}),
      limitedOptions: held,
      ...(Object.keys(sensitive).length > 0
        ? { sensitive: { ...sensitive, [SENSITIVE_TALLIES]: answerTallies(form, sensitive) } }
        : {}),
    },
  };
};

/**
 * The delegate's personal data as the events tell it now (read opened): the latest personal part, or
 * `erased` once the data was erased (or its key destroyed). `undefined` for no registration.
 */
export const personalDataOf = (
  events: readonly RegistrationEvent[],
): DelegatePersonal | 'erased' | undefined => {
  let personal: DelegatePersonal | 'erased' | undefined;
  for (const event of events) {
    if (event.type === 'PersonalDataErased') personal = 'erased';
    else if (
      event.type === 'DelegateRegistered' ||
      event.type === 'DelegateWaitlisted' ||
      event.type === 'RegistrationPending'
    ) {
      const part = event.data.personal;
      if (isOpenedPersonal(part)) personal = part;
      else if (typeof part === 'object') personal = 'erased';
      else throw new Error('The personal part of a registration event was read sealed');
    } else if (event.type === 'DelegateDetailsChanged' && personal !== 'erased') {
      const part = event.data.personal;
      if (typeof part === 'string')
        throw new Error('The personal part of a registration event was read sealed');
      if (!isOpenedChange(part)) personal = 'erased';
      else if (personal) {
        const { emailKey, ...fields } = part;
        personal = { ...personal, ...fields, ...(emailKey ? { emailKey } : {}) };
      }
    }
  }
  return personal;
};
