import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  evolveVisaLettersRow,
  parseStatusFilter,
  type VisaDelegateRow,
  type VisaLetterRow,
  type VisaLettersRow,
  verificationAnswer,
  verificationLookupsOf,
  visaLetterList,
} from '../../domain/projections/visa-letters.js';
import { personalDataErased } from '../../domain/registration/events.js';
import { envelopeMaker } from '../support/envelopes.js';
import { iclc2015 } from './fixtures.js';

const keyOf = (code: string) => createHash('sha256').update(code).digest('hex');
const evolve = evolveVisaLettersRow(keyOf);

const event = envelopeMaker({
  streamId: 'visa-letter-r1',
  occurredAt: '2015-08-01T10:00:00.000Z',
  schemaVersion: 1,
  correlationId: 'test',
  data: { registrationId: 'r1' },
});

const request = {
  passportName: 'ANA PEREZ GARCIA',
  passportNumber: 'G12345678',
  nationality: 'MX',
  dateOfBirth: '1980-04-02',
  passportExpiresOn: '2020-01-01',
};
const requested = event('VisaLetterRequested', {
  requestedAt: '2015-08-01T10:00:00.000Z',
  personal: request,
});
const issued = event('VisaLetterIssued', {
  issuedAt: '2015-08-03T09:00:00.000Z',
  signatory: { name: 'Irina Bokova', title: 'Director-General' },
  personal: { verificationCode: 'q7Jc2mXvT9pL4sWd8yBnZa' },
});
const declined = event('VisaLetterDeclined', {
  declinedAt: '2015-08-02T09:00:00.000Z',
  personal: { reason: 'The passport number does not match the scan' },
});
const registered = (personal: object) =>
  event(
    'DelegateRegistered',
    { country: 'MX', category: 'mayor', registeredAt: '2015-07-01T00:00:00.000Z', personal },
    'registration-r1',
  );

const fold = (...events: EventEnvelope[]) =>
  events.reduce<VisaLettersRow | undefined>((row, e) => evolve(row, e), undefined);

