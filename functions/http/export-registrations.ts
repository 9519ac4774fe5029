import { parseRegistrantQuery, presentRegistrant } from '../../domain/projections/registrant-list.js';
import { formTextOf } from '../../domain/registration-form/form.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { loadConference, loadRegistrationForm } from '../shared/commands/conference.js';
import { withDelegationNames } from '../shared/commands/delegations.js';
import { exportFiles, fitsInline } from '../shared/exports/export-files.js';
import { registrationsCsv } from '../shared/formats/registrations-csv.js';
import { seesSensitiveAnswers } from '../shared/http/auth.js';
import { badRequest } from '../shared/http/errors.js';
import { type HttpResponse, httpRoute, pathId, requestBaseUrl } from '../shared/http/http.js';
import { allRegistrants } from '../shared/projections/registrant-list.js';

const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

export const handler = httpRoute('organizer', async (request): Promise<HttpResponse> => {
  const conferenceId = pathId(request, 'conferenceId');
  const parsed = parseRegistrantQuery(request.event.queryStringParameters ?? {}, { paged: false });
  if ('errors' in parsed) throw badRequest('The query is not valid', parsed.errors);
  const [conference, form] = await Promise.all([
    loadConference(conferenceId),
    loadRegistrationForm(conferenceId),
  ]);
  const sees = seesSensitiveAnswers(request.principal);
  const rows: ReturnType<typeof presentRegistrant>[] = [];
  for await (const row of allRegistrants(conferenceId, parsed.query.filters, { sort: parsed.query.sort }))
    rows.push(presentRegistrant(row, sees));
  // Sensitive fields get a column only for `sensitive-data`: for others they are absent, not empty.
  const columns = (form?.fields ?? [])
    .filter((field) => sees || !field.sensitive)
    .map((field) => ({
      fieldId: field.fieldId,
      label: formTextOf(field.label, conferenceLanguages(conference).defaultLanguage),
    }));
  const csv = registrationsCsv(await withDelegationNames(conferenceId, rows), columns);
  const name = `${conference.acronym.replace(/[^\w-]+/g, '') || 'conference'}-registrations.csv`;
  if (!fitsInline(csv)) {
    const location = await exportFiles().publish(
      { name, contentType: CSV_CONTENT_TYPE, body: csv, conferenceId },
      { baseUrl: requestBaseUrl(request) },
    );
    return { status: 303, headers: { location, 'cache-control': 'no-store' } };
  }
  return {
    status: 200,
    body: csv,
    headers: {
      'content-type': CSV_CONTENT_TYPE,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  };
});
