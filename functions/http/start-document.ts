import { createHash, randomUUID } from 'node:crypto';
import { type DocumentStatus, documentRequestSchema, selectionOf } from '../../domain/documents/documents.js';
import { DOCUMENT_START_WITHIN_SECONDS } from '../../infra/definitions/documents.js';
import { loadConference } from '../shared/commands/conference.js';
import { documentJobs } from '../shared/documents/document-jobs.js';
import {
  createDocumentStatus,
  DocumentExistsError,
  updateDocumentStatus,
} from '../shared/documents/document-status.js';
import { badRequest, HttpProblem } from '../shared/http/errors.js';
import { type HttpResponse, httpRoute, parseBody, pathId, requestBaseUrl } from '../shared/http/http.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * CONTRACT 5.5: asks for a document of the whole conference (or of the list's filters), made in the
 * background: 202 with its id at once, its progress at GET .../documents/{documentId}. The same
 * Idempotency-Key with the same body names the same document (asked once); with another body, 422.
 */
export const handler = httpRoute('organizer', async (request): Promise<HttpResponse> => {
  const conferenceId = pathId(request, 'conferenceId');
  const body = parseBody(request, documentRequestSchema);
  const selected = selectionOf(body);
  if ('errors' in selected) throw badRequest('The filter is not valid', selected.errors);
  await loadConference(conferenceId);

  const key = request.header('idempotency-key');
  if (key !== undefined && (key.length < 1 || key.length > 128))
    throw badRequest('The Idempotency-Key header is not valid', [
      { path: 'Idempotency-Key', message: 'must be 1 to 128 characters' },
    ]);
  const documentId = key === undefined ? randomUUID() : sha256(`POST ${request.path}\n${key}`).slice(0, 32);
  const now = new Date();
  const status: DocumentStatus = {
    documentId,
    conferenceId,
    kind: body.kind,
    request: body,
    status: 'running',
    done: 0,
    total: 0,
    createdAt: now.toISOString(),
    deadline: new Date(now.getTime() + DOCUMENT_START_WITHIN_SECONDS * 1000).toISOString(),
  };
  const accepted: HttpResponse = {
    status: 202,
    body: { documentId },
    headers: {
      location: `/conferences/${conferenceId}/documents/${documentId}`,
      'cache-control': 'no-store',
    },
  };
  try {
    await createDocumentStatus(status, sha256(request.rawBody));
  } catch (error) {
    if (!(error instanceof DocumentExistsError)) throw error;
    if ((error as DocumentExistsError & { requestHash?: string }).requestHash !== sha256(request.rawBody))
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used with another request body',
      );
    return { ...accepted, headers: { ...accepted.headers, 'idempotent-replayed': 'true' } };
  }
  try {
    await documentJobs().start({ conferenceId, documentId, baseUrl: requestBaseUrl(request) });
  } catch (error) {
    await updateDocumentStatus(
      conferenceId,
      documentId,
      { status: 'failed', reason: 'The document could not be started' },
      new Date(),
    ).catch(() => {});
    throw error;
  }
  return accepted;
});
