import { franc } from 'franc';

/** franc's ISO 639-3 code of each language the conference may speak. */
const FRANC_CODES = { ar: 'arb', en: 'eng', es: 'spa', fr: 'fra', ru: 'rus', zh: 'cmn' } as const;

/**
 * The language an outside detector (franc) reads an email's text as, among the six: judged on what the
 * email writes, not on what it quotes (links, and the values of its `Label: value` facts: names, venue,
 * ids), which are in whatever script they were given.
 */
export const detectedLanguage = (mailText: string): string | undefined => {
  const written = mailText
    .replace(/https?:\/\/\S+/g, ' ')
    .split('\n')
    .map((line) => line.match(/^(.+?): .*$/)?.[1] ?? line)
    .join('\n');
  const code = franc(written, { minLength: 10, only: Object.values(FRANC_CODES) });
  return Object.entries(FRANC_CODES).find(([, franc3]) => franc3 === code)?.[0];
};
