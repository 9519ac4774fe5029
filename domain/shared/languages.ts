import * as z from 'zod';
import { text } from './values.js';

/** The six working languages of UNESCO, which a conference may offer (CONTRACT 5.4). */
export const LANGUAGES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

export const languageSchema = z.enum(LANGUAGES, { message: `must be one of ${LANGUAGES.join(', ')}` });

/** Text in the conference's default language, or the same text per language. */
export type Translatable = string | Partial<Record<Language, string>>;

/**
 * Organizer text (CONTRACT 5.4): a string, read as the default language's, or a map `{language: text}`
 * with at least one entry and only the six languages as keys (any other key is 400, named).
 */
export const translatable = (max: number) =>
  z.union([
    text(max),
    z
      .partialRecord(languageSchema, text(max))
      .refine((map) => Object.keys(map).length > 0, 'must give the text in at least one language'),
  ]);

export const optionalTranslatable = (max: number) => translatable(max).optional();

/**
 * The text in `language`, else in `fallback` (the conference's default language), else in any language
 * it has. A plain string is the default language's text, and is the answer whatever the language.
 */
export function textIn(value: Translatable, language: Language, fallback: Language): string;
export function textIn(
  value: Translatable | undefined,
  language: Language,
  fallback: Language,
): string | undefined;
export function textIn(value: Translatable | undefined, language: Language, fallback: Language) {
  if (value === undefined || typeof value === 'string') return value;
  return value[language] ?? value[fallback] ?? Object.values(value)[0];
}

/** Whether `value` has its own text in `language` (a plain string has only the default language's). */
export const hasTextIn = (value: Translatable, language: Language, defaultLanguage: Language): boolean =>
  typeof value === 'string' ? language === defaultLanguage : value[language] !== undefined;

/** The languages of a conference, and the one its plain strings are in. */
export interface ConferenceLanguages {
  languages: readonly Language[];
  defaultLanguage: Language;
}

/** A conference's languages as stored (conferences made before v1.2 have neither field: English only). */
export const conferenceLanguages = (conference: {
  languages?: readonly Language[];
  defaultLanguage?: Language;
}): ConferenceLanguages => {
  const languages = conference.languages ?? [conference.defaultLanguage ?? DEFAULT_LANGUAGE];
  // Not given: English if offered, else the first.
  const defaultLanguage =
    conference.defaultLanguage ?? (languages.includes(DEFAULT_LANGUAGE) ? DEFAULT_LANGUAGE : languages[0]);
  return { languages, defaultLanguage: defaultLanguage ?? DEFAULT_LANGUAGE };
};

/** One text of a conference and whether each of its languages has it, for `translations/missing`. */
export interface MissingTranslation {
  /** Where the text is, e.g. `name`, `sessions.<sessionId>.title`, `awards.<awardId>.citation`. */
  path: string;
  language: Language;
}

/** The texts of `texts` (path → text) that lack a translation in one of the conference's languages. */
export const missingTranslations = (
  texts: ReadonlyArray<readonly [string, Translatable | undefined]>,
  { languages, defaultLanguage }: ConferenceLanguages,
): MissingTranslation[] =>
  languages.flatMap((language) =>
    texts.flatMap(([path, value]) =>
      value === undefined || hasTextIn(value, language, defaultLanguage) ? [] : [{ path, language }],
    ),
  );

/**
 * The languages `value` has its own text in, in the order of LANGUAGES: a map's keys; a plain string is
 * the text of `defaultLanguage` (the conference's default when the text was written).
 */
export const ownLanguages = (value: Translatable, defaultLanguage: Language): Language[] =>
  typeof value === 'string'
    ? [defaultLanguage]
    : LANGUAGES.filter((language) => value[language] !== undefined);

/**
 * As missingTranslations, for texts known only by the languages they have (path → languages): a text
 * sealed as personal data, of which a read model keeps its languages and never the text (a rejection's
 * message). Each lacks every conference language not among its own.
 */
export const missingLanguages = (
  texts: ReadonlyArray<readonly [string, readonly Language[]]>,
  { languages }: ConferenceLanguages,
): MissingTranslation[] =>
  languages.flatMap((language) =>
    texts.flatMap(([path, own]) => (own.includes(language) ? [] : [{ path, language }])),
  );
