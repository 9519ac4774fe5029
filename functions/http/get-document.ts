import { documentView } from '../../domain/documents/documents.js';
import { readDocumentStatus } from '../shared/documents/document-status.js';
import { notFound } from '../shared/http/errors.js';
import { httpRoute, pathId } from '../shared/http/http.js';

/** CONTRACT 5.5: a background document's status and progress, and its link once done. */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const documentId = pathId(request, 'documentId');
  const stored = await readDocumentStatus(conferenceId, documentId);
  if (!stored) throw notFound('No such document');
  return { status: 200, body: documentView(stored, new Date()), headers: { 'cache-control': 'no-store' } };
});
