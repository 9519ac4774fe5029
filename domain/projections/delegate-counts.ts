import type { EventEnvelope } from '../events.js';
import { type RegistrationStatus, registrationEventTypes } from '../registration/events.js';
import type { Language } from '../shared/languages.js';

/**
 * The delegate counts of a conference (CONTRACT section 2), built from one row per stream. A row holds
 * what the counts need of its stream; its contribution to the counters is a pure function of the row,
 * so applying an event adds (contribution after − contribution before) to the conference's summary.
 */
export type DelegateCountsRow =
  | { kind: 'conference'; capacity: number }
  | {
      kind: 'registration';
      status: RegistrationStatus;
      country: string;
      category: string;
      /**
       * A rejection's message to the delegate, by the languages it has its own text in (never the text:
       * it is personal data, sealed in the event): what `translations/missing` lists. Gone with erasure.
       */
      rejectionMessage?: RejectionMessage;
    };

/** A rejection's message as the read models know it: whose, and in which languages it was written. */
export interface RejectionMessage {
  registrationId: string;
  languages: Language[];
}

export type Counters = Record<string, number>;

export interface SummaryChange {
  add: Counters;
  set: Record<string, string | number>;
}

export const delegateCountsEventTypes = [
  'ConferenceCreated',
  'ConferenceSettingsChanged',
  ...registrationEventTypes,
] as const;

export const evolveDelegateCountsRow = (
  row: DelegateCountsRow | undefined,
  event: EventEnvelope,
): DelegateCountsRow | undefined => {
  switch (event.type) {
    case 'ConferenceCreated':
      return { kind: 'conference', capacity: event.data.capacity };
    case 'ConferenceSettingsChanged':
      return row?.kind === 'conference' && event.data.capacity !== undefined
        ? { kind: 'conference', capacity: event.data.capacity }
        : row;
    case 'DelegateRegistered':
    case 'DelegateWaitlisted':
    case 'RegistrationPending':
      return {
        kind: 'registration',
        status:
          event.type === 'DelegateRegistered'
            ? 'registered'
            : event.type === 'DelegateWaitlisted'
              ? 'waitlisted'
              : 'pending',
        country: event.data.country,
        category: event.data.category,
      };
    case 'WaitlistedDelegatePromoted':
      return row?.kind === 'registration' ? { ...row, status: 'registered' } : row;
    case 'RegistrationApproved':
      return row?.kind === 'registration' ? { ...row, status: event.data.status } : row;
    case 'RegistrationRejected':
      return row?.kind === 'registration'
        ? {
            ...row,
            status: 'rejected',
            // Events written before messageLanguages existed have none: their message is not listed.
            ...(event.data.messageLanguages === undefined
              ? {}
              : {
                  rejectionMessage: {
                    registrationId: event.data.registrationId,
                    languages: event.data.messageLanguages,
                  },
                }),
          }
        : row;
    case 'DelegateCheckedIn':
      return row?.kind === 'registration' ? { ...row, status: 'checked-in' } : row;
    case 'DelegateDetailsChanged':
      return row?.kind === 'registration'
        ? {
            ...row,
            country: event.data.country ?? row.country,
            category: event.data.category ?? row.category,
          }
        : row;
    case 'RegistrationCancelled':
      return row?.kind === 'registration' && row.status !== 'erased' ? { ...row, status: 'cancelled' } : row;
    case 'PersonalDataErased': {
      if (row?.kind !== 'registration') return row;
      // The message was sealed under the registration's data key, destroyed now: nothing left to translate.
      const { rejectionMessage: _destroyed, ...kept } = row;
      return { ...kept, status: 'erased' };
    }
    default:
      return row;
  }
};

/** The rejection message a row lists as a text to translate, if any (a rejected registration's, until erased). */
export const rejectionMessageOf = (row: DelegateCountsRow | undefined): RejectionMessage | undefined =>
  row?.kind === 'registration' && row.status === 'rejected' ? row.rejectionMessage : undefined;

const countryCounter = (country: string) => `country:${country}`;
const categoryCounter = (category: string) => `category:${category}`;

const contribution = (row: DelegateCountsRow | undefined): Counters => {
  if (row?.kind !== 'registration') return {};
  switch (row.status) {
    case 'registered':
    case 'checked-in':
      return {
        registered: 1,
        ...(row.status === 'checked-in' ? { checkedIn: 1 } : {}),
        [countryCounter(row.country)]: 1,
        [categoryCounter(row.category)]: 1,
      };
    case 'waitlisted':
      return { waitlisted: 1 };
    case 'cancelled':
      return { cancelled: 1 };
    // A moderated category's registration awaiting a decision (CONTRACT 5.3); a rejected one counts nowhere.
    case 'pending':
      return { pending: 1 };
    case 'rejected':
      return {};
    // An erased registration was cancelled first (CONTRACT section 4.1): it counts in both, nowhere else.
    case 'erased':
      return { cancelled: 1, erased: 1 };
  }
};

export const delegateCountsChange = (
  before: DelegateCountsRow | undefined,
  after: DelegateCountsRow | undefined,
): SummaryChange => {
  const add: Counters = {};
  const was = contribution(before);
  const is = contribution(after);
  for (const name of new Set([...Object.keys(was), ...Object.keys(is)])) {
    const delta = (is[name] ?? 0) - (was[name] ?? 0);
    if (delta !== 0) add[name] = delta;
  }
  const set: SummaryChange['set'] = after?.kind === 'conference' ? { capacity: after.capacity } : {};
  return { add, set };
};

export interface DelegateCounts {
  conferenceId: string;
  capacity: number;
  registered: number;
  waitlisted: number;
  /** Registrations of moderated categories awaiting an organizer's decision (CONTRACT 5.3). */
  pending: number;
  cancelled: number;
  erased: number;
  checkedIn: number;
  countries: number;
  byCountry: Record<string, number>;
  byCategory: Record<string, number>;
  asOf: string | null;
}

/** The counts as the API shows them, from the summary's counters. */
export const toDelegateCounts = (
  conferenceId: string,
  capacity: number,
  summary: Record<string, unknown>,
): DelegateCounts => {
  const number = (name: string) => (typeof summary[name] === 'number' ? (summary[name] as number) : 0);
  const byPrefix = (prefix: string) =>
    Object.fromEntries(
      Object.keys(summary)
        .filter((name) => name.startsWith(prefix) && number(name) > 0)
        .sort()
        .map((name) => [name.slice(prefix.length), number(name)]),
    );
  const byCountry = byPrefix('country:');
  const byCategory = byPrefix('category:');
  return {
    conferenceId,
    capacity,
    registered: number('registered'),
    waitlisted: number('waitlisted'),
    pending: number('pending'),
    cancelled: number('cancelled'),
    erased: number('erased'),
    checkedIn: number('checkedIn'),
    countries: Object.keys(byCountry).length,
    byCountry,
    byCategory,
    asOf: typeof summary.asOf === 'string' ? summary.asOf : null,
  };
};
