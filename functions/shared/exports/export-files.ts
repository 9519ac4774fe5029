import { env } from '../../../infra/definitions/tables.js';
import { adapter, type ExportFiles } from '../runtime/adapters.js';

/** CONTRACT 4.3: a response over 5 MB is answered 303 See Other with a link to it. */
export const DEFAULT_INLINE_LIMIT_BYTES = 5_000_000;

/**
 * The largest body answered inline: EXPORT_INLINE_LIMIT_BYTES when set (the end-to-end tests lower it to
 * try the 303 path on a few registrations), else 5 MB, within the 6 MB a Lambda answer may carry.
 */
export const inlineLimitBytes = (): number => {
  const set = Number(process.env[env.exportInlineLimit]);
  return Number.isInteger(set) && set >= 0 ? set : DEFAULT_INLINE_LIMIT_BYTES;
};

/**
 * The most a body may take in a Lambda answer, as the JSON string it is carried in: 6 MB (6,291,456
 * bytes) for the whole answer, less room for its status and headers.
 */
export const ANSWER_BODY_LIMIT_BYTES = 6_291_456 - 65_536;

/**
 * Whether a text body is answered inline: at most the inline limit (CONTRACT 4.3: 5 MB), and within the
 * Lambda answer as JSON, where every quote, backslash and line end of a CSV takes two bytes (a CSV of
 * quoted names under 5 MB can be over 6 MB there). A base64 body grows by its two quotes only.
 */
export const fitsInline = (body: string, answerLimitBytes = ANSWER_BODY_LIMIT_BYTES): boolean =>
  Buffer.byteLength(body) <= inlineLimitBytes() &&
  Buffer.byteLength(JSON.stringify(body)) <= answerLimitBytes;

/**
 * S3 in the named bucket. The S3 client loads with the first file too large to answer inline, not at
 * init: most exports are answered inline.
 */
const lazyS3ExportFiles = (bucket: string): ExportFiles => {
  let s3: Promise<ExportFiles> | undefined;
  const store = () => {
    s3 ??= import('./s3-export-files.js').then((module) => module.s3ExportFilesIn(bucket));
    return s3;
  };
  return {
    publish: async (file, request) => (await store()).publish(file, request),
    create: async (file, request) => (await store()).create(file, request),
    deleteConference: async (conferenceId) => (await store()).deleteConference(conferenceId),
  };
};

let cloud: ExportFiles | undefined;

/**
 * After an erasure: deletes the stored exports and PDFs of the conference (CONTRACT 4.1: personal data
 * gone from every copy). A function without an export store (EXPORTS_BUCKET unset, none supplied) has
 * published none, and deletes none.
 */
export const deleteConferenceExports = async (conferenceId: string): Promise<number> => {
  if (!process.env[env.exportsBucket]) {
    try {
      return await exportFiles().deleteConference(conferenceId);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('No store for large exports')) return 0;
      throw error;
    }
  }
  return exportFiles().deleteConference(conferenceId);
};

/** The export store the runtime supplied (locally: files under DATA_DIR), else S3 in EXPORTS_BUCKET. */
export const exportFiles = (): ExportFiles =>
  adapter('exportFiles', () => {
    const bucket = process.env[env.exportsBucket];
    if (!bucket) throw new Error(`No store for large exports: set ${env.exportsBucket}, or supply one`);
    cloud ??= lazyS3ExportFiles(bucket);
    return cloud;
  });
