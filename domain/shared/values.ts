// i18n-iso-countries' own table of codes, [alpha-2, alpha-3, numeric, ISO 3166-2] per country: validating a
// code needs neither the names of its locales (700 KB) nor its lookup functions (and their dependencies).
import codes from 'i18n-iso-countries/codes.json' with { type: 'json' };
import * as z from 'zod';

/**
 * The characters free text may not hold: C0 and C1 controls, the invisible format characters that can
 * disguise text (soft hyphen, zero-width and bidirectional controls, word joiners, BOM, interlinear
 * annotations), private-use characters and lone surrogates. Written as plain ranges, not Unicode property escapes, so the OpenAPI
 * document can carry the same pattern to generators outside JavaScript.
 */
export const FORBIDDEN_TEXT_CHARACTERS =
  '\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uE000-\uF8FF\uFEFF\uFFF9-\uFFFB';
export const printable = new RegExp(`^[^${FORBIDDEN_TEXT_CHARACTERS}\\uD800-\\uDFFF]*$`, 'u');

/** Free text of a person or a place: trimmed, non-empty, bounded, printable. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(printable, 'must not contain control characters');

export const optionalText = (max: number) => text(max).optional();

/**
 * The same characters except the zero-width non-joiner and joiner (U+200C, U+200D), which Persian, Indic
 * and other names need to be spelled right (CONTRACT 5.4). Bidirectional overrides and isolates, other
 * invisible format characters, controls and lone surrogates stay refused, and so does U+FFFD: the mark of
 * bytes decoded as what they were not, never part of a name.
 */
export const FORBIDDEN_NAME_CHARACTERS =
  '\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u206F\uE000-\uF8FF\uFEFF\uFFF9-\uFFFB\uFFFD';
export const printableName = new RegExp(`^[^${FORBIDDEN_NAME_CHARACTERS}\\uD800-\\uDFFF]*$`, 'u');

/** A name of a person, a place or an organization, in any script: like `text`, with ZWNJ and ZWJ allowed. */
export const nameText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(printableName, 'must not contain control characters');

/** Every ISO 3166-1 alpha-2 code, as i18n-iso-countries lists them. */
export const countryCodes: readonly string[] = codes.map(([alpha2]) => String(alpha2)).sort();

/** What i18n-iso-countries' isValid accepts: any alpha-2, alpha-3 or numeric code, in any case. */
const anyCountryCode = new Set(
  codes.flatMap(([alpha2, alpha3, numeric]) => [alpha2, alpha3, numeric].map(String)),
);

export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. MX')
  .refine((code) => anyCountryCode.has(code.toUpperCase()), 'is not an ISO 3166-1 alpha-2 country code');

export const isoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });
/** An instant with its offset, e.g. 2015-09-27T23:59:59Z or 2015-09-27T18:59:59-05:00. */
export const instant = z.iso.datetime({
  offset: true,
  message: 'must be an instant, e.g. 2015-09-27T23:59:59Z',
});

export const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM (00:00 to 23:59)');

/** Names already found valid: building an Intl.DateTimeFormat to check one costs about 0.2 ms. */
const validTimeZones = new Set<string>();

const isTimeZone = (name: string): boolean => {
  if (validTimeZones.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
  } catch {
    return false;
  }
  const valid = name.includes('/') || name === 'UTC';
  // Only valid names are kept, so the set is bounded by the time zone database, whatever clients send.
  if (valid) validTimeZones.add(name);
  return valid;
};

export const timeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone, e.g. America/Mexico_City');

export const email = z
  .email({ message: 'must be an email address' })
  .max(254, 'must be at most 254 characters');

/** Emails are compared case-insensitively (CONTRACT section 2). */
export const normalizeEmail = (address: string): string => address.normalize('NFC').trim().toLowerCase();

/** Names of rooms, speakers, awards and cities are compared case-insensitively, ignoring outer spaces. */
export const comparableName = (name: string): string => name.normalize('NFC').trim().toLowerCase();

export const minutesOf = (time: string): number => {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

/** Every date from `start` to `end` inclusive, as YYYY-MM-DD. */
export const datesBetween = (start: string, end: string): string[] => {
  const dates: string[] = [];
  for (let day = new Date(`${start}T00:00:00Z`); day <= new Date(`${end}T00:00:00Z`); ) {
    dates.push(day.toISOString().slice(0, 10));
    day = new Date(day.getTime() + 86_400_000);
  }
  return dates;
};
