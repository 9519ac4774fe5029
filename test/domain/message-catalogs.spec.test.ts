import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { franc } from 'franc';
import { describe, expect, it } from 'vitest';
import { calendarDate, catalogs, message } from '../../domain/notifications/messages/index.js';
import { LANGUAGES } from '../../domain/shared/languages.js';

/** Each placeholder of a message with its kind (and the cases of a select): what a translation must keep. */
const placeholdersOf = (elements: readonly MessageFormatElement[]): string[] =>
  elements.flatMap((element): string[] => {
    switch (element.type) {
      case TYPE.argument:
        return [`${element.value}:text`];
      case TYPE.number:
        return [`${element.value}:number`];
      case TYPE.date:
        return [`${element.value}:date:${String(element.style)}`];
      case TYPE.time:
        return [`${element.value}:time`];
      case TYPE.plural:
        return [
          `${element.value}:plural`,
          ...Object.values(element.options).flatMap((o) => placeholdersOf(o.value)),
        ];
      case TYPE.select:
        return [
          `${element.value}:select:${Object.keys(element.options).sort().join('|')}`,
          ...Object.values(element.options).flatMap((o) => placeholdersOf(o.value)),
        ];
      default:
        return [];
    }
  });

const placeholders = (text: string) => [...new Set(placeholdersOf(parse(text, { ignoreTag: true })))].sort();

describe('The message catalogs of the six languages', () => {
  const reference = catalogs.en;

  it.each(LANGUAGES)('%s has every message, each with the same placeholders as English', (language) => {
    const catalog = catalogs[language];
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(reference).sort());
    for (const [id, text] of Object.entries(reference))
      expect(placeholders(catalog[id as keyof typeof reference]), `${language} ${id}`).toEqual(
        placeholders(text),
      );
  });

  it('formats plurals by each language’s rules and dates in its conventions', () => {
    expect(message('en', 'confirm.body', { conference: 'ICLC', hours: 24 })).toContain('valid for 24 hours');
    expect(message('ru', 'confirm.body', { conference: 'ICLC', hours: 24 })).toContain('24 часа');
    expect(message('ru', 'confirm.body', { conference: 'ICLC', hours: 25 })).toContain('25 часов');
    expect(message('ar', 'confirm.body', { conference: 'ICLC', hours: 2 })).toContain('ساعتين');
    expect(message('fr', 'date', { start: calendarDate('2015-09-28') })).toBe('28 septembre 2015');
    expect(message('es', 'date', { start: calendarDate('2015-09-28') })).toBe('28 de septiembre de 2015');
    expect(message('zh', 'date', { start: calendarDate('2015-09-28') })).toBe('2015年9月28日');
  });

  it('shows a moment in the conference’s time zone', () => {
    const expiresAt = new Date('2015-09-01T03:30:00Z');
    expect(message('en', 'invitation.expires', { expiresAt }, 'America/Mexico_City')).toContain(
      'August 31, 2015',
    );
    expect(message('en', 'invitation.expires', { expiresAt }, 'Asia/Tokyo')).toContain('September 1, 2015');
  });

  it('an outside detector (franc) reads each catalog’s long messages as their language', () => {
    const franc3: Record<string, string> = {
      ar: 'arb',
      en: 'eng',
      es: 'spa',
      fr: 'fra',
      ru: 'rus',
      zh: 'cmn',
    };
    const values = { conference: 'ICLC2015', hours: 24, link: 'https://example.org', acronym: 'ICLC2015' };
    for (const language of LANGUAGES) {
      const text = (['status.waitlisted', 'confirm.body', 'confirm.ignore', 'pending.body'] as const)
        .map((id) => message(language, id, values))
        .join(' ');
      expect(franc(text, { minLength: 10 }), language).toBe(franc3[language]);
    }
  });
});
