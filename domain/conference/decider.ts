import type { Decider } from '../shared/decider.js';
import { ConflictError, type FieldError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import { minutesOf } from '../shared/values.js';
import {
  type ConferenceDetails,
  type ConferenceEvent,
  type ConferenceSettingsChange,
  DEFAULT_LANGUAGES,
  DEFAULT_PERSONAL_DATA_RETENTION_DAYS,
  type Language,
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
    };

export type Conference = ConferenceDetails & { conferenceId: string };
export type ConferenceState = { status: 'none' } | ({ status: 'created' } & Conference);

export const conferenceStreamId = (conferenceId: string) => `conference-${conferenceId}`;

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
): { languages: readonly Language[]; defaultLanguage: Language } => {
  const languages = conference.languages ?? DEFAULT_LANGUAGES;
  const defaultLanguage =
    conference.defaultLanguage ?? (languages.includes('en') ? 'en' : (languages[0] as Language));
  return { languages, defaultLanguage };
};

/** A default language the conference does not offer. */
const languageViolation = (
  conference: Pick<ConferenceDetails, 'languages' | 'defaultLanguage'>,
): FieldError[] => {
  const { languages, defaultLanguage } = languagesOf(conference);
  return languages.includes(defaultLanguage)
    ? []
    : [
        {
          path: 'defaultLanguage',
          message: `must be one of the conference's languages (${languages.join(', ')})`,
        },
      ];
};

const ruleViolations = (details: ConferenceDetails): FieldError[] => {
  const errors: FieldError[] = [];
  errors.push(...languageViolation(details));
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
    case 'languages': {
      const before = languagesOf(conference).languages;
      const after = value as Language[];
      return after.length === before.length && after.every((language, index) => language === before[index]);
    }
    case 'defaultLanguage':
      return value === languagesOf(conference).defaultLanguage;
    default:
      return value === current;
  }
};

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
  // The default language must stay one the conference offers; removing it from `languages` needs a new one.
  if (command.change.languages !== undefined || command.change.defaultLanguage !== undefined)
    errors.push(
      ...languageViolation({
        languages: command.change.languages ?? languagesOf(state).languages.slice(),
        defaultLanguage: command.change.defaultLanguage ?? languagesOf(state).defaultLanguage,
      }),
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
    if (state.status !== 'none') throw new ConflictError(`Conference ${command.conferenceId} already exists`);
    const errors = ruleViolations(command.details);
    if (errors.length > 0) throw new InvalidCommandError('The conference is not valid', errors);
    const personalDataRetentionDays =
      command.details.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
    // Languages not given are not written: the conference reads as offering its defaults (evolve).
    return [
      {
        type: 'ConferenceCreated',
        data: { conferenceId: command.conferenceId, ...command.details, personalDataRetentionDays },
      },
    ];
  },
  evolve(state, event) {
    // A conference created before languages existed reads as offering English only.
    if (event.type === 'ConferenceCreated') {
      const { languages, defaultLanguage } = languagesOf(event.data);
      return { status: 'created', ...event.data, languages: [...languages], defaultLanguage };
    }
    if (state.status === 'none') return state;
    const { conferenceId: _conferenceId, changedAt: _changedAt, ...changes } = event.data;
    return { ...state, ...changes };
  },
};

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
