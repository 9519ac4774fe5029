import { describe, expect, it } from 'vitest';
import { conferenceDecider, policyOf } from '../../domain/conference/decider.js';
import { conferenceSettingsChangeSchema } from '../../domain/conference/events.js';
import {
  delegateEmail,
  delegateNoticeOf,
  reasonSelector,
} from '../../domain/notifications/delegate-email.js';
import { delegateCountsChange, evolveDelegateCountsRow } from '../../domain/projections/delegate-counts.js';
import { evolveRegistrantRow } from '../../domain/projections/registrant-list.js';
import {
  evolveWaitlistRow,
  mayFreeASeat,
  type WaitlistRow,
  waitingInOrder,
} from '../../domain/projections/waitlist.js';
import { registrationDecider } from '../../domain/registration/decider.js';
import { MAX_DECISIONS, registrationDecisionsSchema } from '../../domain/registration/decisions.js';
import { type RegistrationEvent, rejectionReasonCodes } from '../../domain/registration/events.js';
import { registrationGuards, SEAT_SHARDS, seatsGuardKey } from '../../domain/registration/invariants.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError } from '../../domain/shared/errors.js';
import { LANGUAGES, type Language, type Translatable } from '../../domain/shared/languages.js';
import { deciderSpec } from '../support/decider-spec.js';
import { delegate, iclc2015 } from './fixtures.js';

const given = deciderSpec(registrationDecider);
const now = '2015-09-01T10:00:00.000Z';
const later = '2015-09-02T10:00:00.000Z';
const personal = {
  givenName: delegate.givenName,
  familyName: delegate.familyName,
  email: delegate.email,
  city: delegate.city,
  organization: delegate.organization,
  language: 'en' as const,
  // Not named in the public List of Participants unless the delegate said so (CONTRACT 5.3).
  consentToPublish: false,
  emailKey: 'mac-of-ana',
  manageTokenHash: 'hash',
};
const admitted = {
  registrationId: 'r1',
  conferenceId: 'c1',
  country: delegate.country,
  category: delegate.category,
  registeredAt: now,
  personal,
};
const register = (
  policy: 'open' | 'moderated',
  extra: { skipModeration?: boolean; seatAvailable?: boolean } = {},
) => ({
  type: 'RegisterDelegate' as const,
  registrationId: 'r1',
  conferenceId: 'c1',
  delegate,
  emailKey: 'mac-of-ana',
  manageTokenHash: 'hash',
  seatAvailable: extra.seatAvailable ?? true,
  seatShard: 7,
  policy,
  ...(extra.skipModeration === undefined ? {} : { skipModeration: extra.skipModeration }),
  now,
});
const pending: RegistrationEvent = { type: 'RegistrationPending', data: admitted };
const approved = (status: 'registered' | 'waitlisted', seatShard?: number): RegistrationEvent => ({
  type: 'RegistrationApproved',
  data: {
    registrationId: 'r1',
    approvedAt: later,
    status,
    ...(seatShard === undefined ? {} : { seatShard }),
  },
});
const rejected = (message?: string): RegistrationEvent => ({
  type: 'RegistrationRejected',
  data: {
    registrationId: 'r1',
    rejectedAt: later,
    reasonCode: 'not-eligible',
    personal: message === undefined ? {} : { message },
    // A plain string is the text of the conference's default language (English in these commands).
    ...(message === undefined ? {} : { messageLanguages: ['en' as const] }),
  },
});

