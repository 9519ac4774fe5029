import type { EventEnvelope } from '../events.js';
import {
  type DelegateCategory,
  delegateCategories,
  isOpenedPersonal,
  isOpenedSensitive,
  type RegistrationEvent,
  registrationEventTypes,
  SENSITIVE_TALLIES,
  type SensitivePart,
} from '../registration/events.js';
import type { Language } from '../shared/languages.js';
import { type NameOrder, nameOrderOf } from '../shared/names.js';
import { countryCode } from '../shared/values.js';
import { foldForSearch, nameTermsOf, searchTermsOf, wordsOf } from './registrant-search.js';

/**
 * The registrant list of the registration desk (CONTRACT section 4.3): one row per registration, the
 * registration as read back (plaintext: read models are deletable), and the index entries a page of the
 * list is read through. Built from opened events; an erased registration has no row.
 */

export const listedStatuses = [
  'registered',
  'waitlisted',
  'checked-in',
  'cancelled',
  'pending',
  'rejected',
] as const;
export type ListedStatus = (typeof listedStatuses)[number];

/** The registration read back (CONTRACT section 2). */
export interface RegistrantRow {
  registrationId: string;
  conferenceId: string;
  status: ListedStatus;
  givenName: string;
  familyName: string;
  email: string;
  country: string;
  city: string;
  organization: string | null;
  category: DelegateCategory;
  registeredAt: string;
  checkedInAt?: string;
  cancelledAt?: string;
  /** The form version answered and the answers (CONTRACT 5.2); the sensitive ones apart, shown by group. */
  formVersion?: number;
  answers?: Record<string, unknown>;
  sensitiveAnswers?: Record<string, unknown>;
  /** The delegate's language (a registration from before languages existed: English). */
  language: Language;
  latinName: { givenName: string; familyName: string } | null;
  /** The order the name is written in: the delegate's choice, else by its script. */
  nameOrder: NameOrder;
  /** Whether the delegate agreed to be named in the public List of Participants (CONTRACT 5.3); absent: no. */
  consentToPublish?: boolean;
  /** The delegation the registration was invited into (not personal data: a group, like the category). */
  delegationId?: string;
  /** The delegation's name: joined in when the list is read (delegationNames), never stored in the row. */
  delegationName?: string;
}

/** The sensitive answers of an opened part, without their tallies; none when sealed or erased. */
const sensitiveOf = (part: SensitivePart | undefined): Record<string, unknown> | undefined => {
  if (!isOpenedSensitive(part)) return undefined;
  const { [SENSITIVE_TALLIES]: _tallies, ...answers } = part as Record<string, unknown>;
  return Object.keys(answers).length > 0 ? answers : undefined;
};

/** A row as the list shows it: the sensitive answers among the answers only for who may see them. */
export const presentRegistrant = (row: RegistrantRow, seesSensitive: boolean) => {
  const { sensitiveAnswers, answers, ...rest } = row;
  const shown = { ...answers, ...(seesSensitive ? sensitiveAnswers : {}) };
  return { ...rest, ...(answers || (seesSensitive && sensitiveAnswers) ? { answers: shown } : {}) };
};

export const registrantListEventTypes = registrationEventTypes;

type DetailsChange = Extract<RegistrationEvent, { type: 'DelegateDetailsChanged' }>['data'];

const opened = (part: unknown): Record<string, unknown> | 'erased' => {
  if (typeof part === 'string') throw new Error('The registrant list needs events read opened, not sealed');
  if (typeof part === 'object' && part !== null && 'unavailable' in part) return 'erased';
  return part as Record<string, unknown>;
};

const withDetails = (row: RegistrantRow, data: DetailsChange): RegistrantRow | undefined => {
  const personal = opened(data.personal);
  if (personal === 'erased') return undefined;
  const text = (name: 'givenName' | 'familyName' | 'email' | 'city') =>
    typeof personal[name] === 'string' ? (personal[name] as string) : row[name];
  const organization = Object.hasOwn(personal, 'organization')
    ? typeof personal.organization === 'string' && personal.organization !== ''
      ? personal.organization
      : null
    : row.organization;
  const givenName = text('givenName');
  const familyName = text('familyName');
  // An order the delegate chose stays when the names change; one that came from the script follows them.
  const chosenBefore =
    row.nameOrder !== nameOrderOf({ givenName: row.givenName, familyName: row.familyName });
  const chosenOrder =
    (personal.nameOrder as NameOrder | undefined) ?? (chosenBefore ? row.nameOrder : undefined);
  // New answers replace the old ones whole (sensitive ones included).
  const { answers: _answers, sensitiveAnswers: _sensitive, ...unanswered } = row;
  return {
    ...(data.formVersion === undefined ? row : unanswered),
    givenName,
    familyName,
    email: text('email'),
    city: text('city'),
    organization,
    country: data.country ?? row.country,
    category: data.category ?? row.category,
    language: (personal.language as Language | undefined) ?? row.language,
    latinName: (personal.latinName as RegistrantRow['latinName'] | undefined) ?? row.latinName,
    consentToPublish:
      typeof personal.consentToPublish === 'boolean'
        ? personal.consentToPublish
        : row.consentToPublish === true,
    nameOrder: nameOrderOf({ givenName, familyName, nameOrder: chosenOrder ?? null }),
    ...(data.formVersion === undefined
      ? {}
      : answersOf(data.formVersion, personal.answers as Record<string, unknown> | undefined, data.sensitive)),
  };
};

