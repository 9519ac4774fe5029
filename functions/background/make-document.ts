import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  byDelegationThenName,
  type DocumentRow,
  type DocumentStatus,
  inDelegation,
  type Participant,
  participantOf,
  progressStep,
  publishable,
  selectionOf,
} from '../../domain/documents/documents.js';
import type { RegistrantSort } from '../../domain/projections/registrant-list.js';
import { formTextOf } from '../../domain/registration-form/form.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { DOCUMENT_RUN_DEADLINE_SECONDS } from '../../infra/definitions/documents.js';
import { loadConference, loadRegistrationForm } from '../shared/commands/conference.js';
import { withDelegationNames } from '../shared/commands/delegations.js';
import {
  type BadgeHolder,
  badgeConference,
  badgeOf,
  isSeatHolder,
} from '../shared/documents/badge-documents.js';
import { badgesPdfOptions, drawBadge, drawNoBadges } from '../shared/documents/badges.js';
import {
  DocumentNotRunningError,
  readDocumentStatus,
  updateDocumentStatus,
} from '../shared/documents/document-status.js';
import { documentFonts } from '../shared/documents/fonts.js';
import { participantsListPdfOptions, participantsListWriter } from '../shared/documents/participants-list.js';
import { openPdf } from '../shared/documents/pdf.js';
import { exportFiles } from '../shared/exports/export-files.js';
import { csvRecordOf, registrationsCsvStream } from '../shared/formats/registrations-csv.js';
import {
  matchingRegistrationIds,
  type RegistrantListSource,
  registrantListSource,
  registrantRowsOf,
} from '../shared/projections/registrant-list.js';
import { withFreshRetries, withinBudget } from '../shared/resilience/policy.js';
import type { DocumentJob, ExportUpload } from '../shared/runtime/adapters.js';
import { logger } from '../shared/runtime/observability.js';

/**
 * CONTRACT 5.5: makes one document in the background, for any size. The registrations are counted from
 * the registrant list's index first (`total`), then read in chunks, drawn or written as they come and
 * streamed to the export store (an S3 multipart upload in the cloud): the file is never whole in memory.
 * Progress is written every `progressStep(total)` items. Any failure marks the document `failed` with
 * its reason; a function that dies or times out leaves it `running` past its deadline, which readers
 * report as failed.
 */

/** Registrations read at once (BatchGetItems of 100, four at a time). */
const CHUNK = 400;
/** Check-in codes made at once (each one a MAC by the key service), as the synchronous badges route. */
const CODES_AT_ONCE = 20;
/** Stop this long before the function's timeout, to record the failure instead of vanishing. */
const STOP_BEFORE_TIMEOUT_MS = 20_000;

const fileNameOf = (status: DocumentStatus, acronym: string): string => {
  const base = acronym.replace(/[^\w-]+/g, '') || 'conference';
  switch (status.kind) {
    case 'badges':
      return `badges-${base}.pdf`;
    case 'registrations-csv':
      return `${base}-registrations.csv`;
    case 'participants-list':
      return `${base}-list-of-participants.pdf`;
  }
};

/** Waits while the sink is full, so a fast writer never piles the document up in memory. */
const drained = async (source: Readable, sink: Writable): Promise<void> => {
  while (sink.writableNeedDrain || source.readableLength > 4 * source.readableHighWaterMark) {
    if (sink.writableNeedDrain) await once(sink, 'drain');
    else await new Promise((resolve) => setImmediate(resolve));
  }
};

interface Run {
  status: DocumentStatus;
  source: RegistrantListSource;
  /** Throws once the function has too little time left. */
  checkTime(): void;
  progress(done: number): Promise<void>;
  /** Records the total and sets how often progress is written. */
  counted(total: number): Promise<void>;
}

const inChunks = async function* (ids: readonly string[], run: Run, conferenceId: string) {
  for (let start = 0; start < ids.length; start += CHUNK) {
    run.checkTime();
    yield await withFreshRetries(() =>
      registrantRowsOf(conferenceId, ids.slice(start, start + CHUNK), run.source),
    );
  }
};

