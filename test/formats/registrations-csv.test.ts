import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  REGISTRATION_CSV_COLUMNS,
  type RegistrationRow,
  registrationsCsv,
} from '../../functions/shared/formats/registrations-csv.js';

const ana: RegistrationRow = {
  registrationId: 'r1',
  conferenceId: 'c1',
  status: 'checked-in',
  givenName: 'Ana',
  familyName: 'Pérez, "la Maestra"',
  email: 'ana@example.org',
  country: 'MX',
  city: 'Ciudad de México',
  organization: 'Secretaría de Educación\nPública',
  category: 'education-executive',
  registeredAt: '2015-08-01T10:00:00.000Z',
  checkedInAt: '2015-09-28T08:01:00.000Z',
  language: 'es',
  latinName: null,
  nameOrder: 'given-family',
  consentToPublish: true,
  delegationId: 'd-mexico-city',
  delegationName: 'Ciudad de México',
};
const li: RegistrationRow = {
  ...ana,
  registrationId: 'r3',
  givenName: '明',
  familyName: '李',
  organization: 'محافظة القاهرة',
  language: 'zh',
  latinName: { givenName: 'Ming', familyName: 'Li' },
  nameOrder: 'family-given',
};
const hostile: RegistrationRow = {
  ...ana,
  registrationId: 'r2',
  status: 'registered',
  givenName: '=HYPERLINK("http://evil.example","click")',
  familyName: '+1',
  organization: null,
  checkedInAt: undefined,
};

const read = (csv: string) =>
  parse(csv, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];

describe('registrations CSV', () => {
  it('is RFC 4180 with a header of every field of the registration read back, read back by an independent parser', () => {
    const csv = registrationsCsv([ana]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('\r\n');
    const [row] = read(csv);
    expect(Object.keys(row ?? {})).toEqual([...REGISTRATION_CSV_COLUMNS]);
    const { latinName: _none, ...fields } = ana;
    expect(row).toEqual({
      ...fields,
      cancelledAt: '',
      latinGivenName: '',
      latinFamilyName: '',
      consentToPublish: 'true',
    });
  });

  it('carries the language, the Latin name and the name order, names in any script as written', () => {
    const [row] = read(registrationsCsv([li]));
    expect(row).toMatchObject({
      givenName: '明',
      familyName: '李',
      organization: 'محافظة القاهرة',
      language: 'zh',
      latinGivenName: 'Ming',
      latinFamilyName: 'Li',
      nameOrder: 'family-given',
    });
  });

  it('keeps a spreadsheet from running a cell as a formula', () => {
    const [, row] = read(registrationsCsv([ana, hostile]));
    expect(row?.givenName).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(row?.familyName).toBe("'+1");
    expect(row?.organization).toBe('');
    expect(row?.checkedInAt).toBe('');
  });

  it('writes 20,000 rows', () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ ...ana, registrationId: `r${index}` }));
    const parsed = read(registrationsCsv(rows));
    expect(parsed).toHaveLength(20_000);
    expect(parsed[19_999]?.registrationId).toBe('r19999');
  });

  it('is a header alone when nothing matches', () => {
    expect(read(registrationsCsv([]))).toEqual([]);
    expect(registrationsCsv([])).toBe(`\uFEFF${REGISTRATION_CSV_COLUMNS.join(',')}\r\n`);
  });
});
