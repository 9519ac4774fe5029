import { describe, expect, it } from 'vitest';
import { conferenceDecider, languagesOf } from '../../domain/conference/decider.js';
import { conferenceDetailsSchema } from '../../domain/conference/events.js';
import { delegateEmail } from '../../domain/notifications/delegate-email.js';
import { matchesSearch, searchTermsOf } from '../../domain/projections/registrant-search.js';
import { personalDataOf, registrationDecider } from '../../domain/registration/decider.js';
import { delegateSchema, type RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { InvalidCommandError } from '../../domain/shared/errors.js';
import { fullName, nameOrderOf } from '../../domain/shared/names.js';
import { deciderSpec } from '../support/decider-spec.js';
import { delegate, iclc2015 } from './fixtures.js';

const now = '2015-09-01T10:00:00.000Z';

describe('the languages of a conference (CONTRACT 5.4)', () => {
  const create = (details: object) => ({
    type: 'CreateConference' as const,
    conferenceId: 'c1',
    details: { ...iclc2015, ...details },
  });
  const created = (details: object) =>
    fold(conferenceDecider, conferenceDecider.decide(create(details), { status: 'none' }));

  it('offers English alone when it names no language', () => {
    expect(created({})).toMatchObject({ languages: ['en'], defaultLanguage: 'en' });
  });

  it('keeps the languages and the default it is given; without a default, English if offered, else the first', () => {
    expect(created({ languages: ['es', 'en', 'fr'], defaultLanguage: 'es' })).toMatchObject({
      languages: ['es', 'en', 'fr'],
      defaultLanguage: 'es',
    });
    expect(created({ languages: ['es', 'en'] })).toMatchObject({ defaultLanguage: 'en' });
    expect(created({ languages: ['zh', 'ar'] })).toMatchObject({ defaultLanguage: 'zh' });
  });

  it('refuses a default language it does not offer, and unknown or repeated languages', () => {
    expect(() =>
      conferenceDecider.decide(create({ languages: ['es'], defaultLanguage: 'fr' }), { status: 'none' }),
    ).toThrow(InvalidCommandError);
    const languages = conferenceDetailsSchema.shape.languages;
    expect(languages.safeParse(['en', 'de']).success).toBe(false);
    expect(languages.safeParse(['en', 'en']).success).toBe(false);
    expect(languages.safeParse([]).success).toBe(false);
  });

  it('changes its languages in the settings, keeping its default among them', () => {
    const state = created({ languages: ['es', 'en'], defaultLanguage: 'es' });
    const change = (values: object) => ({
      type: 'ChangeConferenceSettings' as const,
      conferenceId: 'c1',
      change: values,
      now,
    });
    const [event] = conferenceDecider.decide(
      change({ languages: ['es', 'en', 'ar', 'fr', 'ru', 'zh'] }),
      state,
    );
    const after = conferenceDecider.evolve(state, event as never);
    expect(after.status === 'created' && languagesOf(after)).toEqual({
      languages: ['es', 'en', 'ar', 'fr', 'ru', 'zh'],
      defaultLanguage: 'es',
    });
    let refused: unknown;
    try {
      conferenceDecider.decide(change({ languages: ['en'] }), state);
    } catch (error) {
      refused = error;
    }
    expect((refused as InvalidCommandError).errors).toEqual([
      { path: 'defaultLanguage', message: "must be one of the conference's languages (en)" },
    ]);
  });
});

describe('the language of a delegate', () => {
  const given = deciderSpec(registrationDecider);
  const register = (
    values: object,
    languages = { languages: ['es', 'en', 'zh'] as const, defaultLanguage: 'es' as const },
  ) => ({
    type: 'RegisterDelegate' as const,
    registrationId: 'r1',
    conferenceId: 'c1',
    delegate: { ...delegate, ...values },
    emailKey: 'mac',
    manageTokenHash: 'hash',
    seatAvailable: true,
    languages: { languages: [...languages.languages], defaultLanguage: languages.defaultLanguage },
    now,
  });
  const personalOf = (events: RegistrationEvent[]) => personalDataOf(events) as Record<string, unknown>;

  it('is the one chosen, else the conference’s default', () => {
    expect(
      personalOf(registrationDecider.decide(register({ language: 'zh' }), { status: 'none' })),
    ).toMatchObject({
      language: 'zh',
    });
    expect(personalOf(registrationDecider.decide(register({}), { status: 'none' }))).toMatchObject({
      language: 'es',
    });
  });

  it('is refused, naming the languages offered, when the conference does not offer it', () => {
    const error = given()
      .when(register({ language: 'ru' }))
      .thenThrows(InvalidCommandError) as InvalidCommandError;
    expect(error.errors).toEqual([
      { path: 'language', message: "must be one of the conference's languages: es, en, zh" },
    ]);
  });

  it('is changed, with the Latin name and the name order, by a correction', () => {
    const events = registrationDecider.decide(register({}), { status: 'none' });
    const current = personalOf(events) as never;
    const change = (changes: object) => ({
      type: 'ChangeDelegateDetails' as const,
      by: 'delegate' as const,
      changes,
      current,
      languages: { languages: ['es', 'en', 'zh'] as const, defaultLanguage: 'es' as const },
      now,
    });
    const state = fold(registrationDecider, events);
    const changed = registrationDecider.decide(
      change({
        language: 'zh',
        latinName: { givenName: 'Ana', familyName: 'Perez' },
        nameOrder: 'family-given',
      }) as never,
      state,
    );
    expect(personalOf([...events, ...changed])).toMatchObject({
      language: 'zh',
      latinName: { givenName: 'Ana', familyName: 'Perez' },
      nameOrder: 'family-given',
    });
    expect(() => registrationDecider.decide(change({ language: 'fr' }) as never, state)).toThrow(
      InvalidCommandError,
    );
  });

  it('has a Latin name in Latin letters only', () => {
    expect(
      delegateSchema.safeParse({ ...delegate, latinName: { givenName: 'Ming', familyName: 'Lǐ' } }).success,
    ).toBe(true);
    expect(
      delegateSchema.safeParse({ ...delegate, latinName: { givenName: '明', familyName: 'Li' } }).success,
    ).toBe(false);
  });
});

describe('names in any script (CONTRACT 5.4)', () => {
  const name = (givenName: string) => delegateSchema.shape.givenName.safeParse(givenName).success;

  it('accepts the zero-width non-joiner and joiner that Persian and Indic names need', () => {
    expect(name('مهر\u200Cنوش')).toBe(true);
    expect(name('क्\u200Dष')).toBe(true);
    expect(name('李明')).toBe(true);
  });

  it('refuses bidirectional overrides, controls, lone surrogates and the replacement character', () => {
    for (const bad of ['Ana\u202Ex', 'Ana\u2066x', 'Ana\u0007', 'Ana\uD800', 'Ana\uFFFD', 'Ana\u200B'])
      expect(name(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('names as their cultures write them (issue 19.5)', () => {
  it('writes Chinese, Japanese and Korean names family name first, without a space', () => {
    expect(fullName({ givenName: '明', familyName: '李' })).toBe('李明');
    expect(fullName({ givenName: '민준', familyName: '김' })).toBe('김민준');
    expect(fullName({ givenName: 'さくら', familyName: '田中' })).toBe('田中さくら');
    expect(fullName({ givenName: 'Ana', familyName: 'Pérez' })).toBe('Ana Pérez');
  });

  it('writes a Hungarian or Vietnamese name family first when its holder says so', () => {
    expect(fullName({ givenName: 'János', familyName: 'Kovács', nameOrder: 'family-given' })).toBe(
      'Kovács János',
    );
    expect(fullName({ givenName: 'Văn An', familyName: 'Nguyễn', nameOrder: 'family-given' })).toBe(
      'Nguyễn Văn An',
    );
    expect(nameOrderOf({ givenName: '明', familyName: '李', nameOrder: 'given-family' })).toBe(
      'given-family',
    );
  });

  it('greets a delegate by their name in its own order: "Dear 李明", never "Dear 明 李"', () => {
    const conference = { conferenceId: 'c1', ...iclc2015 };
    const email = delegateEmail(
      'registered',
      { registrationId: 'r1', givenName: '明', familyName: '李' },
      conference,
      { language: 'en', managePage: 'https://x/manage' },
    );
    expect(email.paragraphs[0]).toBe('Dear 李明,');
    const kovacs = {
      registrationId: 'r2',
      givenName: 'János',
      familyName: 'Kovács',
      nameOrder: 'family-given' as const,
    };
    expect(
      delegateEmail('registered', kovacs, conference, { language: 'en', managePage: 'https://x/manage' })
        .paragraphs[0],
    ).toBe('Dear Kovács János,');
  });

  it('finds a name written whole without spaces, as a word prefix finds Pérez', () => {
    const terms = (
      givenName: string,
      familyName: string,
      latinName?: { givenName: string; familyName: string },
    ) =>
      searchTermsOf({ givenName, familyName, email: 'x@example.org', ...(latinName ? { latinName } : {}) });
    const li = terms('明', '李', { givenName: 'Ming', familyName: 'Li' });
    expect(matchesSearch(li, '李明')).toBe(true);
    expect(matchesSearch(li, '李')).toBe(true);
    expect(matchesSearch(li, 'ming')).toBe(true);
    expect(matchesSearch(terms('민준', '김'), '김민준')).toBe(true);
    expect(matchesSearch(terms('민준', '김'), '김민')).toBe(true);
    expect(matchesSearch(terms('민준', '김'), '박민준')).toBe(false);
    expect(matchesSearch(terms('Ana', 'Pérez'), 'anaperez')).toBe(false);
  });
});
