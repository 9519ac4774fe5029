import { type Stringifier, stringify as stringifyStream } from 'csv-stringify';
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
}

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
] as const satisfies readonly (keyof RegistrationRow)[];

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection": =, +, -, @, tab, carriage return) is
 * prefixed with an apostrophe, which spreadsheets show as text. Names like "-Ana" stay readable.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const inert = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

/** RFC 4180: a header row, CRLF line ends, fields quoted where needed; UTF-8 with a BOM so Excel reads accents. */
export const registrationsCsv = (rows: Iterable<RegistrationRow>): string => {
  const records: string[][] = [];
  for (const row of rows) records.push(csvRecordOf(row));
  return `\uFEFF${stringify(records, { header: true, columns: [...REGISTRATION_CSV_COLUMNS], record_delimiter: 'windows' })}`;
};

/** One row's cells, in the columns' order. */
export const csvRecordOf = (row: RegistrationRow): string[] =>
  REGISTRATION_CSV_COLUMNS.map((column) => inert(String(row[column] ?? '')));

/**
 * The same CSV as a stream, for a file of any size (the background documents): write `csvRecordOf(row)`
 * records to it, read the bytes from it. The same BOM, header and line ends as `registrationsCsv`.
 */
export const registrationsCsvStream = (): Stringifier =>
  stringifyStream({
    bom: true,
    header: true,
    columns: [...REGISTRATION_CSV_COLUMNS],
    record_delimiter: 'windows',
  });
