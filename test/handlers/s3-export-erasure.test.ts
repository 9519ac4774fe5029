import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conferenceExportsPrefix, s3ExportFiles } from '../../functions/shared/exports/s3-export-files.js';
import { findFreePort } from '../../local/ports.js';

/**
 * The cloud's export store deletes every export of a conference on an erasure, against moto_server (an
 * S3 that lists and deletes as S3 does; on the machine image, not an npm package). Without moto_server on
 * PATH the test says so and is skipped.
 */
const moto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
if (!moto) console.warn('moto_server is not on PATH: the S3 erasure of exports is not tried here');

describe.skipIf(!moto)('exports in S3, deleted by conference', () => {
  let server: ChildProcess | undefined;
  let client: S3Client;
  const bucket = 'exports-bucket';

  beforeAll(async () => {
    const port = await findFreePort();
    server = spawn('moto_server', ['-p', String(port), '-H', '127.0.0.1'], { stdio: 'ignore' });
    client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        break;
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, 30_000);

  afterAll(() => {
    client?.destroy();
    server?.kill('SIGTERM');
  });

  const keysUnder = async (prefix: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(
      (object) => object.Key,
    );

  it('deletes the exports of the erased registration’s conference, across list pages, and no others', async () => {
    const store = s3ExportFiles(bucket, client);
    const request = { baseUrl: 'https://api.example.org/' };
    const file = (conferenceId: string, name: string) => ({
      name,
      contentType: 'text/csv',
      body: 'Perez,Ana\r\n',
      conferenceId,
    });
    for (let i = 0; i < 3; i++) await store.publish(file('conference-a', `a-${i}.csv`), request);
    const kept = await store.publish(file('conference-b', 'b.csv'), request);
    expect(await keysUnder(conferenceExportsPrefix('conference-a'))).toHaveLength(3);

    expect(await store.deleteConference('conference-a')).toBe(3);
    expect(await keysUnder(conferenceExportsPrefix('conference-a'))).toEqual([]);
    const left = await keysUnder('exports/');
    expect(left).toHaveLength(1);
    expect(`/${bucket}/${left[0]}`).toBe(new URL(kept).pathname);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: left[0] }));
    expect(await object.Body?.transformToString()).toBe('Perez,Ana\r\n');
    // Nothing left to delete: idempotent.
    expect(await store.deleteConference('conference-a')).toBe(0);
  }, 30_000);
});