/** The answer fields of a row: replaced whole by a registration or a correction that gave answers. */
const answersOf = (
  formVersion: number | undefined,
  answers: Record<string, unknown> | undefined,
  sensitive: SensitivePart | undefined,
): Pick<RegistrantRow, 'formVersion' | 'answers' | 'sensitiveAnswers'> => {
  const sealed = sensitiveOf(sensitive);
  return {
    ...(formVersion === undefined ? {} : { formVersion }),
    ...(answers ? { answers } : {}),
    ...(sealed ? { sensitiveAnswers: sealed } : {}),
  };
};

const admittedStatus = {
  DelegateRegistered: 'registered',
  DelegateWaitlisted: 'waitlisted',
  RegistrationPending: 'pending',
} as const satisfies Record<string, ListedStatus>;

/** The delegation an admitted event names (an invitation into a delegation), if any. */
const delegationOf = (data: object): { delegationId?: string } => {
  const { delegationId } = data as { delegationId?: unknown };
  return typeof delegationId === 'string' ? { delegationId } : {};
};

/** The row after an event; `undefined` is no row (none yet, or erased: its personal data is gone). */
export const evolveRegistrantRow = (
  row: RegistrantRow | undefined,
  event: EventEnvelope,
): RegistrantRow | undefined => {
  switch (event.type) {
    case 'DelegateDetailsChanged':
      return row && withDetails(row, event.data);
    case 'DelegateRegistered':
    case 'DelegateWaitlisted':
    case 'RegistrationPending': {
      const personal = event.data.personal;
      if (typeof personal === 'string') opened(personal);
      if (!isOpenedPersonal(personal)) return undefined;
      return {
        registrationId: event.data.registrationId,
        conferenceId: event.data.conferenceId,
        status: admittedStatus[event.type],
        givenName: personal.givenName,
        familyName: personal.familyName,
        email: personal.email,
        country: event.data.country,
        city: personal.city,
        organization: personal.organization ?? null,
        category: event.data.category,
        registeredAt: event.data.registeredAt,
        ...answersOf(event.data.formVersion, personal.answers, event.data.sensitive),
        language: personal.language ?? 'en',
        latinName: personal.latinName ?? null,
        nameOrder: nameOrderOf(personal),
        consentToPublish: personal.consentToPublish === true,
        ...delegationOf(event.data),
      };
    }
    case 'SensitiveAnswersErased': {
      if (!row) return row;
      const { sensitiveAnswers: _erased, ...kept } = row;
      return kept;
    }
    case 'WaitlistedDelegatePromoted':
      return row && { ...row, status: 'registered' };
    case 'RegistrationApproved':
      return row && { ...row, status: event.data.status };
    case 'RegistrationRejected':
      return row && { ...row, status: 'rejected' };
    case 'DelegateCheckedIn':
      return row && { ...row, status: 'checked-in', checkedInAt: event.data.checkedInAt };
    case 'RegistrationCancelled':
      return row && { ...row, status: 'cancelled', cancelledAt: event.data.cancelledAt };
    case 'PersonalDataErased':
      return undefined;
    default:
      return row;
  }
};

// ---------------------------------------------------------------------------------------------------
// Index entries: a page of the list is one Query of one index partition in sort-key order.

/**
 * A registration is listed under several index partitions ("dimensions"): `all`, its status, its country,
 * its category, and the first two letters of each of its search terms, so that a filter or a search reads
 * only the registrations that can match. One entry per dimension holds its key in both orders: the
 * registeredAt key is the table's sort key, the familyName key that of a local secondary index.
 */