const writeBadges = async (run: Run, ids: readonly string[], upload: ExportUpload): Promise<number> => {
  const conference = badgeConference(await loadConference(run.status.conferenceId));
  const pdf = openPdf(badgesPdfOptions(conference, documentFonts()));
  const written = pipeline(pdf, upload.body);
  written.catch(() => {});
  let done = 0;
  for await (const rows of inChunks(ids, run, run.status.conferenceId)) {
    // A registration cancelled since it was counted has no badge any more.
    const holders: BadgeHolder[] = rows.filter((row) => isSeatHolder(row.status));
    for (let i = 0; i < holders.length; i += CODES_AT_ONCE) {
      const badges = await withFreshRetries(() =>
        Promise.all(holders.slice(i, i + CODES_AT_ONCE).map(badgeOf)),
      );
      for (const badge of badges) drawBadge(pdf, conference, badge);
      done += badges.length;
      await run.progress(done);
      await drained(pdf, upload.body);
    }
  }
  if (done === 0) drawNoBadges(pdf);
  pdf.end();
  await written;
  return done;
};

const writeCsv = async (run: Run, ids: readonly string[], upload: ExportUpload): Promise<number> => {
  // The answers of the form's newest version, as the CSV route has them for an organizer without the group
  // sensitive-data: the background knows no group, so sensitive answers are never in a document.
  const [conference, form] = await Promise.all([
    loadConference(run.status.conferenceId),
    loadRegistrationForm(run.status.conferenceId),
  ]);
  const { defaultLanguage } = conferenceLanguages(conference);
  const columns = (form?.fields ?? [])
    .filter((field) => !field.sensitive)
    .map((field) => ({ fieldId: field.fieldId, label: formTextOf(field.label, defaultLanguage) }));
  const csv = registrationsCsvStream(columns);
  const written = pipeline(csv, upload.body);
  written.catch(() => {});
  let done = 0;
  for await (const rows of inChunks(ids, run, run.status.conferenceId)) {
    // The delegation's name beside its id, as in the CSV route's rows (CONTRACT 5.5: "as 4.3's CSV").
    for (const row of await withDelegationNames(run.status.conferenceId, rows as DocumentRow[])) {
      if (!csv.write(csvRecordOf(row, columns))) await once(csv, 'drain');
      done += 1;
    }
    await run.progress(done);
  }
  csv.end();
  await written;
  return done;
};

const writeParticipants = async (
  run: Run,
  participants: readonly Participant[],
  upload: ExportUpload,
): Promise<number> => {
  const conference = badgeConference(await loadConference(run.status.conferenceId));
  const pdf = openPdf(participantsListPdfOptions(conference, documentFonts()));
  const written = pipeline(pdf, upload.body);
  written.catch(() => {});
  const writer = participantsListWriter(pdf, conference);
  let done = 0;
  for (const participant of participants) {
    writer.participant(participant);
    done += 1;
    if (done % CHUNK === 0) {
      run.checkTime();
      await run.progress(done);
      await drained(pdf, upload.body);
    }
  }
  writer.end();
  pdf.end();
  await written;
  return done;
};