describe('The registration policy of a conference (CONTRACT 5.3)', () => {
  const conference = { ...iclc2015, conferenceId: 'c1' };
  it('is open for a category it does not name, and what it names otherwise', () => {
    expect(policyOf(conference, 'civil-society')).toBe('open');
    const moderated = {
      ...conference,
      registrationPolicy: { 'civil-society': 'moderated', mayor: 'invitation' },
    } as const;
    expect(policyOf(moderated, 'civil-society')).toBe('moderated');
    expect(policyOf(moderated, 'mayor')).toBe('invitation');
    expect(policyOf(moderated, 'academic')).toBe('open');
  });

  it('is set at creation and changed by the settings, where an unknown category or policy is refused', () => {
    const [created] = conferenceDecider.decide(
      {
        type: 'CreateConference',
        conferenceId: 'c1',
        details: { ...iclc2015, registrationPolicy: { 'civil-society': 'moderated' } },
      },
      conferenceDecider.initialState,
    );
    const state = fold(conferenceDecider, created ? [created] : []);
    expect(state.status === 'created' && policyOf(state, 'civil-society')).toBe('moderated');
    const change = { registrationPolicy: { academic: 'moderated' } };
    expect(conferenceSettingsChangeSchema.safeParse(change).success).toBe(true);
    const events = conferenceDecider.decide(
      { type: 'ChangeConferenceSettings', conferenceId: 'c1', change: change as never, now },
      state,
    );
    const after = events.reduce(conferenceDecider.evolve, state);
    // The settings take the whole map: civil-society, no longer named, is open again.
    expect(
      after.status === 'created' && [policyOf(after, 'academic'), policyOf(after, 'civil-society')],
    ).toEqual(['moderated', 'open']);
    expect(
      conferenceSettingsChangeSchema.safeParse({ registrationPolicy: { chef: 'moderated' } }).success,
    ).toBe(false);
    expect(
      conferenceSettingsChangeSchema.safeParse({ registrationPolicy: { mayor: 'approval' } }).success,
    ).toBe(false);
  });

  it('refuses a settings change that gives every category the policy it has', () => {
    const state = fold(conferenceDecider, [
      {
        type: 'ConferenceCreated',
        data: { ...iclc2015, conferenceId: 'c1', registrationPolicy: { mayor: 'moderated' } },
      },
    ]);
    expect(() =>
      conferenceDecider.decide(
        {
          type: 'ChangeConferenceSettings',
          conferenceId: 'c1',
          change: { registrationPolicy: { mayor: 'moderated', academic: 'open' } },
          now,
        },
        state,
      ),
    ).toThrow(/change nothing/);
  });
});

