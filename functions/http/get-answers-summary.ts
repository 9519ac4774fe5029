import { toAnswersSummary } from '../../domain/projections/answers-summary.js';
import { loadRegistrationForm } from '../shared/commands/conference.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { answersSummaryProjection } from '../shared/projections/projections.js';
import { readModelItem, SUMMARY } from '../shared/projections/read-models.js';

/** CONTRACT 5.2: every field's answers counted per option (sensitive fields too: totals only). */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const form = await loadRegistrationForm(conferenceId);
  const summary = await readModelItem(answersSummaryProjection.name, conferenceId, SUMMARY);
  return {
    status: 200,
    body: toAnswersSummary(form, summary ?? {}),
    headers: { 'cache-control': 'no-cache' },
  };
});
