import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events.js';
import { personalDataErased } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, InvalidCommandError } from '../../domain/shared/errors.js';
import { type VisaLetterContext, visaLetterDecider } from '../../domain/visa-letter/decider.js';
import {
  type VisaLetterEvent,
  type VisaLetterRequest,
  visaLetterRequestSchema,
} from '../../domain/visa-letter/events.js';
import { openedVisaLetterOf } from '../../domain/visa-letter/letter.js';
import { deciderSpec } from '../support/decider-spec.js';

const given = deciderSpec(visaLetterDecider);
const requestedAt = '2015-07-01T10:00:00.000Z';
const decidedAt = '2015-07-03T10:00:00.000Z';
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };
const context: VisaLetterContext = { seatHolder: true, conferenceEndDate: '2015-09-30', signatory };
const passport: VisaLetterRequest = {
  passportName: 'KEBEDE ALEMU',
  passportNumber: 'EP1234567',
  nationality: 'ET',
  dateOfBirth: '1971-03-14',
  passportExpiresOn: '2019-01-31',
  placeOfIssue: 'Addis Ababa',
};
const request = (overrides: Partial<VisaLetterRequest> = {}, ctx: Partial<VisaLetterContext> = {}) => ({
  type: 'RequestVisaLetter' as const,
  registrationId: 'r1',
  request: { ...passport, ...overrides },
  context: { ...context, ...ctx },
  now: requestedAt,
});
const issue = (ctx: Partial<VisaLetterContext> = {}) => ({
  type: 'IssueVisaLetter' as const,
  context: { ...context, ...ctx },
  verificationCode: 'q7Jc2mXvT9pL4sWd8yBn3K',
  now: decidedAt,
});
const decline = (reason = 'The passport number does not match our records') => ({
  type: 'DeclineVisaLetter' as const,
  reason,
  now: decidedAt,
});
const wasRequested: VisaLetterEvent = {
  type: 'VisaLetterRequested',
  data: { registrationId: 'r1', requestedAt, personal: passport },
};
const requestedWith = (overrides: Partial<VisaLetterRequest>): VisaLetterEvent => ({
  type: 'VisaLetterRequested',
  data: { registrationId: 'r1', requestedAt, personal: { ...passport, ...overrides } },
});
const wasIssued: VisaLetterEvent = {
  type: 'VisaLetterIssued',
  data: {
    registrationId: 'r1',
    issuedAt: decidedAt,
    signatory,
    personal: { verificationCode: 'q7Jc2mXvT9pL4sWd8yBn3K' },
  },
};
const wasDeclined: VisaLetterEvent = {
  type: 'VisaLetterDeclined',
  data: { registrationId: 'r1', declinedAt: decidedAt, personal: { reason: 'Unreadable scan' } },
};

describe('requesting a visa letter', () => {
  it('records the passport data of a seat holder', () => {
    given().when(request()).then(wasRequested);
  });

  it('replaces a request that is still waiting', () => {
    given(wasRequested)
      .when(request({ passportNumber: 'EP7654321' }))
      .then(requestedWith({ passportNumber: 'EP7654321' }));
  });

  it('replaces a declined request, which then waits for a decision again', () => {
    given(wasRequested, wasDeclined).when(request()).then(wasRequested);
    const state = [wasRequested, wasDeclined, wasRequested].reduce(
      visaLetterDecider.evolve,
      visaLetterDecider.initialState,
    );
    expect(state).toEqual({ registrationId: 'r1', requestedAt, status: 'requested' });
  });

  it('is refused once the letter is issued', () => {
    given(wasRequested, wasIssued)
      .when(request())
      .thenThrows(ConflictError, /already issued/);
  });

  it('is refused to a delegate holding no seat (waitlisted or cancelled)', () => {
    given()
      .when(request({}, { seatHolder: false }))
      .thenThrows(ConflictError, /holding a seat/);
  });

  it('needs a passport valid through the last day of the conference', () => {
    given()
      .when(request({ passportExpiresOn: '2015-09-30' }))
      .then(requestedWith({ passportExpiresOn: '2015-09-30' }));
    const error = given()
      .when(request({ passportExpiresOn: '2015-09-29' }))
      .thenThrows(InvalidCommandError, /not valid/) as InvalidCommandError;
    expect(error.errors).toEqual([
      { path: 'passportExpiresOn', message: expect.stringContaining('2015-09-30') },
    ]);
  });

  it('needs a date of birth in the past, and not implausibly far back', () => {
    const future = given()
      .when(request({ dateOfBirth: '2015-07-01' }))
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(future.errors).toEqual([{ path: 'dateOfBirth', message: 'must be in the past' }]);
    const ancient = given()
      .when(request({ dateOfBirth: '1895-06-30' }))
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(ancient.errors[0]?.path).toBe('dateOfBirth');
    given()
      .when(request({ dateOfBirth: '1895-07-01' }))
      .then(requestedWith({ dateOfBirth: '1895-07-01' }));
  });

  it('takes only ISO 3166-1 nationalities and passport numbers of letters and digits', () => {
    expect(visaLetterRequestSchema.safeParse({ ...passport, nationality: 'XX' }).success).toBe(false);
    expect(visaLetterRequestSchema.safeParse({ ...passport, nationality: 'et' }).success).toBe(false);
    expect(visaLetterRequestSchema.safeParse({ ...passport, passportNumber: 'EP-123 4567' }).success).toBe(
      false,
    );
    expect(visaLetterRequestSchema.safeParse({ ...passport, dateOfBirth: '14/03/1971' }).success).toBe(false);
    expect(visaLetterRequestSchema.safeParse(passport).success).toBe(true);
  });
});

