import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  entryMatchesPlan,
  evolveRegistrantRow,
  indexEntriesOf,
  MAX_INDEXED_PREFIXES,
  parseRegistrantQuery,
  planRegistrantQuery,
  type RegistrantFilters,
  type RegistrantRow,
  registeredAtKeyOfFamilyNameKey,
  registrationIdOfSortKey,
  sortKeyOf,
} from '../../domain/projections/registrant-list.js';
import { delegateCategories } from '../../domain/registration/events.js';
import { envelopeMaker } from '../support/envelopes.js';

const envelope = envelopeMaker({
  streamId: 'registration-r1',
  occurredAt: '2015-09-01T10:00:00.000Z',
  schemaVersion: 2,
  correlationId: 'x',
});

const personal = {
  givenName: 'Jürgen',
  familyName: 'Müller',
  email: 'jm@example.cn',
  city: 'Beijing',
  organization: 'Beijing Municipal Education Commission',
  manageTokenHash: 'h',
};

const registered = (part: unknown = personal) =>
  envelope('DelegateRegistered', {
    registrationId: 'r1',
    conferenceId: 'c1',
    country: 'CN',
    category: 'education-executive',
    registeredAt: '2015-09-01T10:00:00.000Z',
    personal: part,
  });

const apply = (events: EventEnvelope[]) =>
  events.reduce<RegistrantRow | undefined>(evolveRegistrantRow, undefined);

describe('registrant list rows', () => {
  it('holds the registration as read back, through promotion, check-in and cancellation', () => {
    const row = apply([
      registered(),
      envelope('DelegateCheckedIn', { registrationId: 'r1', checkedInAt: '2015-09-28T08:00:00.000Z' }),
      envelope('RegistrationCancelled', {
        registrationId: 'r1',
        cancelledAt: '2015-09-29T08:00:00.000Z',
        previousStatus: 'checked-in',
        cancelledBy: 'organizer',
      }),
    ]);
    expect(row).toEqual({
      registrationId: 'r1',
      conferenceId: 'c1',
      status: 'cancelled',
      givenName: 'Jürgen',
      familyName: 'Müller',
      email: 'jm@example.cn',
      country: 'CN',
      city: 'Beijing',
      organization: 'Beijing Municipal Education Commission',
      category: 'education-executive',
      registeredAt: '2015-09-01T10:00:00.000Z',
      checkedInAt: '2015-09-28T08:00:00.000Z',
      cancelledAt: '2015-09-29T08:00:00.000Z',
      // A registration without a language (made before languages existed) was made in English.
      language: 'en',
      latinName: null,
      nameOrder: 'given-family',
      // Not named in the public List of Participants unless the delegate said so (CONTRACT 5.3).
      consentToPublish: false,
    });
    const waitlisted = { ...registered(), type: 'DelegateWaitlisted' } as EventEnvelope;
    expect(apply([waitlisted])?.status).toBe('waitlisted');
    expect(
      apply([waitlisted, envelope('WaitlistedDelegatePromoted', { registrationId: 'r1', promotedAt: 'x' })])
        ?.status,
    ).toBe('registered');
  });

  it('takes the changed fields of DelegateDetailsChanged and keeps the others', () => {
    const row = apply([
      registered(),
      envelope('DelegateDetailsChanged', {
        registrationId: 'r1',
        changedAt: '2015-09-02T10:00:00.000Z',
        changedBy: 'organizer',
        country: 'DE',
        previous: { country: 'CN', category: 'education-executive' },
        personal: { familyName: 'Mueller', email: 'j.mueller@example.de', emailKey: 'k' },
      }),
    ]);
    expect(row).toMatchObject({
      givenName: 'Jürgen',
      familyName: 'Mueller',
      email: 'j.mueller@example.de',
      country: 'DE',
      category: 'education-executive',
      city: 'Beijing',
    });
  });

  it('has no row once erased, nor for events that open as erased, and refuses sealed events', () => {
    expect(
      apply([
        registered(),
        envelope('PersonalDataErased', { registrationId: 'r1', erasedAt: 'x', erasedBy: 'delegate' }),
      ]),
    ).toBeUndefined();
    expect(apply([registered({ unavailable: 'erased' })])).toBeUndefined();
    expect(
      apply([
        registered(),
        envelope('DelegateDetailsChanged', { registrationId: 'r1', personal: { unavailable: 'erased' } }),
      ]),
    ).toBeUndefined();
    expect(() => apply([registered('c2VhbGVk')])).toThrow(/opened/);
    expect(indexEntriesOf(undefined)).toEqual([]);
  });
});

