import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ANSWER_BODY_LIMIT_BYTES,
  DEFAULT_INLINE_LIMIT_BYTES,
  exportFiles,
  fitsInline,
} from '../../functions/shared/exports/export-files.js';
import { PRESIGNED_SECONDS, s3ExportFiles } from '../../functions/shared/exports/s3-export-files.js';

/** The cloud's store of large exports, its S3 calls replaced by aws-sdk-client-mock (no AWS account). */
describe('exports in S3', () => {
  it('puts the file under a random key of the bucket and answers a presigned GET of it, good for an hour', async () => {
    const client = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const s3 = mockClient(client);
    s3.on(PutObjectCommand).resolves({});
    const store = s3ExportFiles('exports-bucket', client);
    const first = await store.publish(
      {
        name: 'ICLC2015-registrations.csv',
        contentType: 'text/csv; charset=utf-8',
        body: 'a,b\r\n',
        conferenceId: 'c1',
      },
      { baseUrl: 'https://api.example.org/' },
    );
    const second = await store.publish(
      {
        name: 'ICLC2015-registrations.csv',
        contentType: 'text/csv; charset=utf-8',
        body: 'a,b\r\n',
        conferenceId: 'c1',
      },
      { baseUrl: 'https://api.example.org/' },
    );
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatchObject({
      Bucket: 'exports-bucket',
      Body: 'a,b\r\n',
      ContentType: 'text/csv; charset=utf-8',
      ContentDisposition: 'attachment; filename="ICLC2015-registrations.csv"',
    });
    // Below its conference's prefix, so that an erasure finds every export of the conference.
    expect(puts[0]?.Key).toMatch(/^exports\/c1\/[0-9a-f-]{36}\/ICLC2015-registrations\.csv$/);
    expect(puts[1]?.Key).not.toBe(puts[0]?.Key);
    const url = new URL(first);
    expect(url.hostname).toBe('exports-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe(`/${puts[0]?.Key}`);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(PRESIGNED_SECONDS);
    expect(PRESIGNED_SECONDS).toBeGreaterThanOrEqual(15 * 60);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(new URL(second).pathname).toBe(`/${puts[1]?.Key}`);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('in a function, the store of EXPORTS_BUCKET puts the file in that bucket and answers its presigned URL', async () => {
    vi.stubEnv('EXPORTS_BUCKET', 'function-exports');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    try {
      const url = await exportFiles().publish(
        {
          name: 'badges.pdf',
          contentType: 'application/pdf',
          body: Buffer.from('%PDF-1.7'),
          conferenceId: 'c1',
        },
        { baseUrl: 'https://api.example.org/' },
      );
      expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Bucket)).toEqual([
        'function-exports',
      ]);
      expect(new URL(url).hostname).toBe('function-exports.s3.eu-west-1.amazonaws.com');
    } finally {
      s3.restore();
    }
  });

  it('answers inline up to the inline limit, unless the body is over the Lambda answer limit as JSON', () => {
    vi.stubEnv('EXPORT_INLINE_LIMIT_BYTES', '1000');
    const plain = 'Perez,Ana,MX\r\n'.repeat(71); // 994 bytes, 1,138 as JSON
    expect(fitsInline(plain)).toBe(true);
    expect(fitsInline(`${plain}1234567`)).toBe(false); // 1,001 bytes
    vi.unstubAllEnvs();
    // At the real limits: a CSV of quoted names under 5 MB by itself is over 6 MB as JSON.
    const quoted = '"Name ""The Mayor"" \\ Office"\r\n'.repeat(160_000); // 4.96 MB, 6.4 MB as JSON
    expect(Buffer.byteLength(quoted)).toBeLessThan(DEFAULT_INLINE_LIMIT_BYTES);
    expect(Buffer.byteLength(JSON.stringify(quoted))).toBeGreaterThan(ANSWER_BODY_LIMIT_BYTES);
    expect(fitsInline(quoted)).toBe(false);
    const names = 'Perez,Ana,MX,Puebla\r\n'.repeat(230_000); // 4.83 MB, 5.29 MB as JSON
    expect(fitsInline(names)).toBe(true);
    // base64 (a PDF) grows by its quotes only.
    expect(fitsInline(Buffer.alloc(3_700_000).toString('base64'))).toBe(true); // 4.93 MB
  });
});
