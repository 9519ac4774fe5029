import { describe, expect, it } from 'vitest';
import { conferenceDecider } from '../../domain/conference/decider.js';
import { ConflictError, InvalidCommandError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { iclc2015 } from './fixtures.js';

const given = deciderSpec(conferenceDecider);
const create = (details = iclc2015) => ({ type: 'CreateConference' as const, conferenceId: 'c1', details });

describe('Conference decider', () => {
  it('creates a conference', () => {
    given()
      .when(create())
      .then({ type: 'ConferenceCreated', data: { conferenceId: 'c1', ...iclc2015 } });
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
        data: { conferenceId: 'c1', ...iclc2015, endDate: iclc2015.startDate },
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
