/**
 * The registrant list's search (CONTRACT section 4.3): `q` matches the start of any word of the given name,
 * family name or organization, or the start of the email, ignoring case and accents (`perez` finds `Pérez`,
 * `mu` finds `Müller`). Words are folded once, when a registration is projected, and queries the same way.
 * A Chinese, Japanese or Korean name is found written whole (`李明`, `김민준`), and any name by the words of
 * its Latin name (issue 19.5).
 */

import { isEastAsian } from '../shared/names.js';

/** Case and accents folded: canonical decomposition, combining marks dropped, lower-cased. */
export const foldForSearch = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .normalize('NFC')
    .toLocaleLowerCase('und');

/** The folded words of a text: runs of letters and digits (hyphens, apostrophes and spaces separate). */
export const wordsOf = (text: string): string[] => foldForSearch(text).match(/[\p{L}\p{N}]+/gu) ?? [];

export interface Searchable {
  givenName: string;
  familyName: string;
  organization?: string | null;
  email: string;
  latinName?: { givenName: string; familyName: string } | null;
}

/**
 * A Chinese, Japanese or Korean name is written whole, without a space ("李明", "김민준"): as a search
 * target it is also the family and given names joined, in both orders (issue 19.5).
 */
export const wholeNamesOf = (registration: Pick<Searchable, 'givenName' | 'familyName'>): string[] => {
  if (!isEastAsian(registration.givenName) && !isEastAsian(registration.familyName)) return [];
  const given = wordsOf(registration.givenName).join('');
  const family = wordsOf(registration.familyName).join('');
  return given && family ? [`${family}${given}`, `${given}${family}`] : [];
};

/** The words of the name a registration is searched by first: its names, whole names, and Latin name. */
export const nameTermsOf = (registration: Searchable): string[] => [
  ...wordsOf(registration.givenName),
  ...wordsOf(registration.familyName),
  ...wholeNamesOf(registration),
  ...wordsOf(registration.latinName?.givenName ?? ''),
  ...wordsOf(registration.latinName?.familyName ?? ''),
];

/** Every prefix target of a registration, unique and sorted: its words, and its email as one word. */
export const searchTermsOf = (registration: Searchable): string[] =>
  [
    ...new Set([
      ...nameTermsOf(registration),
      ...wordsOf(registration.organization ?? ''),
      foldForSearch(registration.email.trim()),
    ]),
  ].sort();

/** Every word of the query must start one of the terms: `ana pe` finds Ana Pérez, not Ana Müller. */
export const matchesSearch = (terms: readonly string[], query: string): boolean => {
  const queryWords = foldForSearch(query).split(/\s+/u).filter(Boolean);
  return queryWords.length > 0 && queryWords.every((word) => terms.some((term) => term.startsWith(word)));
};