describe('issuing a visa letter', () => {
  it('records the signatory and the verification code', () => {
    given(wasRequested).when(issue()).then(wasIssued);
  });

  it('needs a request', () => {
    given()
      .when(issue())
      .thenThrows(ConflictError, /nothing to issue/);
  });

  it('happens once', () => {
    given(wasRequested, wasIssued)
      .when(issue())
      .thenThrows(ConflictError, /already issued/);
  });

  it('needs the conference to name a signatory', () => {
    given(wasRequested)
      .when(issue({ signatory: undefined }))
      .thenThrows(ConflictError, /visaLetterSignatory/);
  });

  it('is refused once the delegate no longer holds a seat', () => {
    given(wasRequested)
      .when(issue({ seatHolder: false }))
      .thenThrows(ConflictError, /no longer holds a seat/);
  });

  it('is refused for a declined request until a new one comes', () => {
    given(wasRequested, wasDeclined)
      .when(issue())
      .thenThrows(ConflictError, /declined/);
  });
});

describe('declining a visa letter', () => {
  it('records the reason', () => {
    given(wasRequested).when(decline('Unreadable scan')).then(wasDeclined);
  });

  it('needs a reason', () => {
    given(wasRequested)
      .when(decline('   '))
      .thenThrows(InvalidCommandError, /reason/);
  });

  it('needs a waiting request', () => {
    given()
      .when(decline())
      .thenThrows(ConflictError, /nothing to decline/);
    given(wasRequested, wasIssued)
      .when(decline())
      .thenThrows(ConflictError, /already issued/);
    given(wasRequested, wasDeclined)
      .when(decline())
      .thenThrows(ConflictError, /declined/);
  });
});

describe('the personal part of visa letter events', () => {
  it('holds every field of the request, the verification code and the reason: nothing else is personal', () => {
    for (const event of [wasRequested, wasIssued, wasDeclined]) expect(validateEvent(event)).toEqual(event);
    expect(Object.keys(wasRequested.data).sort()).toEqual(['personal', 'registrationId', 'requestedAt']);
    expect(Object.keys(wasIssued.data).sort()).toEqual([
      'issuedAt',
      'personal',
      'registrationId',
      'signatory',
    ]);
    expect(Object.keys(wasDeclined.data).sort()).toEqual(['declinedAt', 'personal', 'registrationId']);
  });

  it('stays out of the state, which is kept as a snapshot', () => {
    const state = fold(visaLetterDecider, [wasRequested, wasIssued]);
    expect(state).toEqual({ registrationId: 'r1', status: 'issued', requestedAt, decidedAt });
    const declined = fold(visaLetterDecider, [wasRequested, wasDeclined]);
    expect(JSON.stringify(declined)).not.toContain('Unreadable');
  });

  it('tells the letter read opened: the latest request and the decision on it', () => {
    expect(openedVisaLetterOf([])).toBeUndefined();
    expect(
      openedVisaLetterOf([wasRequested, wasDeclined, requestedWith({ passportNumber: 'EP7654321' })]),
    ).toEqual({
      registrationId: 'r1',
      status: 'requested',
      request: { ...passport, passportNumber: 'EP7654321' },
      requestedAt,
    });
    expect(openedVisaLetterOf([wasRequested, wasIssued])).toEqual({
      registrationId: 'r1',
      status: 'issued',
      request: passport,
      requestedAt,
      decidedAt,
      signatory,
      verificationCode: 'q7Jc2mXvT9pL4sWd8yBn3K',
    });
    expect(openedVisaLetterOf([wasRequested, wasDeclined])).toMatchObject({
      status: 'declined',
      declineReason: 'Unreadable scan',
    });
  });

  it('is erased with the registration, and a letter read sealed is refused', () => {
    const erased = (event: VisaLetterEvent) => ({
      ...event,
      data: { ...event.data, personal: personalDataErased },
    });
    expect(openedVisaLetterOf([wasRequested, wasIssued].map(erased) as VisaLetterEvent[])).toEqual(
      personalDataErased,
    );
    const sealed = {
      ...wasRequested,
      data: { ...wasRequested.data, personal: 'pd1.1.x.y.z' },
    } as VisaLetterEvent;
    expect(() => openedVisaLetterOf([sealed])).toThrow(/without opening/);
  });
});