export interface IndexEntry {
  dimension: string;
  sortKeys: Record<RegistrantSort, string>;
  /** What the filters not answered by the dimension look at. */
  status: ListedStatus;
  country: string;
  category: DelegateCategory;
  /** The search terms between spaces: ` ana maria perez ...`, so that ` pe` tests a word's start. */
  terms: string;
  /** The registration's delegation, when it has one (the `delegationId` filter). */
  delegationId?: string;
}

export const registrantSorts = ['registeredAt', 'familyName'] as const;
export type RegistrantSort = (typeof registrantSorts)[number];

/** Sort keys start with the sort's tag; both orders of a dimension share its partition. */
export const sortTag: Record<RegistrantSort, string> = { registeredAt: 'r|', familyName: 'f|' };

/**
 * At most this many two-letter prefixes are indexed per registration (so that every change of a row
 * fits one DynamoDB transaction of up to 100 items: (5 + 16) entries, old and new, + the participant
 * entry old and new (participantEntryOf) + the row: 45).
 * Names, organization and email of real delegates have far fewer; prefixes beyond it come from the
 * organization's later words, which then are found by a search with another word of the delegate.
 */
export const MAX_INDEXED_PREFIXES = 16;

const prefixOf = (word: string): string => Array.from(word).slice(0, 2).join('');

const sortWords = (text: string) => wordsOf(text).join(' ');

/**
 * Byte order of these keys is the list's order: folded family name, given name, then time and id. The
 * names are separated by U+0001, which sorts before the space and every letter: `celik` before `celik smith`.
 */
export const sortKeyOf = (row: RegistrantRow, sort: RegistrantSort): string =>
  sort === 'registeredAt'
    ? `${sortTag.registeredAt}${row.registeredAt}|${row.registrationId}`
    : `${sortTag.familyName}${sortWords(row.familyName)}\u0001${sortWords(row.givenName)}\u0001${row.registeredAt}|${row.registrationId}`;

/** The registration id at the end of a sort key. */
export const registrationIdOfSortKey = (sortKey: string): string =>
  sortKey.slice(sortKey.lastIndexOf('|') + 1);

/**
 * The registeredAt key of the entry a familyName key belongs to (its time and id follow the last
 * U+0001): a page read in familyName order starts after an entry named by both keys. None for a text
 * that is no familyName key.
 */
export const registeredAtKeyOfFamilyNameKey = (familyNameKey: string): string | undefined => {
  const at = familyNameKey.lastIndexOf('\u0001');
  return familyNameKey.startsWith(sortTag.familyName) && at >= 0
    ? `${sortTag.registeredAt}${familyNameKey.slice(at + 1)}`
    : undefined;
};

export const indexedPrefixesOf = (terms: readonly string[]): string[] => {
  const prefixes = new Set<string>();
  for (const term of terms) {
    if (Array.from(term).length < 2) continue;
    prefixes.add(prefixOf(term));
    if (prefixes.size === MAX_INDEXED_PREFIXES) break;
  }
  return [...prefixes];
};

/** The search terms of a row in the order their prefixes are indexed (names before organization). */
const orderedTerms = (row: RegistrantRow): string[] => {
  const first = [...nameTermsOf(row), foldForSearch(row.email.trim()), ...wordsOf(row.organization ?? '')];
  return [...new Set(first)];
};

export const indexEntriesOf = (row: RegistrantRow | undefined): IndexEntry[] => {
  if (!row) return [];
  const terms = ` ${searchTermsOf(row).join(' ')} `;
  const dimensions = [
    'all',
    `status:${row.status}`,
    `country:${row.country}`,
    `category:${row.category}`,
    ...(row.delegationId === undefined ? [] : [`delegation:${row.delegationId}`]),
    ...indexedPrefixesOf(orderedTerms(row)).map((prefix) => `q:${prefix}`),
  ];
  const sortKeys = { registeredAt: sortKeyOf(row, 'registeredAt'), familyName: sortKeyOf(row, 'familyName') };
  return dimensions.map((dimension) => ({
    dimension,
    sortKeys,
    status: row.status,
    country: row.country,
    category: row.category,
    terms,
    ...(row.delegationId === undefined ? {} : { delegationId: row.delegationId }),
  }));
};

// ---------------------------------------------------------------------------------------------------
// The public List of Participants (CONTRACT 5.3): an entry beside the row of each seat holder who consented.

/** The index partition of the participants: only the public fields of those who may be listed. */
export const PARTICIPANTS_DIMENSION = 'participants';

/** The statuses of a seat holder: only they are listed. */
const SEAT_HOLDERS: readonly ListedStatus[] = ['registered', 'checked-in'];

