import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  type Counters,
  type DelegateCountsRow,
  delegateCountsChange,
  evolveDelegateCountsRow,
  rejectionMessageOf,
  toDelegateCounts,
} from '../../domain/projections/delegate-counts.js';
import { missingLanguages, ownLanguages } from '../../domain/shared/languages.js';

const at = (minute: number) => new Date(Date.UTC(2015, 8, 1, 10, minute)).toISOString();

const envelope = (type: string, data: object, version: number): EventEnvelope =>
  ({
    eventId: `e${version}`,
    type,
    streamId: 'registration-r1',
    version,
    conferenceId: 'c1',
    occurredAt: at(version),
    data,
    metadata: { correlationId: 'c', schemaVersion: 1 },
  }) as EventEnvelope;

/** As the projector sees it: the personal part sealed, an opaque string. */
const admitted = (country: string, category: string) => ({
  country,
  category,
  registrationId: 'r1',
  conferenceId: 'c1',
  registeredAt: at(0),
  personal: 'pd1.1.sealed',
});

const addAll = (summary: Counters, add: Counters) => {
  for (const [name, delta] of Object.entries(add)) summary[name] = (summary[name] ?? 0) + delta;
};

/** Applies each stream's events the way the runner does: row by row, adding each change to the summary. */
const project = (streams: EventEnvelope[][]) => {
  const summary: Counters = {};
  for (const events of streams) {
    let row: DelegateCountsRow | undefined;
    for (const event of events) {
      const after = evolveDelegateCountsRow(row, event);
      addAll(summary, delegateCountsChange(row, after).add);
      row = after;
    }
  }
  return toDelegateCounts('c1', 600, summary);
};

