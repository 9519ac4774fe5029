import countries from 'i18n-iso-countries/index.js';
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

countries.registerLocale(english);

/** The English short name of an ISO 3166-1 alpha-2 code, as printed on badges and letters. */
export const countryName = (code: string): string =>
  countries.getName(code, 'en', { select: 'official' }) ?? code;
