import {
  type Conference,
  type ConferenceState,
  conferenceDecider,
  loweredCapacity,
  type RegistrationFormState,
} from '../../../domain/conference/decider.js';
import type { ConferenceDetails, ConferenceSettingsChange } from '../../../domain/conference/events.js';
import { seatsGuardKey } from '../../../domain/registration/invariants.js';
import type { FormDefinition } from '../../../domain/registration-form/form.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import type { Guard } from '../event-store/event-store.js';
import { notFound } from '../http/errors.js';
import { SEATS_HELD } from './command.js';
import { defineCommand, loadStream, newStream } from './pipeline.js';
import { conferenceStream } from './streams.js';

/** The conference of a state read, or 404. */
export const existingConference = (state: ConferenceState, conferenceId: string): Conference => {
  if (state.status === 'none') throw notFound(`No conference ${conferenceId}`);
  const { status: _status, registrationForm: _form, ...conference } = state;
  return conference;
};

/** The registration form in force at a conference of a state read (undefined: it asks no questions). */
export const registrationFormOf = (
  state: ConferenceState,
  conferenceId: string,
): RegistrationFormState | undefined => {
  if (state.status === 'none') throw notFound(`No conference ${conferenceId}`);
  return state.registrationForm;
};

/** A conference's registration form in force, from its stream's tip (404 without the conference). */
export const loadRegistrationForm = async (conferenceId: string) =>
  registrationFormOf((await loadStream(conferenceStream(conferenceId))).state, conferenceId);

/** Puts a new version of the conference's registration form (CONTRACT 5.2); the result is that version. */
export const changeRegistrationForm = (conferenceId: string, definition: FormDefinition, now: string) =>
  defineCommand({
    subject: `The registration form of conference ${conferenceId}`,
    reads: { conference: conferenceStream(conferenceId) },
    decide: ({ conference }) => {
      existingConference(conference, conferenceId);
      const current = registrationFormOf(conference, conferenceId);
      if (current && JSON.stringify(current.fields) === JSON.stringify(definition.fields))
        return { append: [], result: { version: current.version, fields: current.fields } };
      const events = conferenceDecider.decide(
        { type: 'ChangeRegistrationForm', conferenceId, definition, now },
        conference,
      );
      const after = events.reduce(conferenceDecider.evolve, conference);
      const form = registrationFormOf(after, conferenceId);
      if (!form) throw new Error('A form change left no form');
      return {
        append: [{ to: 'conference', events }],
        result: { version: form.version, fields: form.fields },
      };
    },
  });

/** A conference as it stands now (its settings change), from its stream's tip. */
export const loadConference = async (conferenceId: string): Promise<Conference> =>
  existingConference((await loadStream(conferenceStream(conferenceId))).state, conferenceId);

export const createConference = (conferenceId: string, details: ConferenceDetails) =>
  defineCommand({
    subject: `Conference ${conferenceId}`,
    reads: { conference: newStream(conferenceStream(conferenceId)) },
    decide: ({ conference }) => ({
      append: [
        {
          to: 'conference',
          events: conferenceDecider.decide({ type: 'CreateConference', conferenceId, details }, conference),
        },
      ],
      result: conferenceId,
    }),
  });

/** The seats held must fit in a lowered capacity: checked on the seat guard in the change's transaction. */
const seatsHeldAtMost = (conferenceId: string, capacity: number): Guard => ({
  op: 'require-at-most',
  name: 'seats',
  key: seatsGuardKey(conferenceId),
  counter: SEATS_HELD,
  value: capacity,
});

/**
 * Changes settings of a conference (CONTRACT section 4.2); the result is the conference as changed. A
 * capacity lowered below the seats held is refused by the seat guard in the same transaction, so a
 * registration taking a seat meanwhile cannot slip past it (registrations in turn hold the conference
 * unchanged while they take a seat: a registration decided on the old capacity is decided again).
 */
export const changeConferenceSettings = (
  conferenceId: string,
  change: ConferenceSettingsChange,
  now: string,
) =>
  defineCommand({
    subject: `The settings of conference ${conferenceId}`,
    reads: { conference: conferenceStream(conferenceId) },
    decide: ({ conference }) => {
      const current = existingConference(conference, conferenceId);
      const events = conferenceDecider.decide(
        { type: 'ChangeConferenceSettings', conferenceId, change, now },
        conference,
      );
      const lowered = loweredCapacity(current, events);
      return {
        append: [{ to: 'conference', events }],
        guards: lowered === undefined ? [] : [seatsHeldAtMost(conferenceId, lowered)],
        result: existingConference(events.reduce(conferenceDecider.evolve, conference), conferenceId),
      };
    },
    guardRefused: (_guards, error) => {
      const held = error.refusedGuards('seats')[0]?.stored?.[SEATS_HELD];
      throw new ConflictError(
        `The capacity cannot be lowered to ${change.capacity}: ${held} seats are held now ` +
          `(cancel registrations first, or keep the capacity at ${held} or more)`,
      );
    },
  });
