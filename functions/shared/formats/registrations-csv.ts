import { stringify } from 'csv-stringify/sync';

/** A registration as read back (CONTRACT section 2), one CSV row each. */
export interface RegistrationRow {
  registrationId: string;
  conferenceId: string;
  status: string;
  givenName: string;
  familyName: string;
  email: string;
  country: string;
  city: string;
  organization: string | null;
  category: string;
  registeredAt: string;
  checkedInAt?: string;
  cancelledAt?: string;
  language?: string;
  latinName?: { givenName: string; familyName: string } | null;
  nameOrder?: string;
}

/** The columns of a row: the Latin name in two columns of its own. */
const cellsOf = (row: RegistrationRow) => ({
  ...row,
  latinGivenName: row.latinName?.givenName,
  latinFamilyName: row.latinName?.familyName,
});

export const REGISTRATION_CSV_COLUMNS = [
  'registrationId',
  'conferenceId',
  'status',
  'givenName',
  'familyName',
  'email',
  'country',
  'city',
  'organization',
  'category',
  'registeredAt',
  'checkedInAt',
  'cancelledAt',
  'language',
  'latinGivenName',
  'latinFamilyName',
  'nameOrder',
] as const satisfies readonly (keyof ReturnType<typeof cellsOf>)[];

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection": =, +, -, @, tab, carriage return) is
 * prefixed with an apostrophe, which spreadsheets show as text. Names like "-Ana" stay readable.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const inert = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

/** RFC 4180: a header row, CRLF line ends, fields quoted where needed; UTF-8 with a BOM so Excel reads accents. */
export const registrationsCsv = (rows: Iterable<RegistrationRow>): string => {
  const records: string[][] = [];
  for (const row of rows) {
    const cells = cellsOf(row);
    records.push(REGISTRATION_CSV_COLUMNS.map((column) => inert(String(cells[column] ?? ''))));
  }
  return `\uFEFF${stringify(records, { header: true, columns: [...REGISTRATION_CSV_COLUMNS], record_delimiter: 'windows' })}`;
};
