import {
  conferenceLanguages,
  missingTranslations,
  type Translatable,
} from '../../domain/shared/languages.js';
import { readAgenda } from '../shared/commands/agenda.js';
import { httpRoute, pathId } from '../shared/http/http.js';

/**
 * Every organizer text of the conference without its own text in one of the conference's languages
 * (CONTRACT 5.4), by language: what a translator still has to do. Reads fall back to the default for these.
 */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const { conference, sessions, awards } = await readAgenda(conferenceId);
  const languages = conferenceLanguages(conference);
  const texts: [string, Translatable | undefined][] = [
    ['name', conference.name],
    ['theme', conference.theme],
    ...sessions.flatMap((session): [string, Translatable | undefined][] => [
      [`sessions.${session.sessionId}.title`, session.title],
      [`sessions.${session.sessionId}.abstract`, session.abstract],
    ]),
    ...awards.map((award): [string, Translatable | undefined] => [
      `awards.${award.awardId}.citation`,
      award.citation,
    ]),
  ];
  const missing = missingTranslations(texts, languages);
  return {
    status: 200,
    body: {
      conferenceId,
      defaultLanguage: languages.defaultLanguage,
      languages: languages.languages,
      missing: Object.fromEntries(
        languages.languages.map((language) => [
          language,
          missing.filter((gap) => gap.language === language).map((gap) => gap.path),
        ]),
      ),
    },
    headers: { 'cache-control': 'no-cache' },
  };
});