describe('A moderated registration', () => {
  it('is pending, holding no seat, in a moderated category', () => {
    given().when(register('moderated')).then(pending);
  });
  it('takes a seat as before in an open category, or with skipModeration', () => {
    given()
      .when(register('open'))
      .then({ type: 'DelegateRegistered', data: { ...admitted, seatShard: 7 } });
    given()
      .when(register('moderated', { skipModeration: true }))
      .then({ type: 'DelegateRegistered', data: { ...admitted, seatShard: 7 } });
  });
  it('holds its address and its limited places, but no seat and no waitlist place', () => {
    const guards = registrationGuards(
      { conferenceId: 'c1', registrationId: 'r1' },
      undefined,
      [{ type: 'RegistrationPending', data: { ...admitted, limitedOptions: ['visit/museum'] } }],
      () => 30,
    );
    expect(guards.map((guard) => guard.kind)).toEqual(['claim', 'take-option']);
  });

  describe('approved', () => {
    const approve = (seatAvailable: boolean) => ({
      type: 'ApproveRegistration' as const,
      seatAvailable,
      ...(seatAvailable ? { seatShard: 3 } : {}),
      now: later,
    });
    it('takes a seat in a shard when one is free, through the seat guard', () => {
      given(pending).when(approve(true)).then(approved('registered', 3));
      const state = fold(registrationDecider, [pending]);
      if (state.status === 'none') throw new Error('no registration');
      const guards = registrationGuards(state, '600||', [approved('registered', 3)]);
      expect(guards).toEqual([
        { kind: 'take-seat', name: 'seats', pool: seatsGuardKey('c1'), shard: 3, stamp: '600||' },
      ]);
    });
    it('joins the waitlist when every seat is held, checking every shard', () => {
      given(pending).when(approve(false)).then(approved('waitlisted'));
      const state = fold(registrationDecider, [pending]);
      if (state.status === 'none') throw new Error('no registration');
      const [guard] = registrationGuards(state, '600||', [approved('waitlisted')]);
      expect(guard).toMatchObject({ kind: 'join-waitlist', shards: SEAT_SHARDS });
    });
    it('is registered or waitlisted afterwards, and may not be decided again', () => {
      expect(fold(registrationDecider, [pending, approved('registered', 3)])).toMatchObject({
        status: 'registered',
        seatShard: 3,
        approvedAt: later,
      });
      given(pending, approved('registered', 3))
        .when(approve(true))
        .thenThrows(ConflictError, /not pending/);
      given(pending, approved('waitlisted'))
        .when({ type: 'RejectRegistration', reasonCode: 'other', defaultLanguage: 'en', now: later })
        .thenThrows(ConflictError, /not pending \(status: waitlisted\)/);
    });
    it('is refused for a registration of an open category (registered already)', () => {
      given({ type: 'DelegateRegistered', data: { ...admitted, seatShard: 1 } })
        .when(approve(true))
        .thenThrows(ConflictError, /not pending \(status: registered\)/);
    });
  });

  describe('rejected', () => {
    it('carries the reason and the message in its personal part', () => {
      given(pending)
        .when({
          type: 'RejectRegistration',
          reasonCode: 'not-eligible',
          message: 'Only cities.',
          defaultLanguage: 'en',
          now: later,
        })
        .then(rejected('Only cities.'));
      given(pending)
        .when({ type: 'RejectRegistration', reasonCode: 'not-eligible', defaultLanguage: 'en', now: later })
        .then(rejected());
    });
    it("names the message's languages in plaintext: a map's keys, a plain string the default language", () => {
      const reject = (message: Translatable, defaultLanguage: Language) =>
        registrationDecider.decide(
          { type: 'RejectRegistration', reasonCode: 'other', message, defaultLanguage, now: later },
          fold(registrationDecider, [pending]),
        );
      const [plain] = reject('Solo ciudades.', 'es');
      expect(plain?.data).toMatchObject({
        personal: { message: 'Solo ciudades.' },
        messageLanguages: ['es'],
      });
      const [map] = reject({ fr: 'Seulement des villes.', en: 'Only cities.' }, 'es');
      // In the order of the six languages, whatever the map's order.
      expect(map?.data).toMatchObject({ messageLanguages: ['en', 'fr'] });
      const [none] = registrationDecider.decide(
        { type: 'RejectRegistration', reasonCode: 'other', defaultLanguage: 'fr', now: later },
        fold(registrationDecider, [pending]),
      );
      expect(none?.data).not.toHaveProperty('messageLanguages');
    });
    it('releases the address and its limited places, and frees no seat', () => {
      const state = fold(registrationDecider, [
        { type: 'RegistrationPending', data: { ...admitted, limitedOptions: ['visit/museum'] } },
      ]);
      if (state.status === 'none') throw new Error('no registration');
      expect(registrationGuards(state, undefined, [rejected()]).map((guard) => guard.kind)).toEqual([
        'release',
        'release-option',
      ]);
    });
    it('cannot be cancelled, corrected or decided again, but can be erased', () => {
      given(pending, rejected())
        .when({ type: 'CancelRegistration', by: 'delegate', now: later })
        .thenThrows(ConflictError, /rejected/);
      given(pending, rejected())
        .when({ type: 'ApproveRegistration', seatAvailable: true, seatShard: 1, now: later })
        .thenThrows(ConflictError, /not pending/);
      given(pending, rejected())
        .when({ type: 'ErasePersonalData', by: 'organizer', now: later })
        .then({
          type: 'PersonalDataErased',
          data: { registrationId: 'r1', erasedAt: later, erasedBy: 'organizer' },
        });
    });
  });

  it('may be cancelled while pending, freeing the address and no seat', () => {
    const cancelled: RegistrationEvent = {
      type: 'RegistrationCancelled',
      data: { registrationId: 'r1', cancelledAt: later, previousStatus: 'pending', cancelledBy: 'delegate' },
    };
    given(pending).when({ type: 'CancelRegistration', by: 'delegate', now: later }).then(cancelled);
    const state = fold(registrationDecider, [pending]);
    if (state.status === 'none') throw new Error('no registration');
    expect(registrationGuards(state, undefined, [cancelled]).map((guard) => guard.kind)).toEqual(['release']);
    expect(mayFreeASeat({ type: 'RegistrationCancelled', data: cancelled.data } as never)).toBe(false);
  });

  it('is erased while pending: cancelled (no seat) and erased in one step', () => {
    given(pending)
      .when({ type: 'ErasePersonalData', by: 'delegate', now: later })
      .then(
        {
          type: 'RegistrationCancelled',
          data: {
            registrationId: 'r1',
            cancelledAt: later,
            previousStatus: 'pending',
            cancelledBy: 'delegate',
          },
        },
        { type: 'PersonalDataErased', data: { registrationId: 'r1', erasedAt: later, erasedBy: 'delegate' } },
      );
  });
});

