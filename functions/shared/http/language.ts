import Negotiator from 'negotiator';
import type { ConferenceLanguages, Language } from '../../../domain/shared/languages.js';
import { badRequest } from './errors.js';
import type { HttpRequest } from './http.js';

/**
 * The language to answer in (CONTRACT 5.4): `?lang=` when given (one of the conference's, else 400 naming
 * them), else the best of the conference's languages by `Accept-Language` and its q-values (negotiator,
 * as Express reads it), else the conference's default.
 */
export const negotiatedLanguage = (
  request: HttpRequest,
  conference: ConferenceLanguages,
  /** Across conferences (the list), a `?lang=` one of them does not offer falls back instead of failing. */
  { lenient = false } = {},
): Language => {
  const asked = request.event.queryStringParameters?.lang;
  if (asked !== undefined) {
    if ((conference.languages as readonly string[]).includes(asked)) return asked as Language;
    if (!lenient)
      throw badRequest(`The conference is offered in ${conference.languages.join(', ')}`, [
        { path: 'lang', message: `must be one of ${conference.languages.join(', ')}` },
      ]);
  }
  const acceptLanguage = request.header('accept-language');
  if (!acceptLanguage) return conference.defaultLanguage;
  // The default first: among equally acceptable languages, negotiator keeps the order given.
  const offered = [
    conference.defaultLanguage,
    ...conference.languages.filter((l) => l !== conference.defaultLanguage),
  ];
  const best = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language(offered);
  return (best as Language | undefined) ?? conference.defaultLanguage;
};

/** The headers of an answer in `language`, which depends on the request's Accept-Language. */
export const languageHeaders = (language: Language): Record<string, string> => ({
  'content-language': language,
  vary: 'Accept-Language',
});