describe('Delegate counts projection', () => {
  it('counts a registered delegate as a seat holder of their country and category', () => {
    const counts = project([[envelope('DelegateRegistered', admitted('MX', 'mayor'), 1)]]);
    expect(counts).toMatchObject({
      registered: 1,
      waitlisted: 0,
      byCountry: { MX: 1 },
      byCategory: { mayor: 1 },
    });
    expect(counts.countries).toBe(1);
  });

  it('a checked-in delegate still holds a seat and is counted as checked in', () => {
    const counts = project([
      [
        envelope('DelegateRegistered', admitted('FI', 'academic'), 1),
        envelope('DelegateCheckedIn', { registrationId: 'r1', checkedInAt: at(2) }, 2),
      ],
    ]);
    expect(counts).toMatchObject({ registered: 1, checkedIn: 1, byCountry: { FI: 1 } });
  });

  it('a cancelled seat holder leaves the seat counts and is counted as cancelled', () => {
    const counts = project([
      [
        envelope('DelegateRegistered', admitted('FI', 'academic'), 1),
        envelope('DelegateCheckedIn', { registrationId: 'r1', checkedInAt: at(2) }, 2),
        envelope(
          'RegistrationCancelled',
          {
            registrationId: 'r1',
            cancelledAt: at(3),
            previousStatus: 'checked-in',
            cancelledBy: 'organizer',
          },
          3,
        ),
      ],
    ]);
    expect(counts).toMatchObject({ registered: 0, checkedIn: 0, cancelled: 1, countries: 0, byCountry: {} });
  });

  it('an erased registration counts as cancelled and erased, and nowhere else', () => {
    const counts = project([
      [
        envelope('DelegateRegistered', admitted('FI', 'academic'), 1),
        envelope(
          'RegistrationCancelled',
          { registrationId: 'r1', cancelledAt: at(3), previousStatus: 'registered', cancelledBy: 'delegate' },
          2,
        ),
        envelope('PersonalDataErased', { registrationId: 'r1', erasedAt: at(3), erasedBy: 'delegate' }, 3),
      ],
    ]);
    expect(counts).toMatchObject({ registered: 0, waitlisted: 0, checkedIn: 0, cancelled: 1, erased: 1 });
    expect(counts.byCountry).toEqual({});
    expect(counts.byCategory).toEqual({});
  });

  it('a promoted delegate moves from the waitlist to the seats', () => {
    const counts = project([
      [
        envelope('DelegateWaitlisted', admitted('KR', 'mayor'), 1),
        envelope('WaitlistedDelegatePromoted', { registrationId: 'r1', promotedAt: at(2) }, 2),
      ],
    ]);
    expect(counts).toMatchObject({ registered: 1, waitlisted: 0, byCountry: { KR: 1 } });
  });

  it('the summary equals the counts of the final states, for any life cycles', () => {
    const lifeCycle = fc.record({
      country: fc.constantFrom('MX', 'FI', 'KR', 'GB'),
      category: fc.constantFrom('mayor', 'academic', 'media'),
      start: fc.constantFrom('DelegateRegistered', 'DelegateWaitlisted'),
      steps: fc.array(fc.constantFrom('promote', 'check-in', 'cancel', 'erase'), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(lifeCycle, { maxLength: 30 }), (cycles) => {
        const expected = { registered: 0, waitlisted: 0, cancelled: 0, checkedIn: 0, erased: 0 };
        const byCountry: Record<string, number> = {};
        const streams = cycles.map((cycle) => {
          let status = cycle.start === 'DelegateRegistered' ? 'registered' : 'waitlisted';
          const events = [envelope(cycle.start, admitted(cycle.country, cycle.category), 1)];
          for (const step of cycle.steps) {
            const version = events.length + 1;
            if (step === 'promote' && status === 'waitlisted') {
              status = 'registered';
              events.push(
                envelope(
                  'WaitlistedDelegatePromoted',
                  { registrationId: 'r1', promotedAt: at(version) },
                  version,
                ),
              );
            } else if (step === 'check-in' && status === 'registered') {
              status = 'checked-in';
              events.push(
                envelope('DelegateCheckedIn', { registrationId: 'r1', checkedInAt: at(version) }, version),
              );
            } else if (step === 'erase' && status !== 'erased') {
              if (status !== 'cancelled')
                events.push(
                  envelope(
                    'RegistrationCancelled',
                    {
                      registrationId: 'r1',
                      cancelledAt: at(version),
                      previousStatus: status,
                      cancelledBy: 'delegate',
                    },
                    version,
                  ),
                );
              events.push(
                envelope(
                  'PersonalDataErased',
                  { registrationId: 'r1', erasedAt: at(version), erasedBy: 'delegate' },
                  events.length + 1,
                ),
              );
              status = 'erased';
            } else if (step === 'cancel' && status !== 'cancelled' && status !== 'erased') {
              events.push(
                envelope(
                  'RegistrationCancelled',
                  {
                    registrationId: 'r1',
                    cancelledAt: at(version),
                    previousStatus: status,
                    cancelledBy: 'delegate',
                  },
                  version,
                ),
              );
              status = 'cancelled';
            }
          }
          if (status === 'registered' || status === 'checked-in') {
            expected.registered++;
            byCountry[cycle.country] = (byCountry[cycle.country] ?? 0) + 1;
          }
          if (status === 'checked-in') expected.checkedIn++;
          if (status === 'waitlisted') expected.waitlisted++;
          if (status === 'cancelled' || status === 'erased') expected.cancelled++;
          if (status === 'erased') expected.erased++;
          return events;
        });
        const counts = project(streams);
        expect(counts).toMatchObject(expected);
        expect(counts.byCountry).toEqual(byCountry);
        expect(counts.countries).toBe(Object.keys(byCountry).length);
      }),
    );
  });
});

describe('Rejection messages in the delegate counts (translations/missing)', () => {
  const pending = envelope('RegistrationPending', admitted('MX', 'civil-society'), 1);
  const rejected = (extra: object) =>
    envelope(
      'RegistrationRejected',
      { registrationId: 'r1', rejectedAt: at(2), reasonCode: 'other', personal: 'pd1.1.sealed', ...extra },
      2,
    );
  const rowOf = (events: EventEnvelope[]) =>
    events.reduce<DelegateCountsRow | undefined>(evolveDelegateCountsRow, undefined);

  it("keeps a rejection's message by its languages, never its text, and counts the rejection as before", () => {
    const row = rowOf([pending, rejected({ messageLanguages: ['en', 'fr'] })]);
    expect(rejectionMessageOf(row)).toEqual({ registrationId: 'r1', languages: ['en', 'fr'] });
    expect(JSON.stringify(row)).not.toContain('sealed');
    expect(delegateCountsChange(rowOf([pending]), row).add).toEqual({ pending: -1 });
  });

  it('has none for a rejection without a message, nor for one written before messageLanguages existed', () => {
    expect(rejectionMessageOf(rowOf([pending, rejected({})]))).toBeUndefined();
    expect(rejectionMessageOf(rowOf([pending]))).toBeUndefined();
  });

  it('loses the message with erasure: its text was destroyed with the data key', () => {
    const erased = envelope(
      'PersonalDataErased',
      { registrationId: 'r1', erasedAt: at(3), erasedBy: 'organizer' },
      3,
    );
    const row = rowOf([pending, rejected({ messageLanguages: ['en'] }), erased]);
    expect(row).toMatchObject({ kind: 'registration', status: 'erased' });
    expect(row).not.toHaveProperty('rejectionMessage');
    expect(rejectionMessageOf(row)).toBeUndefined();
  });

  it('lists a text known by its languages under each conference language it lacks', () => {
    const conference = { languages: ['en', 'fr', 'es'] as const, defaultLanguage: 'en' as const };
    expect(ownLanguages('Only cities.', 'es')).toEqual(['es']);
    expect(ownLanguages({ fr: 'Villes', ar: 'مدن', en: 'Cities' }, 'es')).toEqual(['ar', 'en', 'fr']);
    expect(
      missingLanguages(
        [
          ['rejections.a.message', ['en']],
          ['rejections.b.message', ['en', 'fr', 'ru']],
        ],
        conference,
      ),
    ).toEqual([
      { path: 'rejections.a.message', language: 'fr' },
      { path: 'rejections.a.message', language: 'es' },
      { path: 'rejections.b.message', language: 'es' },
    ]);
  });
});