/** Makes the document of a running status; resolves to how many items it holds. */
const produce = async (run: Run, baseUrl: string): Promise<{ done: number; upload: ExportUpload }> => {
  const { status } = run;
  run.checkTime();
  const parsed = selectionOf(status.request);
  if ('errors' in parsed) throw new Error(`The filter is not valid: ${JSON.stringify(parsed.errors)}`);
  const { filters, delegationId } = parsed.selection;
  const sort: RegistrantSort = status.kind === 'participants-list' ? 'familyName' : 'registeredAt';
  const conference = await loadConference(status.conferenceId);
  let ids = await withFreshRetries(() =>
    matchingRegistrationIds(status.conferenceId, filters, sort, run.source),
  );
  // What the index cannot answer is read from the rows: a delegation, the consent to be listed.
  let participants: Participant[] = [];
  if (delegationId !== undefined || status.kind === 'participants-list') {
    const kept: string[] = [];
    // The delegation's name beside its id: the List of Participants prints it (CONTRACT 5.5).
    for await (const rows of inChunks(ids, run, status.conferenceId))
      for (const row of await withDelegationNames(status.conferenceId, rows as DocumentRow[])) {
        if (!inDelegation(row, delegationId)) continue;
        if (status.kind === 'participants-list') {
          if (publishable(row)) participants.push(participantOf(row));
        } else kept.push(row.registrationId);
      }
    ids = kept;
    participants = participants.sort(byDelegationThenName);
  }
  const total = status.kind === 'participants-list' ? participants.length : ids.length;
  await run.counted(total);
  const upload = await exportFiles().create(
    {
      name: fileNameOf(status, conference.acronym),
      conferenceId: status.conferenceId,
      contentType:
        status.kind === 'registrations-csv' ? 'text/csv; charset=utf-8; header=present' : 'application/pdf',
    },
    { baseUrl },
  );
  try {
    const done =
      status.kind === 'badges'
        ? await writeBadges(run, ids, upload)
        : status.kind === 'registrations-csv'
          ? await writeCsv(run, ids, upload)
          : await writeParticipants(run, participants, upload);
    return { done, upload };
  } catch (error) {
    await upload.abort();
    throw error;
  }
};

const reasonOf = (error: unknown): string =>
  `The document could not be made: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500);

/** Makes the document a job names, recording its progress and its end (done or failed). */
export const makeDocument = async (job: DocumentJob, remainingMs: () => number): Promise<void> => {
  const status = await readDocumentStatus(job.conferenceId, job.documentId);
  // Made already (a message delivered again), failed, or never asked for: nothing to do.
  if (status?.status !== 'running') return;
  const { conferenceId, documentId } = status;
  logger.appendKeys({ conferenceId, documentId, kind: status.kind });
  const step = { next: 0, every: 1 };
  const run: Run = {
    status,
    source: await registrantListSource(),
    checkTime() {
      if (remainingMs() < STOP_BEFORE_TIMEOUT_MS)
        throw new Error('the function ran out of time before the document was finished');
    },
    async counted(total) {
      step.every = progressStep(total);
      step.next = step.every;
      await updateDocumentStatus(conferenceId, documentId, { total }, new Date());
    },
    async progress(done) {
      if (done < step.next) return;
      step.next = done + step.every;
      await updateDocumentStatus(conferenceId, documentId, { done }, new Date());
    },
  };
  try {
    // Started: from now on, the function's own timeout bounds it (the status read past it says failed).
    const deadline = new Date(
      Date.now() + Math.min(remainingMs(), DOCUMENT_RUN_DEADLINE_SECONDS * 1000) + 60_000,
    );
    await updateDocumentStatus(conferenceId, documentId, { deadline: deadline.toISOString() }, new Date());
    const { done, upload } = await produce(run, job.baseUrl);
    const finished = await upload.finish();
    await updateDocumentStatus(
      conferenceId,
      documentId,
      {
        status: 'done',
        done,
        total: done,
        location: finished.location,
        expiresAt: finished.expiresAt.toISOString(),
      },
      new Date(),
    );
    logger.info('Document made', { items: done });
  } catch (error) {
    if (error instanceof DocumentNotRunningError) {
      logger.warn('Document no longer running (timed out or made elsewhere): stopped', { error });
      return;
    }
    logger.error('Document failed', { error });
    await updateDocumentStatus(
      conferenceId,
      documentId,
      { status: 'failed', reason: reasonOf(error) },
      new Date(),
    ).catch((recording: unknown) => {
      if (!(recording instanceof DocumentNotRunningError)) throw recording;
    });
  }
};

/** The documents queue's function: one message, one document (batch size 1). */
export const handler = middy<SQSEvent, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    for (const record of event.Records) {
      const job = JSON.parse(record.body) as DocumentJob;
      await withinBudget(context, () => makeDocument(job, () => context.getRemainingTimeInMillis()));
    }
  });