/** What the public list shows of a participant, and its delegation's id (its name is joined when read). */
export interface ParticipantEntry {
  sortKey: string;
  givenName: string;
  familyName: string;
  organization: string | null;
  country: string;
  delegationId?: string;
}

/** Whether a row is listed publicly: a seat holder who consented to publication. */
export const isPublishedParticipant = (row: RegistrantRow): boolean =>
  SEAT_HOLDERS.includes(row.status) && row.consentToPublish === true;

/**
 * The participant entry of a row, or none: a registration that holds no seat, did not consent (or
 * withdrew it), or was erased has none, so the entry is deleted in the same transaction as the row changes.
 */
export const participantEntryOf = (row: RegistrantRow | undefined): ParticipantEntry | undefined =>
  row && isPublishedParticipant(row)
    ? {
        sortKey: `p|${row.delegationId ?? ''}|${sortWords(row.familyName)}\u0001${sortWords(row.givenName)}\u0001${row.registrationId}`,
        givenName: row.givenName,
        familyName: row.familyName,
        organization: row.organization,
        country: row.country,
        ...(row.delegationId === undefined ? {} : { delegationId: row.delegationId }),
      }
    : undefined;

// ---------------------------------------------------------------------------------------------------
// The query: parsed from the request's parameters, planned onto one dimension.

export interface RegistrantFilters {
  statuses?: ListedStatus[];
  country?: string;
  category?: DelegateCategory;
  /** The search as sent (trimmed). */
  q?: string;
  /** Only the members of this delegation (CONTRACT 5.3, 5.5). */
  delegationId?: string;
}

export interface RegistrantQuery {
  filters: RegistrantFilters;
  sort: RegistrantSort;
  limit: number;
  cursor?: string;
}