describe('The read models of moderated registrations', () => {
  const envelope = (event: RegistrationEvent, occurredAt = now) =>
    ({ ...event, conferenceId: 'c1', streamId: 'registration-r1', occurredAt }) as never;

  it('count pending registrations apart, and rejected ones nowhere', () => {
    const row = evolveDelegateCountsRow(undefined, envelope(pending));
    expect(delegateCountsChange(undefined, row).add).toEqual({ pending: 1 });
    const approvedRow = evolveDelegateCountsRow(row, envelope(approved('registered', 1)));
    expect(delegateCountsChange(row, approvedRow).add).toEqual({
      pending: -1,
      registered: 1,
      [`country:${delegate.country}`]: 1,
      [`category:${delegate.category}`]: 1,
    });
    const rejectedRow = evolveDelegateCountsRow(row, envelope(rejected()));
    expect(delegateCountsChange(row, rejectedRow).add).toEqual({ pending: -1 });
  });

  it('list them as pending, then as decided', () => {
    const row = evolveRegistrantRow(undefined, envelope(pending));
    expect(row?.status).toBe('pending');
    expect(evolveRegistrantRow(row, envelope(rejected()))?.status).toBe('rejected');
    expect(evolveRegistrantRow(row, envelope(approved('waitlisted')))?.status).toBe('waitlisted');
  });

  it('put an approval into the waitlist behind those who waited before it was approved', () => {
    const waiting = (registrationId: string, registeredAt: string): WaitlistRow => ({
      registrationId,
      status: 'waitlisted',
      registeredAt,
      joinedWaitlist: true,
    });
    // Registered first (pending since), approved into the waitlist after `b` joined it.
    const a = evolveWaitlistRow(
      evolveWaitlistRow(
        undefined,
        envelope({ type: 'RegistrationPending', data: { ...admitted, registrationId: 'a' } }),
      ),
      envelope({
        ...approved('waitlisted'),
        data: { ...approved('waitlisted').data, registrationId: 'a', approvedAt: later },
      } as RegistrationEvent),
    );
    const b = waiting('b', '2015-09-01T12:00:00.000Z');
    expect(a).toMatchObject({ status: 'waitlisted', joinedWaitlist: true });
    expect(waitingInOrder([a as WaitlistRow, b]).map((row) => row.registrationId)).toEqual(['b', 'a']);
    expect(mayFreeASeat(envelope(approved('waitlisted')))).toBe(true);
  });
});

