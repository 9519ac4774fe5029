import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsClientSettings } from '../resilience/aws-clients.js';
import type { ExportFiles } from '../runtime/adapters.js';

/**
 * How long a presigned link works. It is signed with the function's role credentials, so it stops working
 * earlier if they expire first (Lambda's last for hours and are refreshed before they run out; the
 * contract's 15 minutes stay well inside).
 */
export const PRESIGNED_SECONDS = 60 * 60;

/** Where the exports of a conference are: one prefix, so that an erasure finds them all. */
export const conferenceExportsPrefix = (conferenceId: string) => `exports/${conferenceId}/`;

/**
 * Exports in the cloud: an object under a random key, below its conference's prefix, in the private
 * bucket, and a presigned GET of it.
 */
export const s3ExportFiles = (bucket: string, client: S3Client): ExportFiles => ({
  async publish(file) {
    const key = `${conferenceExportsPrefix(file.conferenceId)}${randomUUID()}/${file.name}`;
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

  async deleteConference(conferenceId) {
    let deleted = 0;
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: conferenceExportsPrefix(conferenceId),
          ContinuationToken,
        }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const result = await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        if (result.Errors?.length)
          throw new Error(
            `Deleting the exports of conference ${conferenceId}: ${result.Errors.length} objects not deleted (${result.Errors[0]?.Code})`,
          );
        deleted += keys.length;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return deleted;
  },

  /**
   * A multipart upload fed by a stream (lib-storage): parts of 8 MB, two in flight, so a document of
   * any size takes about 16 MB of buffers here, and the body's backpressure holds its writer back.
   */
  async create(file) {
    const key = `${conferenceExportsPrefix(file.conferenceId)}${randomUUID()}/${file.name}`;
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    const upload = new Upload({
      client,
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
      params: {
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: file.contentType,
        ContentDisposition: `attachment; filename="${file.name}"`,
      },
    });
    const stored = upload.done();
    // Until finish() awaits it, a failed upload must not be an unhandled rejection.
    stored.catch(() => {});
    return {
      body,
      async finish() {
        body.end();
        await stored;
        const location = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: PRESIGNED_SECONDS,
        });
        return { location, expiresAt: new Date(Date.now() + PRESIGNED_SECONDS * 1000) };
      },
      async abort() {
        body.destroy();
        await upload.abort().catch(() => {});
      },
    };
  },
});

/** The S3 export store of a bucket, with a client of its own. */
export const s3ExportFilesIn = (bucket: string): ExportFiles =>
  s3ExportFiles(bucket, new S3Client(awsClientSettings()));
