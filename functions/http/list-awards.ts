import { conferenceLanguages, textIn } from '../../domain/shared/languages.js';
import { loadAwards } from '../shared/commands/awards.js';
import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { languageHeaders, negotiatedLanguage } from '../shared/http/language.js';

export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const languages = conferenceLanguages(await loadConference(conferenceId));
  const language = negotiatedLanguage(request, languages);
  const state = await loadAwards(conferenceId);
  return {
    status: 200,
    body: {
      awards: state.awards.map((granted) => ({
        awardId: granted.awardId,
        award: granted.award,
        year: granted.year,
        city: granted.city,
        country: granted.country,
        citation: textIn(granted.citation, language, languages.defaultLanguage) ?? null,
        sessionId: granted.sessionId ?? null,
        grantedAt: granted.grantedAt,
      })),
    },
    headers: { 'cache-control': 'no-cache', ...languageHeaders(language) },
  };
});
