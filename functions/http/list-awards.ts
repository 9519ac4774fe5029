import { loadAwards } from '../shared/commands/awards.js';
import { loadConference } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  await loadConference(conferenceId);
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
        citation: granted.citation ?? null,
        sessionId: granted.sessionId ?? null,
        grantedAt: granted.grantedAt,
      })),
    },
    headers: { 'cache-control': 'no-cache' },
  };
});
