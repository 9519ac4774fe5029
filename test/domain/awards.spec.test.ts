import { describe, expect, it } from 'vitest';
import { type AgendaState, agendaDecider } from '../../domain/agenda/decider.js';
import type { AgendaEvent } from '../../domain/agenda/events.js';
import { type AwardCommand, awardDecider, awardGuardKey } from '../../domain/award/decider.js';
import { type AwardEvent, type AwardGrant, awardGrantSchema } from '../../domain/award/events.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const given = deciderSpec(awardDecider);
const now = '2015-09-28T18:00:00.000Z';

const melton: AwardGrant = {
  award: 'UNESCO Learning City Award',
  year: 2015,
  city: 'Melton',
  country: 'AU',
  citation: 'For its learning festivals',
};

const ceremony: AgendaEvent = {
  type: 'SessionScheduled',
  data: {
    sessionId: 's1',
    conferenceId: 'c1',
    title: 'Award ceremony',
    type: 'ceremony',
    date: '2015-09-28',
    start: '16:00',
    end: '17:00',
    room: 'Sala Principal',
    speakers: [],
  },
};
const ceremonyCancelled: AgendaEvent = {
  type: 'SessionCancelled',
  data: { sessionId: 's1', cancelledAt: now },
};
const agendaOf = (...events: AgendaEvent[]): AgendaState => fold(agendaDecider, events);

const grant = (
  award: AwardGrant,
  agenda: AgendaState = agendaDecider.initialState,
  awardId = 'a1',
): AwardCommand => ({
  type: 'GrantAward',
  awardId,
  conferenceId: 'c1',
  grant: award,
  agenda,
  now,
});

const granted = (award: AwardGrant, awardId = 'a1'): AwardEvent => ({
  type: 'AwardGranted',
  data: { awardId, conferenceId: 'c1', ...award, grantedAt: now },
});

describe('Award decider', () => {
  it('grants an award', () => {
    given().when(grant(melton)).then(granted(melton));
  });

  it('grants an award presented in a session of the agenda', () => {
    const inCeremony = { ...melton, sessionId: 's1' };
    given()
      .when(grant(inCeremony, agendaOf(ceremony)))
      .then(granted(inCeremony));
  });

  it('does not know a session that is not on the agenda', () => {
    given()
      .when(grant({ ...melton, sessionId: 's9' }, agendaOf(ceremony)))
      .thenThrows(NotFoundError, /s9/);
  });

  it('refuses a cancelled session', () => {
    given()
      .when(grant({ ...melton, sessionId: 's1' }, agendaOf(ceremony, ceremonyCancelled)))
      .thenThrows(ConflictError, /cancelled/);
  });

  it('refuses a second grant of the same award, year, city and country, whatever the case', () => {
    given(granted(melton))
      .when(grant({ ...melton, award: 'unesco learning city AWARD', city: ' MELTON' }, undefined, 'a2'))
      .thenThrows(ConflictError, /already granted/);
  });

  it('grants the same award to another city, in another year or country', () => {
    for (const other of [
      { ...melton, city: 'Sorocaba', country: 'BR' },
      { ...melton, year: 2017 },
      { ...melton, country: 'GB' },
    ])
      given(granted(melton))
        .when(grant(other, undefined, 'a2'))
        .then(granted(other, 'a2'));
  });
});

describe('Award guard', () => {
  it('is one key per award, year, city and country, award and city compared case-insensitively', () => {
    expect(awardGuardKey(melton)).toBe('guard#award#unesco learning city award#2015#melton#AU');
    expect(awardGuardKey({ ...melton, award: 'UNESCO LEARNING CITY AWARD', city: 'melton ' })).toBe(
      awardGuardKey(melton),
    );
    expect(awardGuardKey({ ...melton, year: 2016 })).not.toBe(awardGuardKey(melton));
    expect(awardGuardKey({ ...melton, country: 'GB' })).not.toBe(awardGuardKey(melton));
  });
});

describe('Award body', () => {
  const paths = (body: unknown) => {
    const parsed = awardGrantSchema.safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
  };

  it('takes a whole year from 1900 to 2100', () => {
    expect(paths({ ...melton, year: 1900 })).toEqual([]);
    expect(paths({ ...melton, year: 2100 })).toEqual([]);
    expect(paths({ ...melton, year: 1899 })).toEqual(['year']);
    expect(paths({ ...melton, year: 2101 })).toEqual(['year']);
    expect(paths({ ...melton, year: 2015.5 })).toEqual(['year']);
    expect(paths({ ...melton, year: '2015' })).toEqual(['year']);
  });

  it('takes an ISO 3166-1 alpha-2 country in capitals', () => {
    expect(paths({ ...melton, country: 'au' })).toEqual(['country']);
    expect(paths({ ...melton, country: 'XX' })).toEqual(['country']);
  });

  it('needs award, year, city and country; citation and session are optional', () => {
    expect(paths({})).toEqual(['award', 'year', 'city', 'country']);
    const { citation: _citation, ...withoutCitation } = melton;
    expect(paths(withoutCitation)).toEqual([]);
    expect(paths({ ...melton, sessionId: 'not an id' })).toEqual(['sessionId']);
  });
});
