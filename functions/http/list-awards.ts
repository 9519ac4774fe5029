import { loadAwards } from '../shared/agenda.js';
import { httpRoute, pathId } from '../shared/http.js';
import { loadConference } from '../shared/stores.js';

export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  await loadConference(conferenceId);
  const { state } = await loadAwards(conferenceId);
  return {
    status: 200,
    body: {
      awards: state.awards.map((granted) => ({
        awardId: granted.awardId,
        award: granted.award,
        year: granted.year,
        city: granted.city,
        country: granted.country,
        citation: granted.citation ?? null,
        sessionId: granted.sessionId ?? null,
        grantedAt: granted.grantedAt,
      })),
    },
    headers: { 'cache-control': 'no-cache' },
  };
});
