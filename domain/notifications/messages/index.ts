import { IntlMessageFormat } from 'intl-messageformat';
import type { Language } from '../../shared/languages.js';
import { ar } from './ar.js';
import { type Catalog, en, type MessageId } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ru } from './ru.js';
import { zh } from './zh.js';

export type { MessageId } from './en.js';

/** The message catalogs of the six languages, each with every message of the English one. */
export const catalogs: Record<Language, Catalog> = { ar, en, es, fr, ru, zh };

/** The values a message's placeholders take: text, numbers (plural rules) and dates. */
export type MessageValues = Record<string, string | number | Date>;

const compiled = new Map<string, IntlMessageFormat>();

/**
 * One message of a catalog, formatted by intl-messageformat: plural and select rules of the language,
 * numbers and dates by `Intl` in that language. `{x, date, long}` is a calendar date (a conference day,
 * given as midnight UTC); `{x, date, instant}` a moment shown in the conference's `timeZone`.
 */
export const message = (
  language: Language,
  id: MessageId,
  values: MessageValues = {},
  timeZone = 'UTC',
): string => {
  const key = `${language}|${timeZone}|${id}`;
  let format = compiled.get(key);
  if (!format) {
    format = new IntlMessageFormat(
      catalogs[language][id],
      language,
      {
        date: {
          long: { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' },
          instant: { dateStyle: 'long', timeStyle: 'short', timeZone },
        },
      },
      { ignoreTag: true },
    );
    compiled.set(key, format);
  }
  return String(format.format(values));
};

/** A calendar date `YYYY-MM-DD` as the date placeholders take it. */
export const calendarDate = (date: string): Date => new Date(`${date}T00:00:00Z`);

/** The direction a language is written in, for the HTML of its emails and pages. */
export const textDirection = (language: Language): 'rtl' | 'ltr' => (language === 'ar' ? 'rtl' : 'ltr');
