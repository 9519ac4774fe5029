/**
 * Names as their cultures write them (issue 19.5). Chinese, Japanese and Korean names are written family
 * name first, and without a space when both parts are in those scripts ("李明", "김민준"); Hungarian and
 * Vietnamese names are family name first too, but in Latin letters a script cannot tell them from others:
 * their holders say so with `nameOrder` (which, when given, always wins over the rule by script).
 */

export const nameOrders = ['given-family', 'family-given'] as const;
export type NameOrder = (typeof nameOrders)[number];

export interface PersonName {
  givenName: string;
  familyName: string;
  nameOrder?: NameOrder | null;
}

/** Han ideographs, kana and Hangul: the scripts whose names are written family name first, unspaced. */
const EAST_ASIAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const EAST_ASIAN_ONLY =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FB\u30FC]+$/u;

export const isEastAsian = (text: string): boolean => EAST_ASIAN.test(text);

/** The order a name is written in: the holder's choice, else family first for a Chinese, Japanese or Korean name. */
export const nameOrderOf = (name: PersonName): NameOrder =>
  name.nameOrder ??
  (isEastAsian(name.familyName) || isEastAsian(name.givenName) ? 'family-given' : 'given-family');

/** The whole name as its culture writes it: "Ana Pérez", "李明", "김민준", "Kovács János" (with family-given). */
export const fullName = (name: PersonName): string => {
  const given = name.givenName.trim();
  const family = name.familyName.trim();
  const [first, second] = nameOrderOf(name) === 'family-given' ? [family, given] : [given, family];
  const unspaced = EAST_ASIAN_ONLY.test(first) && EAST_ASIAN_ONLY.test(second);
  return unspaced ? `${first}${second}` : `${first} ${second}`;
};
