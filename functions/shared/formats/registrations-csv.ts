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
  answers?: Record<string, unknown>;
  language?: string;
  latinName?: { givenName: string; familyName: string } | null;
  nameOrder?: string;
  consentToPublish?: boolean;
  /** The delegation (CONTRACT 5.3): its id and, when the list was read with names joined, its name. */
  delegationId?: string;
  delegationName?: string;
}

/** A column of the registration form's answers: its field, and the label of the header row. */
export interface AnswerColumn {
  fieldId: string;
  label: string;
}

/** An answer as a cell: a multi-choice's options joined with `;`, yes-no as true/false, none empty. */
const answerCell = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : Array.isArray(value)
      ? value.map(String).join(';')
      : String(value);

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
  'consentToPublish',
  'delegationId',
  'delegationName',
] as const satisfies readonly (keyof ReturnType<typeof cellsOf>)[];

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection": =, +, -, @, tab, carriage return) is
 * prefixed with an apostrophe, which spreadsheets show as text. Names like "-Ana" stay readable.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const inert = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

/** RFC 4180: a header row, CRLF line ends, fields quoted where needed; UTF-8 with a BOM so Excel reads accents. */
export const registrationsCsv = (
  rows: Iterable<RegistrationRow>,
  answerColumns: readonly AnswerColumn[] = [],
): string => {
  const records: string[][] = [];
  for (const row of rows) records.push(csvRecordOf(row, answerColumns));
  return `\uFEFF${stringify([csvHeaderOf(answerColumns), ...records], { record_delimiter: 'windows' })}`;
};

/** The header row: the columns, then one per answered field, by its label. */
export const csvHeaderOf = (answerColumns: readonly AnswerColumn[] = []): string[] => [
  ...REGISTRATION_CSV_COLUMNS,
  ...answerColumns.map((column) => inert(column.label)),
];

/** One row's cells, in the header's order. */
export const csvRecordOf = (row: RegistrationRow, answerColumns: readonly AnswerColumn[] = []): string[] => {
  const cells = cellsOf(row);
  return [
    ...REGISTRATION_CSV_COLUMNS.map((column) => inert(String(cells[column] ?? ''))),
    // One column per field of the form's newest version (CONTRACT 5.2), labelled in the header row.
    ...answerColumns.map((column) => inert(answerCell(row.answers?.[column.fieldId]))),
  ];
};

/**
 * The same CSV as a stream, for a file of any size (the background documents): write `csvRecordOf(row)`
 * records to it, read the bytes from it. The same BOM, header and line ends as `registrationsCsv`.
 */
export const registrationsCsvStream = (answerColumns: readonly AnswerColumn[] = []): Stringifier => {
  const stream = stringifyStream({ bom: true, record_delimiter: 'windows' });
  stream.write(csvHeaderOf(answerColumns));
  return stream;
};
