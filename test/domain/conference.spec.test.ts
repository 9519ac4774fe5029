import { describe, expect, it } from 'vitest';
import {
  conferenceDecider,
  personalDataExpired,
  personalDataExpiresOn,
} from '../../domain/conference/decider.js';
import { conferenceDetailsSchema } from '../../domain/conference/events.js';
import { ConflictError, InvalidCommandError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { iclc2015 } from './fixtures.js';

const given = deciderSpec(conferenceDecider);
const create = (details = iclc2015) => ({ type: 'CreateConference' as const, conferenceId: 'c1', details });

describe('Conference decider', () => {
  it('creates a conference', () => {
    given()
      .when(create())
      .then({
        type: 'ConferenceCreated',
        data: { conferenceId: 'c1', ...iclc2015, personalDataRetentionDays: 365 },
      });
  });

  it('keeps the retention of personal data it is given', () => {
    given()
      .when(create({ ...iclc2015, personalDataRetentionDays: 30 }))
      .then({
        type: 'ConferenceCreated',
        data: { conferenceId: 'c1', ...iclc2015, personalDataRetentionDays: 30 },
      });
  });

  it('refuses to create a conference twice', () => {
    given({ type: 'ConferenceCreated', data: { conferenceId: 'c1', ...iclc2015 } })
      .when(create())
      .thenThrows(ConflictError);
  });

  it('refuses an end date before the start date, naming the field', () => {
    const error = given()
      .when(create({ ...iclc2015, endDate: '2015-09-27' }))
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(error.errors).toEqual([{ path: 'endDate', message: 'must not be before startDate' }]);
  });

  it('accepts a one-day conference', () => {
    given()
      .when(create({ ...iclc2015, endDate: iclc2015.startDate }))
      .then({
        type: 'ConferenceCreated',
        data: {
          conferenceId: 'c1',
          ...iclc2015,
          endDate: iclc2015.startDate,
          personalDataRetentionDays: 365,
        },
      });
  });

  it('refuses daily hours that end before they start', () => {
    const error = given()
      .when(create({ ...iclc2015, dailyStart: '17:00', dailyEnd: '09:00' }))
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(error.errors.map((e) => e.path)).toEqual(['dailyEnd']);
  });

  it('refuses two rooms of the same name, whatever the letter case', () => {
    const error = given()
      .when(create({ ...iclc2015, rooms: [{ name: 'Sala A' }, { name: 'sala a' }] }))
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(error.errors).toEqual([{ path: 'rooms.1.name', message: 'is already the name of another room' }]);
  });
});

describe('Retention of personal data', () => {
  it('expires the given number of days after the end date (365 by default)', () => {
    expect(personalDataExpiresOn(iclc2015)).toBe('2016-09-29');
    expect(personalDataExpiresOn({ ...iclc2015, personalDataRetentionDays: 1 })).toBe('2015-10-01');
  });
  it('is due on the day it expires, not before', () => {
    const conference = { ...iclc2015, personalDataRetentionDays: 10 };
    expect(personalDataExpired(conference, '2015-10-09')).toBe(false);
    expect(personalDataExpired(conference, '2015-10-10')).toBe(true);
  });
  it('takes 1 to 36500 days', () => {
    for (const days of [1, 36_500])
      expect(
        conferenceDetailsSchema.safeParse({ ...iclc2015, personalDataRetentionDays: days }).success,
      ).toBe(true);
    for (const days of [0, 36_501, 1.5])
      expect(
        conferenceDetailsSchema.safeParse({ ...iclc2015, personalDataRetentionDays: days }).success,
      ).toBe(false);
  });

  it('keeps the settings of CONTRACT 4.2 it is given', () => {
    const settings = {
      registrationOpensAt: '2015-06-01T00:00:00Z',
      registrationClosesAt: '2015-09-20T23:59:59-05:00',
      editableUntil: '2015-09-25T00:00:00Z',
      visaLetterSignatory: {
        name: 'Arne Carlsen',
        title: 'Director, UNESCO Institute for Lifelong Learning',
      },
    };
    given()
      .when(create({ ...iclc2015, ...settings }))
      .then({
        type: 'ConferenceCreated',
        data: { conferenceId: 'c1', ...iclc2015, ...settings, personalDataRetentionDays: 365 },
      });
  });

  it('refuses a registration window that closes before it opens, naming the field', () => {
    const error = given()
      .when(
        create({
          ...iclc2015,
          registrationOpensAt: '2015-06-01T00:00:00Z',
          registrationClosesAt: '2015-05-31T23:59:59Z',
        }),
      )
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(error.errors).toEqual([
      { path: 'registrationClosesAt', message: 'must not precede registrationOpensAt' },
    ]);
  });

  it('refuses settings instants without an offset', () => {
    expect(
      conferenceDetailsSchema.safeParse({ ...iclc2015, registrationOpensAt: '2015-06-01T00:00:00' }).success,
    ).toBe(false);
  });
});
