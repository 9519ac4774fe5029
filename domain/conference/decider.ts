import type { Decider } from '../shared/decider.js';
import { ConflictError, type FieldError, InvalidCommandError } from '../shared/errors.js';
import { minutesOf } from '../shared/values.js';
import {
  type ConferenceDetails,
  type ConferenceEvent,
  DEFAULT_PERSONAL_DATA_RETENTION_DAYS,
} from './events.js';

export type ConferenceCommand = {
  type: 'CreateConference';
  conferenceId: string;
  details: ConferenceDetails;
};

export type Conference = ConferenceDetails & { conferenceId: string };
export type ConferenceState = { status: 'none' } | ({ status: 'created' } & Conference);

export const conferenceStreamId = (conferenceId: string) => `conference-${conferenceId}`;

const ruleViolations = (details: ConferenceDetails): FieldError[] => {
  const errors: FieldError[] = [];
  if (details.endDate < details.startDate)
    errors.push({ path: 'endDate', message: 'must not be before startDate' });
  if (minutesOf(details.dailyEnd) <= minutesOf(details.dailyStart))
    errors.push({ path: 'dailyEnd', message: 'must be after dailyStart' });
  const seen = new Set<string>();
  details.rooms.forEach((room, index) => {
    const key = room.name.toLowerCase();
    if (seen.has(key))
      errors.push({ path: `rooms.${index}.name`, message: 'is already the name of another room' });
    seen.add(key);
  });
  if (
    details.registrationOpensAt &&
    details.registrationClosesAt &&
    Date.parse(details.registrationClosesAt) < Date.parse(details.registrationOpensAt)
  )
    errors.push({ path: 'registrationClosesAt', message: 'must not precede registrationOpensAt' });
  const days = (Date.parse(details.endDate) - Date.parse(details.startDate)) / 86_400_000;
  if (days > 31) errors.push({ path: 'endDate', message: 'a conference lasts at most 32 days' });
  return errors;
};

export const conferenceDecider: Decider<ConferenceCommand, ConferenceEvent, ConferenceState> = {
  initialState: { status: 'none' },
  decide(command, state) {
    if (state.status !== 'none') throw new ConflictError(`Conference ${command.conferenceId} already exists`);
    const errors = ruleViolations(command.details);
    if (errors.length > 0) throw new InvalidCommandError('The conference is not valid', errors);
    const personalDataRetentionDays =
      command.details.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
    return [
      {
        type: 'ConferenceCreated',
        data: { conferenceId: command.conferenceId, ...command.details, personalDataRetentionDays },
      },
    ];
  },
  evolve(_state, event) {
    return { status: 'created', ...event.data };
  },
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
