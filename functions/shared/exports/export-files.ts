import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
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
 * How long a presigned link works. It is signed with the function's role credentials, so it stops working
 * earlier if they expire first (Lambda's last for hours and are refreshed before they run out; the
 * contract's 15 minutes stay well inside).
 */
export const PRESIGNED_SECONDS = 60 * 60;

/** Exports in the cloud: an object under a random key in the private bucket, and a presigned GET of it. */
export const s3ExportFiles = (bucket: string, client: S3Client): ExportFiles => ({
  async publish(file) {
    const key = `exports/${randomUUID()}/${file.name}`;
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: file.body,
        ContentType: file.contentType,
        ContentDisposition: `attachment; filename="${file.name}"`,
      }),
    );
    return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: PRESIGNED_SECONDS,
    });
  },
});

let cloud: ExportFiles | undefined;

/** The export store the runtime supplied (locally: files under DATA_DIR), else S3 in EXPORTS_BUCKET. */
export const exportFiles = (): ExportFiles =>
  adapter('exportFiles', () => {
    const bucket = process.env[env.exportsBucket];
    if (!bucket) throw new Error(`No store for large exports: set ${env.exportsBucket}, or supply one`);
    cloud ??= s3ExportFiles(bucket, new S3Client(awsClientSettings()));
    return cloud;
  });