describe('The decisions body', () => {
  const decision = (index: number) => ({ registrationId: `r${index}`, decision: 'approve' });
  it('takes 1 to 500 decisions, each registration once', () => {
    expect(registrationDecisionsSchema.safeParse({ decisions: [decision(1)] }).success).toBe(true);
    const most = Array.from({ length: MAX_DECISIONS }, (_, index) => decision(index));
    expect(registrationDecisionsSchema.safeParse({ decisions: most }).success).toBe(true);
    expect(
      registrationDecisionsSchema.safeParse({ decisions: [...most, decision(MAX_DECISIONS)] }).success,
    ).toBe(false);
    expect(registrationDecisionsSchema.safeParse({ decisions: [] }).success).toBe(false);
    expect(registrationDecisionsSchema.safeParse({ decisions: [decision(1), decision(1)] }).success).toBe(
      false,
    );
  });
  it('needs a known reasonCode for a rejection, and none for an approval', () => {
    const parse = (item: object) => registrationDecisionsSchema.safeParse({ decisions: [item] }).success;
    expect(parse({ registrationId: 'r1', decision: 'reject' })).toBe(false);
    expect(parse({ registrationId: 'r1', decision: 'reject', reasonCode: 'rude' })).toBe(false);
    expect(
      parse({
        registrationId: 'r1',
        decision: 'reject',
        reasonCode: 'duplicate',
        message: { fr: 'Doublon' },
      }),
    ).toBe(true);
    expect(parse({ registrationId: 'r1', decision: 'approve', reasonCode: 'duplicate' })).toBe(false);
    expect(parse({ registrationId: 'r1', decision: 'maybe' })).toBe(false);
  });
});

describe('The emails of a moderated registration', () => {
  const conference = {
    ...iclc2015,
    conferenceId: 'c1',
    languages: [...LANGUAGES],
    defaultLanguage: 'en' as const,
  };
  const locale = (language: (typeof LANGUAGES)[number]) => ({
    language,
    managePage: 'https://example.org/manage',
  });
  const recipient = { registrationId: 'r1', givenName: 'Ana', familyName: 'Pérez' };

  it('tell an approval as the registration it became', () => {
    expect(delegateNoticeOf(approved('registered', 1))).toBe('registered');
    expect(delegateNoticeOf(approved('waitlisted'))).toBe('waitlisted');
    expect(delegateNoticeOf(pending)).toBe('pending');
    expect(delegateNoticeOf(rejected())).toBe('rejected');
  });

  it.each(rejectionReasonCodes)(
    'give the reason %s in each language, from its own select case',
    (reasonCode) => {
      const texts = LANGUAGES.map((language) =>
        delegateEmail('rejected', recipient, conference, locale(language), undefined, {
          reasonCode,
        }).paragraphs.join('\n'),
      );
      // Each reason has its own text in every language: a hyphenated code that missed the select would
      // fall to `other` (or throw), making two reasons read the same.
      const others = rejectionReasonCodes.filter((code) => code !== reasonCode);
      for (const [index, language] of LANGUAGES.entries())
        for (const other of others) {
          const otherText = delegateEmail('rejected', recipient, conference, locale(language), undefined, {
            reasonCode: other,
          }).paragraphs.join('\n');
          expect(texts[index], `${language}: ${reasonCode} vs ${other}`).not.toBe(otherText);
        }
      expect(reasonSelector(reasonCode)).not.toContain('-');
    },
  );

  it('give the organizers’ message in the delegate’s language, else the default one', () => {
    const message = {
      en: 'Only city delegations are admitted.',
      fr: 'Seules les délégations de villes sont admises.',
    };
    const fr = delegateEmail('rejected', recipient, conference, locale('fr'), undefined, {
      reasonCode: 'not-eligible',
      message,
    });
    expect(fr.subject).toContain('ICLC2015');
    expect(fr.paragraphs.join('\n')).toContain(message.fr);
    const es = delegateEmail('rejected', recipient, conference, locale('es'), undefined, {
      reasonCode: 'not-eligible',
      message,
    });
    expect(es.paragraphs.join('\n')).toContain(message.en);
    expect(es.paragraphs.join('\n')).not.toContain('https://example.org/manage');
  });
});
