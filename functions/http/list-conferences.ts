import { catalogedConferences } from '../shared/event-store/catalog.js';
import { httpRoute } from '../shared/http/http.js';

export const handler = httpRoute('public', async () => ({
  status: 200,
  body: {
    conferences: (await catalogedConferences()).map(
      ({ conferenceId, name, acronym, city, country, startDate, endDate }) => ({
        conferenceId,
        name,
        acronym,
        city,
        country,
        startDate,
        endDate,
      }),
    ),
  },
}));
