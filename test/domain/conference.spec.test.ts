import { describe, expect, it } from 'vitest';
import {
  conferenceDecider,
  loweredCapacity,
  personalDataExpired,
  personalDataExpiresOn,
  registrationWindowRefusal,
} from '../../domain/conference/decider.js';
import {
  type ConferenceSettingsChange,
  conferenceDetailsSchema,
  conferenceSettingsChangeSchema,
} from '../../domain/conference/events.js';
import { conferenceStateSchema } from '../../domain/conference/state.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, InvalidCommandError, NotFoundError } from '../../domain/shared/errors.js';
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

describe('Conference settings (CONTRACT section 4.2)', () => {
  const created = {
    type: 'ConferenceCreated' as const,
    data: {
      conferenceId: 'c1',
      ...iclc2015,
      personalDataRetentionDays: 365,
      registrationOpensAt: '2015-03-01T00:00:00Z',
      registrationClosesAt: '2015-09-20T23:59:59-05:00',
    },
  };
  const now = '2015-06-01T12:00:00.000Z';
  const change = (settings: ConferenceSettingsChange) => ({
    type: 'ChangeConferenceSettings' as const,
    conferenceId: 'c1',
    change: settings,
    now,
  });
  const refusal = (settings: ConferenceSettingsChange) =>
    (given(created).when(change(settings)).thenThrows(InvalidCommandError) as InvalidCommandError).errors;

  it('records only the settings that change, with their new values', () => {
    given(created)
      .when(change({ capacity: 900, personalDataRetentionDays: 365, editableUntil: '2015-09-25T00:00:00Z' }))
      .then({
        type: 'ConferenceSettingsChanged',
        data: { conferenceId: 'c1', changedAt: now, capacity: 900, editableUntil: '2015-09-25T00:00:00Z' },
      });
  });

  it('evolves the conference: the changed settings replace the old ones, the rest stays', () => {
    const rooms = [...iclc2015.rooms, { name: 'Sala Nueva', capacity: 40 }];
    const state = fold(conferenceDecider, [
      created,
      {
        type: 'ConferenceSettingsChanged' as const,
        data: { conferenceId: 'c1', changedAt: now, capacity: 900, rooms },
      },
    ]);
    expect(state).toEqual({
      status: 'created',
      ...created.data,
      capacity: 900,
      rooms,
      // Not given at creation: the defaults (CONTRACT 5.4).
      languages: ['en'],
      defaultLanguage: 'en',
    });
    expect(conferenceStateSchema.parse(state)).toEqual(state);
  });

  it('refuses a change that changes nothing, naming each field given', () => {
    expect(
      refusal({ capacity: iclc2015.capacity, registrationOpensAt: '2015-03-01T00:00:00.000+00:00' }),
    ).toEqual([
      { path: 'capacity', message: 'is the value the conference already has' },
      { path: 'registrationOpensAt', message: 'is the value the conference already has' },
    ]);
  });

  it('refuses to remove a room, naming it, whatever the letter case of the others', () => {
    const [first, ...others] = iclc2015.rooms;
    expect(first).toBeDefined();
    const errors = refusal({
      rooms: [...others.map((room) => ({ ...room, name: room.name.toUpperCase() })), { name: 'Sala Nueva' }],
    });
    expect(errors).toEqual([
      {
        path: 'rooms',
        message: `must still list the room "${first?.name}": rooms may be added, never removed`,
      },
    ]);
  });

  it('adds rooms, and refuses two of one name', () => {
    const rooms = [...iclc2015.rooms, { name: 'Sala Nueva' }];
    given(created)
      .when(change({ rooms }))
      .then({ type: 'ConferenceSettingsChanged', data: { conferenceId: 'c1', changedAt: now, rooms } });
    expect(refusal({ rooms: [...rooms, { name: 'SALA NUEVA' }] })).toEqual([
      { path: `rooms.${rooms.length}.name`, message: 'is already the name of another room' },
    ]);
  });

  it('refuses a window that closes before it opens, against the stored value of the other end', () => {
    expect(refusal({ registrationClosesAt: '2015-02-28T00:00:00Z' })).toEqual([
      {
        path: 'registrationClosesAt',
        message: 'must not precede registrationOpensAt (2015-03-01T00:00:00Z, as set before)',
      },
    ]);
    expect(refusal({ registrationOpensAt: '2015-09-21T12:00:00Z' })).toEqual([
      {
        path: 'registrationOpensAt',
        message: 'must not follow registrationClosesAt (2015-09-20T23:59:59-05:00, as set before)',
      },
    ]);
    expect(
      refusal({ registrationOpensAt: '2015-09-01T00:00:00Z', registrationClosesAt: '2015-08-01T00:00:00Z' }),
    ).toEqual([{ path: 'registrationClosesAt', message: 'must not precede registrationOpensAt' }]);
    // Moving both ends together past the stored close is fine.
    given(created)
      .when(
        change({ registrationOpensAt: '2015-10-01T00:00:00Z', registrationClosesAt: '2015-10-02T00:00:00Z' }),
      )
      .then({
        type: 'ConferenceSettingsChanged',
        data: {
          conferenceId: 'c1',
          changedAt: now,
          registrationOpensAt: '2015-10-01T00:00:00Z',
          registrationClosesAt: '2015-10-02T00:00:00Z',
        },
      });
  });

  it('refuses settings of a conference that does not exist', () => {
    given()
      .when(change({ capacity: 10 }))
      .thenThrows(NotFoundError);
  });

  it('names which capacity a change lowers to, and none when it raises it', () => {
    const conference = { conferenceId: 'c1', ...iclc2015 };
    const changed = (capacity: number) => [
      { type: 'ConferenceSettingsChanged' as const, data: { conferenceId: 'c1', changedAt: now, capacity } },
    ];
    expect(loweredCapacity(conference, changed(iclc2015.capacity - 1))).toBe(iclc2015.capacity - 1);
    expect(loweredCapacity(conference, changed(iclc2015.capacity + 1))).toBeUndefined();
  });

  it('takes a body of known settings, at least one, and names an unknown field', () => {
    expect(conferenceSettingsChangeSchema.safeParse({ capacity: 10 }).success).toBe(true);
    const empty = conferenceSettingsChangeSchema.safeParse({});
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.message).toMatch(/names no setting/);
    const unknown = conferenceSettingsChangeSchema.safeParse({ capacity: 10, venue: 'Zócalo' });
    expect(unknown.error?.issues.map((issue) => issue.path)).toEqual([['venue']]);
    expect(unknown.error?.issues[0]?.message).toMatch(/is not a setting/);
    expect(conferenceSettingsChangeSchema.safeParse({ capacity: 0 }).success).toBe(false);
  });
});

describe('The registration window', () => {
  const window = {
    registrationOpensAt: '2015-03-01T00:00:00Z',
    registrationClosesAt: '2015-09-20T23:59:59-05:00',
  };

  it('is open from its opening to its close, both included', () => {
    expect(registrationWindowRefusal(window, '2015-03-01T00:00:00.000Z')).toBeUndefined();
    expect(registrationWindowRefusal(window, '2015-09-21T04:59:59.000Z')).toBeUndefined();
    expect(registrationWindowRefusal({}, '1999-01-01T00:00:00.000Z')).toBeUndefined();
  });

  it('says when it opens, or when it closed', () => {
    expect(registrationWindowRefusal(window, '2015-02-28T23:59:59.999Z')).toBe(
      'Registration is not open yet: it opens at 2015-03-01T00:00:00Z',
    );
    expect(registrationWindowRefusal(window, '2015-09-21T05:00:00.000Z')).toBe(
      'Registration is closed: it closed at 2015-09-20T23:59:59-05:00',
    );
  });
});
