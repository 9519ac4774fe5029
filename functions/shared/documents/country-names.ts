import countries from 'i18n-iso-countries/index.js';
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import type { Language } from '../../../domain/shared/languages.js';

countries.registerLocale(english);

/**
 * The name of an ISO 3166-1 alpha-2 code in one of the conference languages: in English as badges print
 * it (i18n-iso-countries' official short name), in the others as CLDR has it (Intl.DisplayNames, which
 * Node's full ICU carries: no locale data in the bundle), as a visa letter in that language prints it.
 */
export const countryName = (code: string, language: Language = 'en'): string =>
  (language === 'en'
    ? countries.getName(code, 'en', { select: 'official' })
    : new Intl.DisplayNames([language], { type: 'region' }).of(code)) ?? code;
