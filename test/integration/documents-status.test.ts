import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentStatus } from '../../domain/documents/documents.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';

/**
 * The status item of a background document on DynamoDB Local (CONTRACT 5.5): a document whose function
 * stopped without a word reads as failed once past its deadline, and nothing can bring it back to life.
 */
let environment: HandlerEnvironment;
let getDocument: Handler;
let store: typeof import('../../functions/shared/documents/document-status.js');
let makeDocument: typeof import('../../functions/background/make-document.js')['makeDocument'];

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('documents-status', { logLevel: 'CRITICAL' });
  getDocument = await importHandler('functions/http/get-document.ts');
  store = await import('../../functions/shared/documents/document-status.js');
  ({ makeDocument } = await import('../../functions/background/make-document.js'));
});
afterAll(() => environment?.dispose());

const status = (overrides: Partial<DocumentStatus> = {}): DocumentStatus => ({
  documentId: `doc-${Math.random().toString(36).slice(2)}`,
  conferenceId: 'conference-1',
  kind: 'badges',
  request: { kind: 'badges' },
  status: 'running',
  done: 0,
  total: 0,
  createdAt: new Date().toISOString(),
  deadline: new Date(Date.now() + 60_000).toISOString(),
  ...overrides,
});

const read = async (document: DocumentStatus) => {
  const result = await getDocument(
    httpEvent('GET', `/conferences/${document.conferenceId}/documents/${document.documentId}`, {
      pathParameters: { conferenceId: document.conferenceId, documentId: document.documentId },
      headers: { authorization: `Bearer ${environment.organizerToken}` },
    }),
    lambdaContext('GetDocument'),
  );
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
};

describe('a background document’s status', () => {
  it('reads as failed once its deadline has passed, and takes no progress or end after it', async () => {
    const document = status({ deadline: new Date(Date.now() - 1_000).toISOString(), done: 10, total: 50 });
    await store.createDocumentStatus(document, 'hash');
    expect(await read(document)).toMatchObject({
      status: 200,
      body: { status: 'failed', done: 10, total: 50, reason: expect.stringMatching(/timed out/) },
    });
    await expect(
      store.updateDocumentStatus(document.conferenceId, document.documentId, { status: 'done' }, new Date()),
    ).rejects.toBeInstanceOf(store.DocumentNotRunningError);
    expect((await read(document)).body.status).toBe('failed');
  });

  it('ends failed with the reason when its function fails (here: its conference does not exist)', async () => {
    const document = status({ conferenceId: 'no-such-conference' });
    await store.createDocumentStatus(document, 'hash');
    await makeDocument(
      { conferenceId: document.conferenceId, documentId: document.documentId, baseUrl: 'http://127.0.0.1/' },
      () => 600_000,
    );
    expect((await read(document)).body).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/could not be made/),
    });
  });

  it('stops, failed, when its function has too little time left, before its deadline', async () => {
    const document = status();
    await store.createDocumentStatus(document, 'hash');
    await makeDocument(
      { conferenceId: document.conferenceId, documentId: document.documentId, baseUrl: 'http://127.0.0.1/' },
      () => 1_000,
    );
    expect((await read(document)).body).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/ran out of time/),
    });
  });

  it('answers 404 for a document that does not exist, and refuses a second item of the same id', async () => {
    const document = status();
    expect((await read(document)).status).toBe(404);
    await store.createDocumentStatus(document, 'first');
    await expect(
      store.createDocumentStatus({ ...document, kind: 'registrations-csv' }, 'second'),
    ).rejects.toMatchObject({
      requestHash: 'first',
      stored: { kind: 'badges' },
    });
  });
});
