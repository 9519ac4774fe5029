import { describe, expect, it } from 'vitest';
import { type AgendaCommand, agendaDecider, type ConferenceFrame } from '../../domain/agenda/decider.js';
import {
  type AgendaEvent,
  type SessionDetails,
  type SlotChange,
  sessionDetailsSchema,
} from '../../domain/agenda/events.js';
import { ConflictError, InvalidCommandError, NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { iclc2015 } from './fixtures.js';

const given = deciderSpec(agendaDecider);
const conference: ConferenceFrame = { conferenceId: 'c1', ...iclc2015 };
const now = '2015-09-20T12:00:00.000Z';

const details = (overrides: Partial<SessionDetails> = {}): SessionDetails => ({
  title: 'Opening plenary',
  type: 'plenary',
  date: '2015-09-28',
  start: '10:00',
  end: '11:00',
  room: 'Sala Principal',
  speakers: [{ name: 'Irina Bokova', affiliation: 'UNESCO' }],
  ...overrides,
});

const schedule = (sessionId: string, overrides: Partial<SessionDetails> = {}): AgendaCommand => ({
  type: 'ScheduleSession',
  sessionId,
  conference,
  session: details(overrides),
});

const scheduled = (sessionId: string, overrides: Partial<SessionDetails> = {}): AgendaEvent => ({
  type: 'SessionScheduled',
  data: { sessionId, conferenceId: 'c1', ...details(overrides) },
});

const reschedule = (sessionId: string, change: SlotChange): AgendaCommand => ({
  type: 'RescheduleSession',
  sessionId,
  conference,
  change,
});

const rescheduled = (
  sessionId: string,
  slot: { date: string; start: string; end: string; room: string },
  sequence: number,
): AgendaEvent => ({ type: 'SessionRescheduled', data: { sessionId, ...slot, sequence } });

const cancelled = (sessionId: string): AgendaEvent => ({
  type: 'SessionCancelled',
  data: { sessionId, cancelledAt: now },
});

const cancel = (sessionId: string): AgendaCommand => ({ type: 'CancelSession', sessionId, now });

/** The paths of an InvalidCommandError's field errors. */
const invalidPaths = (thrown: unknown) => (thrown as InvalidCommandError).errors.map((error) => error.path);

describe('Agenda decider', () => {
  describe('schedule a session', () => {
    it('schedules a session inside the conference’s days, hours and rooms', () => {
      given().when(schedule('s1')).then(scheduled('s1'));
    });

    it('stores the room as the conference spells it, whatever the case sent', () => {
      given()
        .when(schedule('s1', { room: 'sala principal' }))
        .then(scheduled('s1', { room: 'Sala Principal' }));
    });

    it('allows a session from the daily start to the daily end exactly', () => {
      given()
        .when(schedule('s1', { start: '09:00', end: '17:00' }))
        .then(scheduled('s1', { start: '09:00', end: '17:00' }));
    });

    it('allows the first and the last day of the conference', () => {
      given()
        .when(schedule('s1', { date: '2015-09-28' }))
        .then(scheduled('s1', { date: '2015-09-28' }));
      given()
        .when(schedule('s1', { date: '2015-09-30' }))
        .then(scheduled('s1', { date: '2015-09-30' }));
    });

    it('refuses a day before or after the conference', () => {
      for (const date of ['2015-09-27', '2015-10-01']) {
        const thrown = given().when(schedule('s1', { date })).thenThrows(InvalidCommandError);
        expect(invalidPaths(thrown)).toEqual(['date']);
      }
    });

    it('refuses a start before the daily start', () => {
      const thrown = given()
        .when(schedule('s1', { start: '08:59' }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(thrown)).toEqual(['start']);
    });

    it('refuses an end after the daily end', () => {
      const thrown = given()
        .when(schedule('s1', { start: '16:00', end: '17:01' }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(thrown)).toEqual(['end']);
    });

    it('refuses an end that is not after the start', () => {
      for (const end of ['10:00', '09:30']) {
        const thrown = given()
          .when(schedule('s1', { start: '10:00', end }))
          .thenThrows(InvalidCommandError);
        expect(invalidPaths(thrown)).toEqual(['end']);
      }
    });

    it('refuses a room the conference does not have, listing its rooms', () => {
      const thrown = given()
        .when(schedule('s1', { room: 'Sala Tlaloc' }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(thrown)).toEqual(['room']);
      expect((thrown as InvalidCommandError).errors[0]?.message).toContain('Sala Manuel M. Ponce');
    });

    it('names every field at fault at once', () => {
      const thrown = given()
        .when(schedule('s1', { date: '2015-10-01', start: '08:00', end: '18:00', room: 'Nowhere' }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(thrown)).toEqual(['date', 'start', 'end', 'room']);
    });

    it('refuses a speaker listed twice in one session', () => {
      const thrown = given()
        .when(schedule('s1', { speakers: [{ name: 'Ana Pérez' }, { name: ' ANA PÉREZ ' }] }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(thrown)).toEqual(['speakers.1.name']);
    });

    it('refuses a session id that is already on the agenda', () => {
      given(scheduled('s1'))
        .when(schedule('s1', { date: '2015-09-29' }))
        .thenThrows(ConflictError, /already exists/);
    });
  });

  describe('room clashes', () => {
    const other = { speakers: [{ name: 'Someone Else' }] };

    it('refuses a room taken at an overlapping time, naming the other session', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, start: '10:30', end: '11:30' }))
        .thenThrows(ConflictError, /Room Sala Principal .*session s1/);
    });

    it('refuses a session inside or around another one in the same room', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, start: '10:15', end: '10:45' }))
        .thenThrows(ConflictError, /s1/);
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, start: '09:00', end: '12:00' }))
        .thenThrows(ConflictError, /s1/);
    });

    it('compares rooms case-insensitively', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, room: 'SALA PRINCIPAL' }))
        .thenThrows(ConflictError, /s1/);
    });

    it('allows back-to-back sessions: one ends at 10:00, the next starts at 10:00', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, start: '11:00', end: '12:00' }))
        .then(scheduled('s2', { ...other, start: '11:00', end: '12:00' }));
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, start: '09:00', end: '10:00' }))
        .then(scheduled('s2', { ...other, start: '09:00', end: '10:00' }));
    });

    it('allows the same time in another room, and the same room on another day', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, room: 'Sala Manuel M. Ponce' }))
        .then(scheduled('s2', { ...other, room: 'Sala Manuel M. Ponce' }));
      given(scheduled('s1'))
        .when(schedule('s2', { ...other, date: '2015-09-29' }))
        .then(scheduled('s2', { ...other, date: '2015-09-29' }));
    });

    it('a cancelled session frees its room', () => {
      given(scheduled('s1'), cancelled('s1')).when(schedule('s2', other)).then(scheduled('s2', other));
    });
  });

  describe('speaker clashes', () => {
    const elsewhere = { room: 'Sala Manuel M. Ponce' };

    it('refuses a speaker who is in another session at an overlapping time, naming it', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...elsewhere, start: '10:59', end: '12:00' }))
        .thenThrows(ConflictError, /Irina Bokova .*session s1/);
    });

    it('compares speaker names case-insensitively and without outer spaces', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...elsewhere, speakers: [{ name: '  IRINA bokova ' }] }))
        .thenThrows(ConflictError, /s1/);
    });

    it('allows the speaker right after the other session', () => {
      given(scheduled('s1'))
        .when(schedule('s2', { ...elsewhere, start: '11:00', end: '12:00' }))
        .then(scheduled('s2', { ...elsewhere, start: '11:00', end: '12:00' }));
    });

    it('a cancelled session frees its speakers', () => {
      given(scheduled('s1'), cancelled('s1'))
        .when(schedule('s2', elsewhere))
        .then(scheduled('s2', elsewhere));
    });
  });

  describe('reschedule a session', () => {
    const slot = { date: '2015-09-28', start: '10:00', end: '11:00', room: 'Sala Principal' };

    it('moves the session to a new slot, with the full slot and the first sequence', () => {
      given(scheduled('s1'))
        .when(
          reschedule('s1', {
            date: '2015-09-29',
            start: '14:00',
            end: '15:30',
            room: 'Sala Manuel M. Ponce',
          }),
        )
        .then(
          rescheduled(
            's1',
            { date: '2015-09-29', start: '14:00', end: '15:30', room: 'Sala Manuel M. Ponce' },
            1,
          ),
        );
    });

    it('takes any one of date, start, end, room and keeps the rest', () => {
      given(scheduled('s1'))
        .when(reschedule('s1', { room: 'sala manuel m. ponce' }))
        .then(rescheduled('s1', { ...slot, room: 'Sala Manuel M. Ponce' }, 1));
      given(scheduled('s1'))
        .when(reschedule('s1', { end: '12:00' }))
        .then(rescheduled('s1', { ...slot, end: '12:00' }, 1));
    });

    it('counts the reschedules in the sequence', () => {
      given(scheduled('s1'), rescheduled('s1', { ...slot, start: '11:00', end: '12:00' }, 1))
        .when(reschedule('s1', { start: '13:00', end: '14:00' }))
        .then(rescheduled('s1', { ...slot, start: '13:00', end: '14:00' }, 2));
    });

    it('may overlap its own old slot', () => {
      given(scheduled('s1'))
        .when(reschedule('s1', { start: '10:30', end: '11:30' }))
        .then(rescheduled('s1', { ...slot, start: '10:30', end: '11:30' }, 1));
    });

    it('refuses a slot whose room is taken, naming the other session', () => {
      given(scheduled('s1'), scheduled('s2', { start: '12:00', end: '13:00', speakers: [] }))
        .when(reschedule('s1', { start: '12:30', end: '13:30' }))
        .thenThrows(ConflictError, /Room Sala Principal .*session s2/);
    });

    it('refuses a slot where a speaker is in another session', () => {
      given(scheduled('s1'), scheduled('s2', { room: 'Sala Manuel M. Ponce', start: '14:00', end: '15:00' }))
        .when(reschedule('s1', { start: '14:30', end: '15:30' }))
        .thenThrows(ConflictError, /Irina Bokova .*session s2/);
    });

    it('may take the slot of a cancelled session', () => {
      given(scheduled('s1'), scheduled('s2', { start: '12:00', end: '13:00' }), cancelled('s2'))
        .when(reschedule('s1', { start: '12:00', end: '13:00' }))
        .then(rescheduled('s1', { ...slot, start: '12:00', end: '13:00' }, 1));
    });

    it('checks the rules again on the merged slot', () => {
      const endBeforeStart = given(scheduled('s1'))
        .when(reschedule('s1', { start: '11:30' }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(endBeforeStart)).toEqual(['end']);
      const outside = given(scheduled('s1'))
        .when(reschedule('s1', { date: '2015-10-01', end: '17:30', room: 'Atrium' }))
        .thenThrows(InvalidCommandError);
      expect(invalidPaths(outside)).toEqual(['date', 'end', 'room']);
    });

    it('refuses a reschedule that names nothing to change', () => {
      given(scheduled('s1'))
        .when(reschedule('s1', {}))
        .thenThrows(InvalidCommandError, /Nothing/);
    });

    it('changes nothing when the slot stays the same', () => {
      given(scheduled('s1'))
        .when(reschedule('s1', { room: 'SALA PRINCIPAL', start: '10:00' }))
        .then();
    });

    it('does not know an unknown session', () => {
      given(scheduled('s1'))
        .when(reschedule('s9', { start: '12:00' }))
        .thenThrows(NotFoundError);
    });

    it('refuses to reschedule a cancelled session', () => {
      given(scheduled('s1'), cancelled('s1'))
        .when(reschedule('s1', { start: '12:00', end: '13:00' }))
        .thenThrows(ConflictError, /cancelled/);
    });
  });

  describe('cancel a session', () => {
    it('cancels a scheduled session', () => {
      given(scheduled('s1')).when(cancel('s1')).then(cancelled('s1'));
    });

    it('cancels a rescheduled session', () => {
      given(
        scheduled('s1'),
        rescheduled('s1', { date: '2015-09-29', start: '10:00', end: '11:00', room: 'Sala Principal' }, 1),
      )
        .when(cancel('s1'))
        .then(cancelled('s1'));
    });

    it('refuses to cancel twice', () => {
      given(scheduled('s1'), cancelled('s1'))
        .when(cancel('s1'))
        .thenThrows(ConflictError, /already cancelled/);
    });

    it('does not know an unknown session', () => {
      given().when(cancel('s1')).thenThrows(NotFoundError);
    });
  });

  describe('state', () => {
    it('keeps every session with its status and reschedule count, in the order scheduled', () => {
      const state = [
        scheduled('s1'),
        scheduled('s2', { date: '2015-09-29' }),
        rescheduled('s1', { date: '2015-09-30', start: '09:00', end: '10:00', room: 'Sala Principal' }, 1),
        cancelled('s2'),
      ].reduce(agendaDecider.evolve, agendaDecider.initialState);
      expect(
        state.sessions.map(({ sessionId, status, sequence, date }) => ({
          sessionId,
          status,
          sequence,
          date,
        })),
      ).toEqual([
        { sessionId: 's1', status: 'scheduled', sequence: 1, date: '2015-09-30' },
        { sessionId: 's2', status: 'cancelled', sequence: 0, date: '2015-09-29' },
      ]);
    });
  });
});

describe('Session body', () => {
  const paths = (body: unknown) => {
    const parsed = sessionDetailsSchema.safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
  };

  it('accepts a full session', () => {
    expect(
      paths({ ...details(), track: 'Learning cities', abstract: 'On cities.', language: 'es-MX' }),
    ).toEqual([]);
  });

  it('takes only the six session types', () => {
    for (const type of ['plenary', 'parallel', 'workshop', 'ceremony', 'side-event', 'break'])
      expect(paths({ ...details(), type })).toEqual([]);
    expect(paths({ ...details(), type: 'keynote' })).toEqual(['type']);
  });

  it('refuses dates and times that are not YYYY-MM-DD and HH:MM', () => {
    expect(paths({ ...details(), date: '2015-02-30', start: '9:00', end: '24:00' })).toEqual([
      'date',
      'start',
      'end',
    ]);
  });

  it('needs a title, a room and a list of speakers', () => {
    const { title: _title, room: _room, speakers: _speakers, ...rest } = details();
    expect(paths(rest)).toEqual(['title', 'room', 'speakers']);
  });
});