describe('visa letters projection', () => {
  it('a request makes a letter row with the passport number cut to its last four characters', () => {
    expect(fold(requested)).toEqual({
      kind: 'letter',
      registrationId: 'r1',
      conferenceId: 'c1',
      status: 'requested',
      requestedAt: '2015-08-01T10:00:00.000Z',
      passportName: 'ANA PEREZ GARCIA',
      nationality: 'MX',
      passportNumberLast4: '5678',
    });
    expect(JSON.stringify(fold(requested))).not.toContain('G12345678');
  });

  it('issuing keeps the SHA-256 of the code, never the code, and makes it a lookup key', () => {
    const row = fold(requested, issued);
    expect(row).toMatchObject({
      status: 'issued',
      decidedAt: '2015-08-03T09:00:00.000Z',
      issuedAt: '2015-08-03T09:00:00.000Z',
      verificationKey: keyOf('q7Jc2mXvT9pL4sWd8yBnZa'),
    });
    expect(JSON.stringify(row)).not.toContain('q7Jc2mXvT9pL4sWd8yBnZa');
    expect(verificationLookupsOf(row)).toEqual([`verification#${keyOf('q7Jc2mXvT9pL4sWd8yBnZa')}`]);
    expect(verificationLookupsOf(fold(requested))).toEqual([]);
  });

  it('a decline records when; a new request replaces the declined one', () => {
    expect(fold(requested, declined)).toMatchObject({
      status: 'declined',
      decidedAt: '2015-08-02T09:00:00.000Z',
    });
    const again = fold(requested, declined, requested);
    expect(again).toMatchObject({ status: 'requested' });
    expect(again && 'decidedAt' in again).toBe(false);
  });

  it('an event that opens as erased, or the erasure itself, leaves no row', () => {
    const erasedRequest = event('VisaLetterRequested', {
      requestedAt: '2015-08-01T10:00:00.000Z',
      personal: personalDataErased,
    });
    expect(fold(erasedRequest)).toBeUndefined();
    expect(
      fold(requested, { ...issued, data: { ...issued.data, personal: personalDataErased } } as EventEnvelope),
    ).toBeUndefined();
    const delegateRow = fold(registered({ givenName: 'Ana', familyName: 'Pérez', email: 'a@example.org' }));
    expect(delegateRow).toEqual({
      kind: 'delegate',
      registrationId: 'r1',
      givenName: 'Ana',
      familyName: 'Pérez',
    });
    expect(
      evolve(delegateRow, event('PersonalDataErased', { erasedAt: '2016-01-01T00:00:00.000Z' })),
    ).toBeUndefined();
    expect(fold(registered(personalDataErased))).toBeUndefined();
  });

  it('a details change renames the delegate with only the names it carries', () => {
    const row = fold(
      registered({ givenName: 'Ana', familyName: 'Pérez', email: 'a@example.org' }),
      event(
        'DelegateDetailsChanged',
        {
          changedAt: '2015-07-02T00:00:00.000Z',
          changedBy: 'delegate',
          previous: { country: 'MX', category: 'mayor' },
          personal: { familyName: 'Pérez García' },
        },
        'registration-r1',
      ),
    );
    expect(row).toMatchObject({ givenName: 'Ana', familyName: 'Pérez García' });
  });

  it('the list joins names, filters by status, leaves out letters of erased registrations, oldest first', () => {
    const letter = (registrationId: string, status: VisaLetterRow['status'], requestedAt: string) =>
      ({ ...(fold(requested) as VisaLetterRow), registrationId, status, requestedAt }) as VisaLetterRow;
    const delegates = new Map<string, VisaDelegateRow>([
      ['a', { kind: 'delegate', registrationId: 'a', givenName: 'Ana', familyName: 'Pérez' }],
      ['b', { kind: 'delegate', registrationId: 'b', givenName: 'Jussi', familyName: 'Virtanen' }],
    ]);
    const letters = [
      letter('b', 'issued', '2015-08-02T00:00:00.000Z'),
      letter('a', 'requested', '2015-08-01T00:00:00.000Z'),
      letter('gone', 'requested', '2015-08-01T00:00:00.000Z'),
    ];
    expect(visaLetterList(letters, delegates, ['requested', 'issued']).map((e) => e.registrationId)).toEqual([
      'a',
      'b',
    ]);
    expect(visaLetterList(letters, delegates, ['issued'])).toEqual([
      {
        registrationId: 'b',
        givenName: 'Jussi',
        familyName: 'Virtanen',
        nationality: 'MX',
        status: 'issued',
        requestedAt: '2015-08-02T00:00:00.000Z',
      },
    ]);
  });

  it('?status= takes comma-separated statuses and names the unknown ones', () => {
    expect(parseStatusFilter(undefined)).toEqual({ statuses: ['requested', 'issued', 'declined'] });
    expect(parseStatusFilter('issued,declined')).toEqual({ statuses: ['issued', 'declined'] });
    expect(parseStatusFilter('issued,approved')).toEqual({ unknown: ['approved'] });
    expect(parseStatusFilter('')).toEqual({ unknown: [''] });
  });

  it('the verification answer shows what the letter says and only an issued letter verifies', () => {
    const row = fold(requested, issued) as VisaLetterRow;
    expect(verificationAnswer(row, iclc2015)).toEqual({
      valid: true,
      conference: {
        name: iclc2015.name,
        city: 'Mexico City',
        country: 'MX',
        startDate: '2015-09-28',
        endDate: '2015-09-30',
      },
      passportName: 'ANA PEREZ GARCIA',
      nationality: 'MX',
      passportNumberLast4: '5678',
      issuedAt: '2015-08-03T09:00:00.000Z',
    });
    expect(verificationAnswer(fold(requested) as VisaLetterRow, iclc2015)).toBeUndefined();
  });
});