describe('registrant list index entries', () => {
  const row = apply([registered()]) as RegistrantRow;

  it('lists a registration under all, its status, country, category and the prefixes of its terms', () => {
    const dimensions = new Set(indexEntriesOf(row).map((entry) => entry.dimension));
    expect([...dimensions].sort()).toEqual(
      [
        'all',
        'status:registered',
        'country:CN',
        'category:education-executive',
        'q:ju',
        'q:mu',
        'q:jm',
        'q:be',
        'q:ed',
        'q:co',
      ].sort(),
    );
    expect(indexEntriesOf(row)).toHaveLength(dimensions.size);
  });

  it('gives each entry its key in both orders, the registeredAt key found again from the familyName key', () => {
    const [entry] = indexEntriesOf(row);
    expect(entry?.sortKeys).toEqual({
      registeredAt: sortKeyOf(row, 'registeredAt'),
      familyName: sortKeyOf(row, 'familyName'),
    });
    expect(registeredAtKeyOfFamilyNameKey(sortKeyOf(row, 'familyName'))).toBe(sortKeyOf(row, 'registeredAt'));
    expect(registeredAtKeyOfFamilyNameKey(sortKeyOf(row, 'registeredAt'))).toBeUndefined();
    expect(registeredAtKeyOfFamilyNameKey('f|no separator|r1')).toBeUndefined();
  });

  it('orders by family name ignoring case and accents, then given name, time and id', () => {
    const named = (familyName: string, givenName: string, id: string): RegistrantRow => ({
      ...row,
      familyName,
      givenName,
      registrationId: id,
    });
    const keys = [
      named('Zapata', 'Ana', 'a'),
      named('müller', 'Zoë', 'b'),
      named('Muller', 'Anna', 'c'),
      named('Álvarez', 'Luis', 'd'),
      named('Muller-Smith', 'Aaron', 'e'),
      named('Muller', 'Zoe', 'f'),
    ].map((r) => sortKeyOf(r, 'familyName'));
    expect([...keys].sort().map(registrationIdOfSortKey)).toEqual(['d', 'c', 'b', 'f', 'e', 'a']);
  });

  it('indexes at most MAX_INDEXED_PREFIXES prefixes, names first', () => {
    const long = {
      ...row,
      organization: Array.from({ length: 40 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${i}`).join(
        ' ',
      ),
    };
    const prefixes = indexEntriesOf(long).filter((entry) => entry.dimension.startsWith('q:'));
    expect(prefixes).toHaveLength(MAX_INDEXED_PREFIXES);
    expect(prefixes.some((entry) => entry.dimension === 'q:mu')).toBe(true);
  });
});

describe('registrant list query', () => {
  it('takes the defaults and every filter', () => {
    expect(parseRegistrantQuery({}, { paged: true })).toEqual({
      query: { filters: {}, sort: 'registeredAt', limit: 50 },
    });
    expect(
      parseRegistrantQuery(
        {
          status: 'registered,checked-in',
          country: 'MX',
          category: 'mayor',
          q: ' pérez ',
          sort: 'familyName',
          limit: '200',
          cursor: 'abc',
        },
        { paged: true },
      ),
    ).toEqual({
      query: {
        filters: { statuses: ['registered', 'checked-in'], country: 'MX', category: 'mayor', q: 'pérez' },
        sort: 'familyName',
        limit: 200,
        cursor: 'abc',
      },
    });
  });

  it.each([
    [{ status: 'registered,erased' }, 'status'],
    [{ status: '' }, 'status'],
    [{ country: 'mx' }, 'country'],
    [{ country: 'XX' }, 'country'],
    [{ category: 'mayors' }, 'category'],
    [{ sort: 'email' }, 'sort'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ cursor: '' }, 'cursor'],
    [{ q: 'x'.repeat(201) }, 'q'],
    [{ page: '2' }, 'page'],
  ])('refuses %j naming %s', (parameters, path) => {
    const result = parseRegistrantQuery(parameters, { paged: true });
    expect(result).toHaveProperty('errors');
    expect('errors' in result && result.errors.map((error) => error.path)).toEqual([path]);
  });

  it('takes no limit or cursor for the CSV', () => {
    const result = parseRegistrantQuery({ limit: '5', cursor: 'x' }, { paged: false });
    expect('errors' in result && result.errors.map((error) => error.path)).toEqual(['limit', 'cursor']);
  });

  it('reads a search through the prefix of its longest word, else the most selective filter', () => {
    expect(planRegistrantQuery({ q: 'Ana Beij', country: 'CN' }, 'registeredAt')).toEqual({
      dimension: 'q:be',
      sortPrefix: 'r|',
      country: 'CN',
      words: ['ana', 'beij'],
    });
    expect(planRegistrantQuery({ country: 'CN', statuses: ['registered'] }, 'familyName')).toMatchObject({
      dimension: 'country:CN',
      sortPrefix: 'f|',
      statuses: ['registered'],
    });
    expect(planRegistrantQuery({ statuses: ['waitlisted'] }, 'registeredAt').dimension).toBe(
      'status:waitlisted',
    );
    expect(planRegistrantQuery({ q: 'm' }, 'registeredAt')).toMatchObject({ dimension: 'all', words: ['m'] });
  });
});

describe('the index answers as the filters read on the rows do', () => {
  const word = fc.constantFrom(
    'Ana',
    'Pérez',
    'Müller',
    'Beijing',
    'María',
    'Ольга',
    'de',
    "O'Brien",
    'Núñez',
  );
  const rowArb = fc.record({
    givenName: fc.array(word, { minLength: 1, maxLength: 2 }).map((w) => w.join(' ')),
    familyName: fc.array(word, { minLength: 1, maxLength: 2 }).map((w) => w.join('-')),
    organization: fc.option(fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '))),
    email: fc.constantFrom('ana@example.org', 'jm@example.cn', 'x.y@z.mx'),
    status: fc.constantFrom('registered', 'waitlisted', 'checked-in', 'cancelled' as const),
    country: fc.constantFrom('MX', 'CN', 'FI'),
    category: fc.constantFrom(...delegateCategories),
  });
  const filtersArb: fc.Arbitrary<RegistrantFilters> = fc.record(
    {
      statuses: fc.subarray(['registered', 'waitlisted', 'checked-in', 'cancelled'] as const, {
        minLength: 1,
      }),
      country: fc.constantFrom('MX', 'CN', 'FI'),
      category: fc.constantFrom(...delegateCategories),
      q: fc.constantFrom(
        'perez',
        'mu',
        'beij',
        'a',
        'ана',
        'ольга',
        'ana pé',
        'jm@',
        'núñez m',
        'o',
        'zz',
        'MÜLLER',
      ),
    },
    { requiredKeys: [] },
  );

  it('for any registration and filters, in both orders', () => {
    fc.assert(
      fc.property(
        rowArb,
        filtersArb,
        fc.constantFrom('registeredAt', 'familyName' as const),
        (fields, filters, sort) => {
          const row: RegistrantRow = {
            ...fields,
            organization: fields.organization ?? null,
            registrationId: 'r1',
            conferenceId: 'c1',
            city: 'Town',
            registeredAt: '2015-09-01T10:00:00.000Z',
          } as RegistrantRow;
          const plan = planRegistrantQuery(filters, sort);
          const byIndex = indexEntriesOf(row).filter((entry) => entryMatchesPlan(entry, plan)).length;
          expect(byIndex).toBeLessThanOrEqual(1);
          const statusOk = !filters.statuses || filters.statuses.includes(row.status);
          const countryOk = !filters.country || filters.country === row.country;
          const categoryOk = !filters.category || filters.category === row.category;
          // The search's meaning, written out here: every word starts a folded word of a name or the
          // organization, or the email.
          const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
          const words = [
            ...`${row.givenName} ${row.familyName} ${row.organization ?? ''}`
              .split(/[^\p{L}\p{N}]+/u)
              .map(fold),
            fold(row.email),
          ].filter(Boolean);
          const searchOk =
            !filters.q ||
            fold(filters.q)
              .split(/\s+/)
              .filter(Boolean)
              .every((q) => words.some((w) => w.startsWith(q)));
          expect(byIndex === 1).toBe(statusOk && countryOk && categoryOk && searchOk);
        },
      ),
      { numRuns: 2000, seed: 2015 },
    );
  });
});
