import { type DelegateCategory, delegateCategories } from '../registration/events.js';
import {
  decideFormVersion,
  type FieldType,
  type FormDefinition,
  type RegistrationForm,
} from '../registration-form/form.js';
import type { Decider } from '../shared/decider.js';
import { ConflictError, type FieldError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import { conferenceLanguages, type Language, textIn } from '../shared/languages.js';
import { minutesOf } from '../shared/values.js';
import {
  type ConferenceDetails,
  type ConferenceEvent,
  type ConferenceSettingsChange,
  DEFAULT_PERSONAL_DATA_RETENTION_DAYS,
  DEFAULT_SENSITIVE_DATA_RETENTION_DAYS,
  type RegistrationPolicy,
  type Room,
  settingNames,
} from './events.js';

export type ConferenceCommand =
  | { type: 'CreateConference'; conferenceId: string; details: ConferenceDetails }
  | {
      type: 'ChangeConferenceSettings';
      conferenceId: string;
      change: ConferenceSettingsChange;
      now: string;
    }
  | { type: 'ChangeRegistrationForm'; conferenceId: string; definition: FormDefinition; now: string };

export type Conference = ConferenceDetails & { conferenceId: string };
/** The form in force, and the type each field id ever had in any version (answers may point at any). */
export type RegistrationFormState = RegistrationForm & { fieldTypes: Record<string, FieldType> };
export type ConferenceState =
  | { status: 'none' }
  | ({ status: 'created' } & Conference & { registrationForm?: RegistrationFormState });

export const conferenceStreamId = (conferenceId: string) => `conference-${conferenceId}`;

/** The conference's name in `language` (else its default language's): for letters, badges and emails. */
export const conferenceNameIn = (
  conference: Pick<Conference, 'name' | 'languages' | 'defaultLanguage'>,
  language?: Language,
): string => {
  const { defaultLanguage } = conferenceLanguages(conference);
  return textIn(conference.name, language ?? defaultLanguage, defaultLanguage);
};

const duplicateRooms = (rooms: readonly Room[]): FieldError[] => {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  rooms.forEach((room, index) => {
    const key = room.name.toLowerCase();
    if (seen.has(key))
      errors.push({ path: `rooms.${index}.name`, message: 'is already the name of another room' });
    seen.add(key);
  });
  return errors;
};

/** A registration window whose close precedes its open, named at `path` (the field given). */
const windowViolation = (
  window: Pick<ConferenceDetails, 'registrationOpensAt' | 'registrationClosesAt'>,
  path: 'registrationOpensAt' | 'registrationClosesAt' = 'registrationClosesAt',
  storedNote = '',
): FieldError[] => {
  const { registrationOpensAt: opensAt, registrationClosesAt: closesAt } = window;
  if (!opensAt || !closesAt || Date.parse(closesAt) >= Date.parse(opensAt)) return [];
  return [
    path === 'registrationClosesAt'
      ? { path, message: `must not precede registrationOpensAt${storedNote && ` (${opensAt}${storedNote})`}` }
      : {
          path,
          message: `must not follow registrationClosesAt${storedNote && ` (${closesAt}${storedNote})`}`,
        },
  ];
};

/** The languages a conference offers and its default, as set or by default (CONTRACT 5.4). */
export const languagesOf = (
  conference: Pick<ConferenceDetails, 'languages' | 'defaultLanguage'>,
): { languages: readonly Language[]; defaultLanguage: Language } => conferenceLanguages(conference);

/**
 * The languages rules (CONTRACT 5.4): no language twice, the default one of them, and the name's map only
 * in the conference's languages.
 */
const languageViolations = (
  details: Pick<ConferenceDetails, 'languages' | 'defaultLanguage' | 'name' | 'theme'>,
) => {
  const errors: FieldError[] = [];
  const { languages, defaultLanguage } = conferenceLanguages(details);
  if (new Set(languages).size !== languages.length)
    errors.push({ path: 'languages', message: 'must name each language once' });
  if (!languages.includes(defaultLanguage))
    errors.push({
      path: 'defaultLanguage',
      message: `must be one of the conference's languages (${languages.join(', ')})`,
    });
  for (const [path, value] of [
    ['name', details.name],
    ['theme', details.theme],
  ] as const)
    if (value !== undefined && typeof value !== 'string')
      for (const language of Object.keys(value))
        if (!(languages as readonly string[]).includes(language))
          errors.push({
            path: `${path}.${language}`,
            message: `is not a language of the conference: ${languages.join(', ')}`,
          });
  return errors;
};

const ruleViolations = (details: ConferenceDetails): FieldError[] => {
  const errors: FieldError[] = [...languageViolations(details)];
  if (details.endDate < details.startDate)
    errors.push({ path: 'endDate', message: 'must not be before startDate' });
  if (minutesOf(details.dailyEnd) <= minutesOf(details.dailyStart))
    errors.push({ path: 'dailyEnd', message: 'must be after dailyStart' });
  errors.push(...duplicateRooms(details.rooms));
  errors.push(...windowViolation(details));
  const days = (Date.parse(details.endDate) - Date.parse(details.startDate)) / 86_400_000;
  if (days > 31) errors.push({ path: 'endDate', message: 'a conference lasts at most 32 days' });
  return errors;
};

const sameRooms = (a: readonly Room[], b: readonly Room[]) =>
  a.length === b.length &&
  a.every((room, index) => room.name === b[index]?.name && room.capacity === b[index]?.capacity);

const sameInstant = (a: string | undefined, b: string | undefined) =>
  a === b || (a !== undefined && b !== undefined && Date.parse(a) === Date.parse(b));

/** Whether a setting's new value is the one the conference already has. */
const unchanged = <K extends keyof ConferenceSettingsChange>(
  name: K,
  value: NonNullable<ConferenceSettingsChange[K]>,
  conference: Conference,
): boolean => {
  const current = conference[name];
  switch (name) {
    case 'rooms':
      return sameRooms(value as Room[], current as Room[]);
    case 'visaLetterSignatory': {
      const signatory = value as NonNullable<ConferenceSettingsChange['visaLetterSignatory']>;
      const before = current as Conference['visaLetterSignatory'];
      return before?.name === signatory.name && before.title === signatory.title;
    }
    case 'registrationOpensAt':
    case 'registrationClosesAt':
    case 'editableUntil':
      return sameInstant(value as string, current as string | undefined);
    case 'personalDataRetentionDays':
      return value === (conference.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS);
    case 'emailConfirmation':
      return value === requiresEmailConfirmation(conference);
    case 'sensitiveDataRetentionDays':
      return value === (conference.sensitiveDataRetentionDays ?? DEFAULT_SENSITIVE_DATA_RETENTION_DAYS);
    case 'languages': {
      const before = languagesOf(conference).languages;
      const after = value as Language[];
      return after.length === before.length && after.every((language, index) => language === before[index]);
    }
    case 'defaultLanguage':
      return value === languagesOf(conference).defaultLanguage;
    case 'registrationPolicy':
      return samePolicy(value as RegistrationPolicyMap, conference.registrationPolicy ?? {});
    default:
      return value === current;
  }
};

type RegistrationPolicyMap = NonNullable<ConferenceDetails['registrationPolicy']>;

/** Two policy maps that give every category the same policy (a category not named is `open`). */
const samePolicy = (a: RegistrationPolicyMap, b: RegistrationPolicyMap) =>
  delegateCategories.every((category) => (a[category] ?? 'open') === (b[category] ?? 'open'));

/** Rooms are added, never removed: each room there is must be in the new list (names ignoring case). */
const removedRooms = (rooms: readonly Room[], conference: Conference): FieldError[] => {
  const kept = new Set(rooms.map((room) => room.name.toLowerCase()));
  return conference.rooms
    .filter((room) => !kept.has(room.name.toLowerCase()))
    .map((room) => ({
      path: 'rooms',
      message: `must still list the room "${room.name}": rooms may be added, never removed`,
    }));
};

const changeSettings = (
  command: Extract<ConferenceCommand, { type: 'ChangeConferenceSettings' }>,
  state: ConferenceState,
): ConferenceEvent[] => {
  if (state.status === 'none') throw new NotFoundError(`No conference ${command.conferenceId}`);
  const given = settingNames.flatMap((name) =>
    command.change[name] === undefined ? [] : [[name, command.change[name]] as const],
  );
  const changed = given.filter(([name, value]) => !unchanged(name, value as never, state));
  const errors: FieldError[] = [];
  if (command.change.rooms) {
    errors.push(...removedRooms(command.change.rooms, state));
    errors.push(...duplicateRooms(command.change.rooms));
  }
  // The default language must stay one the conference offers; removing it from `languages` needs a new one.
  if (command.change.languages !== undefined || command.change.defaultLanguage !== undefined)
    errors.push(
      ...languageViolations({
        name: state.name,
        theme: state.theme,
        languages: command.change.languages ?? conferenceLanguages(state).languages.slice(),
        defaultLanguage: command.change.defaultLanguage ?? conferenceLanguages(state).defaultLanguage,
      }),
    );
  const window = {
    registrationOpensAt: command.change.registrationOpensAt ?? state.registrationOpensAt,
    registrationClosesAt: command.change.registrationClosesAt ?? state.registrationClosesAt,
  };
  const closesGiven = command.change.registrationClosesAt !== undefined;
  const otherStored = closesGiven
    ? command.change.registrationOpensAt === undefined
    : command.change.registrationClosesAt === undefined;
  errors.push(
    ...windowViolation(
      window,
      closesGiven ? 'registrationClosesAt' : 'registrationOpensAt',
      otherStored ? ', as set before' : '',
    ),
  );
  if (errors.length > 0) throw new InvalidCommandError('The settings are not valid', errors);
  if (changed.length === 0)
    throw new InvalidCommandError(
      'The settings change nothing: every value given is the conference’s already',
      given.map(([name]) => ({ path: name, message: 'is the value the conference already has' })),
    );
  return [
    {
      type: 'ConferenceSettingsChanged',
      data: { conferenceId: command.conferenceId, changedAt: command.now, ...Object.fromEntries(changed) },
    },
  ];
};

export const conferenceDecider: Decider<ConferenceCommand, ConferenceEvent, ConferenceState> = {
  initialState: { status: 'none' },
  decide(command, state) {
    if (command.type === 'ChangeConferenceSettings') return changeSettings(command, state);
    if (command.type === 'ChangeRegistrationForm') {
      if (state.status === 'none') throw new NotFoundError(`No conference ${command.conferenceId}`);
      const form = decideFormVersion(command.definition, state.registrationForm);
      return [
        {
          type: 'RegistrationFormChanged',
          data: { conferenceId: command.conferenceId, ...form, changedAt: command.now },
        },
      ];
    }
    if (state.status !== 'none') throw new ConflictError(`Conference ${command.conferenceId} already exists`);
    const errors = ruleViolations(command.details);
    if (errors.length > 0) throw new InvalidCommandError('The conference is not valid', errors);
    const personalDataRetentionDays =
      command.details.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
    // A conference created under v1.2 waits for the owner of an address unless told otherwise (CONTRACT 5.1).
    const emailConfirmation = command.details.emailConfirmation ?? true;
    // Languages not given are not written: the conference reads as offering its defaults (evolve).
    return [
      {
        type: 'ConferenceCreated',
        data: {
          conferenceId: command.conferenceId,
          ...command.details,
          personalDataRetentionDays,
          emailConfirmation,
        },
      },
    ];
  },
  evolve(state, event) {
    // Created before v1.2 (no such fields): registrations are taken as in v1, in English only.
    if (event.type === 'ConferenceCreated') {
      const { languages, defaultLanguage } = languagesOf(event.data);
      return {
        status: 'created',
        ...event.data,
        emailConfirmation: event.data.emailConfirmation ?? false,
        languages: [...languages],
        defaultLanguage,
      };
    }
    if (state.status === 'none') return state;
    if (event.type === 'RegistrationFormChanged') {
      const { version, fields } = event.data;
      const fieldTypes = { ...state.registrationForm?.fieldTypes };
      for (const field of fields) fieldTypes[field.fieldId] = field.type;
      return { ...state, registrationForm: { version, fields, fieldTypes } };
    }
    const { conferenceId: _conferenceId, changedAt: _changedAt, ...changes } = event.data;
    return { ...state, ...changes };
  },
};

/**
 * Whether a registration of the conference waits for the owner of its address to confirm it (CONTRACT
 * 5.1): a conference created before the setting existed has none, and behaves as in v1.
 */
export const requiresEmailConfirmation = (
  conference: Pick<ConferenceDetails, 'emailConfirmation'>,
): boolean => conference.emailConfirmation === true;

/**
 * Who may register in `category` at the conference (CONTRACT 5.3): the category's policy, `open` when the
 * conference names none for it (or was created before the setting existed).
 */
export const policyOf = (
  conference: Pick<ConferenceDetails, 'registrationPolicy'>,
  category: DelegateCategory,
): RegistrationPolicy => conference.registrationPolicy?.[category] ?? 'open';

/** The capacity a settings change lowers the conference to, if it lowers it: seats held must fit in it. */
export const loweredCapacity = (conference: Conference, events: readonly ConferenceEvent[]) =>
  events.flatMap((event) =>
    event.type === 'ConferenceSettingsChanged' &&
    event.data.capacity !== undefined &&
    event.data.capacity < conference.capacity
      ? [event.data.capacity]
      : [],
  )[0];

/**
 * Why a registration made at `now` is refused by the conference's registration window (CONTRACT 4.2),
 * or undefined when the window is open.
 */
export const registrationWindowRefusal = (
  conference: Pick<ConferenceDetails, 'registrationOpensAt' | 'registrationClosesAt'>,
  now: string,
): string | undefined => {
  const at = Date.parse(now);
  if (conference.registrationOpensAt && at < Date.parse(conference.registrationOpensAt))
    return `Registration is not open yet: it opens at ${conference.registrationOpensAt}`;
  if (conference.registrationClosesAt && at > Date.parse(conference.registrationClosesAt))
    return `Registration is closed: it closed at ${conference.registrationClosesAt}`;
  return undefined;
};

/** The first day on which the conference's registrations are past their retention (UTC date). */
export const personalDataExpiresOn = (conference: ConferenceDetails): string => {
  const days = conference.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
  return new Date(Date.parse(`${conference.endDate}T00:00:00Z`) + days * 86_400_000)
    .toISOString()
    .slice(0, 10);
};

/** Whether, on `today` (YYYY-MM-DD), every registration of the conference is due for erasure. */
export const personalDataExpired = (conference: ConferenceDetails, today: string): boolean =>
  today >= personalDataExpiresOn(conference);

/** The first day on which the conference's sensitive answers are past their own retention (UTC date). */
export const sensitiveDataExpiresOn = (conference: ConferenceDetails): string => {
  const days = conference.sensitiveDataRetentionDays ?? DEFAULT_SENSITIVE_DATA_RETENTION_DAYS;
  return new Date(Date.parse(`${conference.endDate}T00:00:00Z`) + days * 86_400_000)
    .toISOString()
    .slice(0, 10);
};

/** Whether, on `today` (YYYY-MM-DD), the sensitive answers of the conference are due for erasure. */
export const sensitiveDataExpired = (conference: ConferenceDetails, today: string): boolean =>
  today >= sensitiveDataExpiresOn(conference);
