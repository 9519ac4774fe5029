import { describe, expect, it } from 'vitest';
import { conferenceDecider } from '../../domain/conference/decider.js';
import { conferenceDetailsSchema } from '../../domain/conference/events.js';
import { InvalidCommandError } from '../../domain/shared/errors.js';
import {
  conferenceLanguages,
  missingTranslations,
  textIn,
  translatable,
} from '../../domain/shared/languages.js';
import { iclc2015 } from './fixtures.js';

describe('Organizer text in several languages', () => {
  it('a string is the default language’s text, whatever the language asked', () => {
    expect(textIn('Aprender', 'fr', 'es')).toBe('Aprender');
  });

  it('a map answers in the language asked, else in the default, else in any it has', () => {
    const title = { es: 'Ciudades del aprendizaje', en: 'Learning cities' };
    expect(textIn(title, 'en', 'es')).toBe('Learning cities');
    expect(textIn(title, 'fr', 'es')).toBe('Ciudades del aprendizaje');
    expect(textIn({ fr: 'Villes apprenantes' }, 'en', 'es')).toBe('Villes apprenantes');
    expect(textIn(undefined, 'en', 'es')).toBeUndefined();
  });

  it('takes a string or a map of the six languages, and refuses any other key and an empty map', () => {
    const schema = translatable(50);
    expect(schema.safeParse('Learning').success).toBe(true);
    expect(schema.safeParse({ ar: 'مدن التعلم', zh: '学习型城市' }).success).toBe(true);
    expect(schema.safeParse({ de: 'Lernende Städte' }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ en: '' }).success).toBe(false);
  });

  it('a conference made before languages existed is in English only', () => {
    expect(conferenceLanguages({})).toEqual({ languages: ['en'], defaultLanguage: 'en' });
    // Without a default: English when offered, else the first.
    expect(conferenceLanguages({ languages: ['es', 'en'] })).toEqual({
      languages: ['es', 'en'],
      defaultLanguage: 'en',
    });
    expect(conferenceLanguages({ languages: ['es', 'fr'] })).toEqual({
      languages: ['es', 'fr'],
      defaultLanguage: 'es',
    });
  });

  it('lists each text without its own translation, per language; a string counts for the default only', () => {
    const languages = { languages: ['es', 'en', 'fr'] as const, defaultLanguage: 'es' as const };
    expect(
      missingTranslations(
        [
          ['name', { es: 'Conferencia', en: 'Conference' }],
          ['sessions.s1.title', 'Plenaria'],
          ['sessions.s1.abstract', undefined],
        ],
        languages,
      ),
    ).toEqual([
      { path: 'sessions.s1.title', language: 'en' },
      { path: 'name', language: 'fr' },
      { path: 'sessions.s1.title', language: 'fr' },
    ]);
  });

  it('a conference’s default language must be one of its languages, and its name only in those', () => {
    const create = (details: object) => () =>
      conferenceDecider.decide(
        {
          type: 'CreateConference',
          conferenceId: 'c1',
          details: conferenceDetailsSchema.parse({ ...iclc2015, ...details }),
        },
        conferenceDecider.initialState,
      );
    expect(create({ languages: ['es', 'en'], defaultLanguage: 'fr' })).toThrow(InvalidCommandError);
    // A language named twice is refused by the body's schema already.
    expect(conferenceDetailsSchema.safeParse({ ...iclc2015, languages: ['es', 'es'] }).success).toBe(false);
    expect(create({ languages: ['es', 'en'], name: { es: 'Conferencia', fr: 'Conférence' } })).toThrow(
      InvalidCommandError,
    );
    expect(create({ languages: ['es', 'en'], name: { es: 'Conferencia', en: 'Conference' } })()).toHaveLength(
      1,
    );
  });
});
