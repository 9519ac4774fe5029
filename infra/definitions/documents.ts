import { FONT_FILES } from '../../functions/shared/documents/font-files.js';
import type { TableAccessDefinition } from './table-access.js';
import type { PersonalDataAccess } from './tables.js';

/**
 * The function that makes documents in the background (CONTRACT 5.5), declared once: CDK makes it with
 * its queue (infra/constructs/documents.ts); `npm start` runs the same handler in process, asynchronously.
 */
export const documentsFunction = {
  name: 'MakeDocument',
  entry: 'functions/background/make-document.ts',
  // Badges and the List of Participants print names in every script (functions/shared/documents/fonts.ts).
  files: Object.values(FONT_FILES),
  /** Lambda's longest: 20,000 badges take about a minute and a half of one vCPU (bench:documents). */
  timeoutSeconds: 900,
  /**
   * A full vCPU (pdfkit draws on the CPU); the memory itself is not needed: 20,000 badges peak well below
   * it (bench:documents measures the RSS of the process making them).
   */
  memoryMb: 1769,
  /** Reads the registrant list and makes the check-in codes (MACs), as the synchronous badges route. */
  personalData: 'mac' satisfies PersonalDataAccess,
  /**
   * Its tables (infra/definitions/table-access.ts), granted in the cloud and held to locally
   * (local/table-grants.ts): the conference and its form from the event store, the document's status
   * item (read, then updated as it goes; never put: the route that starts it does), the registrant list.
   */
  writes: false,
  tables: ['events', 'stream-state', 'personal-read-models'],
  writesTo: { 'stream-state': ['dynamodb:UpdateItem'] },
} as const;

/** Its grants are read as any function's (infra/constructs/table-grants.ts, local/table-grants.ts). */
export const documentsAccess: TableAccessDefinition & { name: string } = documentsFunction;

/**
 * A document still `running` past its deadline has failed (its function timed out or died): it must
 * start within this long of being asked for (the queue's messages are taken at once unless many
 * documents are waiting), and once started, finish within the function's timeout and a minute.
 */
export const DOCUMENT_START_WITHIN_SECONDS = 600;
export const DOCUMENT_RUN_DEADLINE_SECONDS = documentsFunction.timeoutSeconds + 60;
