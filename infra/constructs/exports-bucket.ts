import { type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { corsRules } from '../definitions/cors.js';
import { type Stage, settingsOf } from '../stage.js';
import { acknowledge, policyHolder } from './nag.js';

/** Where the functions put exports (functions/shared/exports/export-files.ts). */
export const EXPORTS_PREFIX = 'exports/';

export interface ExportsBucketProps {
  stage: Stage;
  /** Origins of the API's CORS (context `allowedOrigins`): their pages may GET an export a 303 points to. */
  allowedOrigins?: readonly string[];
}

/**
 * Exports and documents too large to answer inline (CONTRACT 4.3: over 5 MB, 303 See Other): private,
 * encrypted, reachable over TLS only; the functions that write a file presign a GET of it, and every
 * object expires after a day (the link needs to work 15 minutes). They hold personal data (the CSV of
 * the registrant list), so nothing keeps them longer.
 */
export class ExportsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ExportsBucketProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        {
          id: 'ExpireExports',
          expiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Whatever is in it is gone within a day anyway; a retained bucket would keep personal data for none.
      removalPolicy: settings.removalPolicy,
      // A browser following the API's 303 to a presigned link reads the file across origins.
      ...(props.allowedOrigins?.length
        ? {
            cors: [
              {
                allowedOrigins: [...props.allowedOrigins],
                allowedMethods: [HttpMethods.GET, HttpMethods.HEAD],
                exposedHeaders: ['Content-Disposition', 'Content-Length', 'Content-Type'],
                maxAge: corsRules.maxAgeSeconds,
              },
            ],
          }
        : {}),
    });
    acknowledge(
      this.bucket,
      'S1',
      'No server access logs: each object is a one-off export under a random key, written and presigned in ' +
        'one invocation (logged) of the export or badge functions and expired after a day; an access log ' +
        'bucket would keep, for longer than the data itself, requests whose keys name a registration or ' +
        'conference (badge-<registrationId>.pdf) and the presigned links to personal data.',
    );
  }

  /**
   * Lets an erasing function delete the exports of a conference: list the bucket under `exports/` (and
   * nothing else), delete objects there. Nothing to read or write.
   */
  grantDeleteConferences(grantee: IGrantable & IConstruct): void {
    Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${EXPORTS_PREFIX}*`] } },
    });
    Grant.addToPrincipal({
      grantee,
      actions: ['s3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
    });
    const bucketId = Stack.of(this).resolve((this.bucket.node.defaultChild as CfnResource).logicalId);
    acknowledge(
      policyHolder(grantee),
      `IAM5[Resource::<${bucketId}.Arn>/${EXPORTS_PREFIX}*]`,
      'An erasure deletes every export of the conference: objects under exports/<conferenceId>/ with random keys.',
    );
  }

  /**
   * Lets a function write exports and presign their GET (a presigned URL acts with its rights): those two
   * actions on the objects under `exports/`, nothing on the bucket itself (no listing, no deleting).
   */
  grantPublish(grantee: IGrantable & IConstruct, options: { multipart?: boolean } = {}): void {
    Grant.addToPrincipal({
      grantee,
      // A multipart upload (documents of any size, streamed) may have to be given up: AbortMultipartUpload.
      actions: ['s3:PutObject', 's3:GetObject', ...(options.multipart ? ['s3:AbortMultipartUpload'] : [])],
      resourceArns: [this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
    });
    const bucketId = Stack.of(this).resolve((this.bucket.node.defaultChild as CfnResource).logicalId);
    acknowledge(
      policyHolder(grantee),
      `IAM5[Resource::<${bucketId}.Arn>/${EXPORTS_PREFIX}*]`,
      'Each export is an object under a random key of the exports bucket, unknown until it is written.',
    );
  }
}
