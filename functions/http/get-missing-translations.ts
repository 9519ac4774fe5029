import {
  conferenceLanguages,
  missingLanguages,
  missingTranslations,
  type Translatable,
} from '../../domain/shared/languages.js';
import { readAgenda } from '../shared/commands/agenda.js';
import { loadRegistrationForm } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { readRejectionMessages } from '../shared/projections/rejection-messages.js';

/**
 * Every organizer text of the conference without its own text in one of the conference's languages
 * (CONTRACT 5.4), by language: what a translator still has to do. The agenda's texts, the awards', the
 * registration form's, and the rejections' messages (`rejections.<registrationId>.message`, known by
 * their languages only: the text is sealed personal data, and gone once the registration is erased).
 * Reads fall back to the default for these.
 */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const [{ conference, sessions, awards }, form, rejections] = await Promise.all([
    readAgenda(conferenceId),
    loadRegistrationForm(conferenceId),
    readRejectionMessages(conferenceId),
  ]);
  const languages = conferenceLanguages(conference);
  const texts: [string, Translatable | undefined][] = [
    ['name', conference.name],
    ['theme', conference.theme],
    ...sessions.flatMap((session): [string, Translatable | undefined][] => [
      [`sessions.${session.sessionId}.title`, session.title],
      [`sessions.${session.sessionId}.abstract`, session.abstract],
    ]),
    // The registration form's labels, help and option labels (its version in force).
    ...(form?.fields ?? []).flatMap((field): [string, Translatable | undefined][] => [
      [`form.${field.fieldId}.label`, field.label],
      [`form.${field.fieldId}.help`, field.help],
      ...(field.options ?? []).map((option): [string, Translatable | undefined] => [
        `form.${field.fieldId}.options.${option.optionId}.label`,
        option.label,
      ]),
    ]),
    ...awards.map((award): [string, Translatable | undefined] => [
      `awards.${award.awardId}.citation`,
      award.citation,
    ]),
  ];
  const missing = [
    ...missingTranslations(texts, languages),
    ...missingLanguages(
      rejections.map(({ registrationId, languages: own }): [string, typeof own] => [
        `rejections.${registrationId}.message`,
        own,
      ]),
      languages,
    ),
  ];
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