export interface QueryError {
  path: string;
  message: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
export const MAX_SEARCH_LENGTH = 200;

const filterParameters = ['status', 'country', 'category', 'q', 'sort', 'delegationId'] as const;
/** A delegation id as the server makes them (a UUID), or one of the demo's: letters, digits, - and _. */
const DELEGATION_ID = /^[\w-]{1,64}$/;
const pageParameters = ['limit', 'cursor'] as const;

/**
 * The list's query (`paged`: with limit and cursor) or the CSV's, from the query string parameters
 * (API Gateway joins a repeated parameter with commas). Every bad or unknown parameter is named.
 */
export const parseRegistrantQuery = (
  parameters: Readonly<Record<string, string | undefined>>,
  { paged }: { paged: boolean },
): { query: RegistrantQuery } | { errors: QueryError[] } => {
  const errors: QueryError[] = [];
  const known: readonly string[] = paged ? [...filterParameters, ...pageParameters] : filterParameters;
  for (const name of Object.keys(parameters))
    if (!known.includes(name))
      errors.push({ path: name, message: `is not a parameter of this route (${known.join(', ')})` });
  const filters: RegistrantFilters = {};
  const { status, country, category, q, sort, limit, cursor, delegationId } = parameters;
  if (status !== undefined) {
    const values = status.split(',').map((value) => value.trim());
    const unknown = values.filter((value) => !(listedStatuses as readonly string[]).includes(value));
    if (unknown.length > 0 || values.length === 0)
      errors.push({
        path: 'status',
        message: `unknown status ${unknown.map((value) => JSON.stringify(value)).join(', ')}: must be comma-separated of ${listedStatuses.join(', ')}`,
      });
    else filters.statuses = [...new Set(values)] as ListedStatus[];
  }
  if (country !== undefined) {
    const parsed = countryCode.safeParse(country);
    if (parsed.success) filters.country = parsed.data;
    else
      errors.push({ path: 'country', message: parsed.error.issues[0]?.message ?? 'is not a country code' });
  }
  if (category !== undefined) {
    if ((delegateCategories as readonly string[]).includes(category))
      filters.category = category as DelegateCategory;
    else errors.push({ path: 'category', message: `must be one of ${delegateCategories.join(', ')}` });
  }
  if (q !== undefined) {
    const trimmed = q.trim();
    if (trimmed.length > MAX_SEARCH_LENGTH)
      errors.push({ path: 'q', message: `must be at most ${MAX_SEARCH_LENGTH} characters` });
    else if (trimmed !== '') filters.q = trimmed;
  }
  if (delegationId !== undefined) {
    if (DELEGATION_ID.test(delegationId)) filters.delegationId = delegationId;
    else errors.push({ path: 'delegationId', message: 'must be a delegation id' });
  }
  let parsedSort: RegistrantSort = 'registeredAt';
  if (sort !== undefined) {
    if ((registrantSorts as readonly string[]).includes(sort)) parsedSort = sort as RegistrantSort;
    else errors.push({ path: 'sort', message: `must be one of ${registrantSorts.join(', ')}` });
  }
  let parsedLimit = DEFAULT_LIMIT;
  if (limit !== undefined) {
    if (/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_LIMIT)
      parsedLimit = Number(limit);
    else errors.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_LIMIT}` });
  }
  if (cursor !== undefined && cursor === '') errors.push({ path: 'cursor', message: 'must not be empty' });
  if (errors.length > 0) return { errors };
  return {
    query: {
      filters,
      sort: parsedSort,
      limit: parsedLimit,
      ...(cursor !== undefined ? { cursor } : {}),
    },
  };
};

/** The words of a search, folded like the terms: each must start a term. */
export const searchWordsOf = (q: string | undefined): string[] =>
  q === undefined ? [] : [...new Set(foldForSearch(q).split(/\s+/u).filter(Boolean))];

/**
 * How a query is read: one dimension (the most selective the filters name: a search word's prefix, the
 * country, the category, a single status, or all), in the sort's order, with the filters that dimension
 * does not answer checked on the index entries as they are read (a FilterExpression).
 */
export interface RegistrantPlan {
  dimension: string;
  sortPrefix: string;
  statuses?: ListedStatus[];
  country?: string;
  category?: DelegateCategory;
  delegationId?: string;
  /** Each must start a word: tested as ` word` within the entry's terms. */
  words: string[];
}

export const planRegistrantQuery = (filters: RegistrantFilters, sort: RegistrantSort): RegistrantPlan => {
  const words = searchWordsOf(filters.q);
  const longest = [...words].sort((a, b) => Array.from(b).length - Array.from(a).length)[0];
  const remaining = { ...filters };
  let dimension = 'all';
  if (longest !== undefined && Array.from(longest).length >= 2) dimension = `q:${prefixOf(longest)}`;
  else if (filters.delegationId !== undefined) {
    // A delegation is a few dozen people at most: the most selective dimension but a search.
    dimension = `delegation:${filters.delegationId}`;
    delete remaining.delegationId;
  } else if (filters.country !== undefined) {
    dimension = `country:${filters.country}`;
    delete remaining.country;
  } else if (filters.category !== undefined) {
    dimension = `category:${filters.category}`;
    delete remaining.category;
  } else if (filters.statuses?.length === 1) {
    dimension = `status:${filters.statuses[0]}`;
    delete remaining.statuses;
  }
  return {
    dimension,
    sortPrefix: sortTag[sort],
    ...(remaining.statuses && remaining.statuses.length < listedStatuses.length
      ? { statuses: remaining.statuses }
      : {}),
    ...(remaining.country !== undefined ? { country: remaining.country } : {}),
    ...(remaining.category !== undefined ? { category: remaining.category } : {}),
    ...(remaining.delegationId !== undefined ? { delegationId: remaining.delegationId } : {}),
    // A word that is the dimension's prefix itself needs no test: every entry there has a term so begun.
    words: words.filter((word) => dimension !== `q:${word}`),
  };
};

/**
 * Whether an index entry passes the filters of a plan (what the FilterExpression tests). Every entry is
 * read in either order (its `sortKeys`), so the plan's order selects none.
 */
export const entryMatchesPlan = (entry: IndexEntry, plan: RegistrantPlan): boolean =>
  entry.dimension === plan.dimension &&
  (plan.statuses === undefined || plan.statuses.includes(entry.status)) &&
  (plan.country === undefined || entry.country === plan.country) &&
  (plan.category === undefined || entry.category === plan.category) &&
  (plan.delegationId === undefined || entry.delegationId === plan.delegationId) &&
  plan.words.every((word) => entry.terms.includes(` ${word}`));

/** The filters applied to a row directly: the meaning the index must reproduce. */
export const rowMatchesFilters = (row: RegistrantRow, filters: RegistrantFilters): boolean => {
  if (filters.statuses && !filters.statuses.includes(row.status)) return false;
  if (filters.country !== undefined && row.country !== filters.country) return false;
  if (filters.category !== undefined && row.category !== filters.category) return false;
  if (filters.delegationId !== undefined && row.delegationId !== filters.delegationId) return false;
  const words = searchWordsOf(filters.q);
  if (words.length === 0) return true;
  const terms = searchTermsOf(row);
  return words.every((word) => terms.some((term) => term.startsWith(word)));
};
