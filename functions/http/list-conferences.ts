import { conferenceNameIn } from '../../domain/conference/decider.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { catalogedConferences } from '../shared/event-store/catalog.js';
import { httpRoute } from '../shared/http/http.js';
import { negotiatedLanguage } from '../shared/http/language.js';

/** Each conference's name in the best of its own languages for the request (CONTRACT 5.4). */
export const handler = httpRoute('public', async (request) => ({
  status: 200,
  body: {
    conferences: (await catalogedConferences()).map((conference) => {
      const { conferenceId, acronym, city, country, startDate, endDate } = conference;
      const language = negotiatedLanguage(request, conferenceLanguages(conference), { lenient: true });
      return {
        conferenceId,
        name: conferenceNameIn(conference, language),
        acronym,
        city,
        country,
        startDate,
        endDate,
      };
    }),
  },
  headers: { vary: 'Accept-Language' },
}));
