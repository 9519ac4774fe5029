import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/definitions/routes.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import {
  arnOf,
  buildStack,
  logicalId,
  statementsOf,
  templateOf,
  unacknowledgedFindings,
} from './template.js';

/** CONTRACT 4.3: large exports go through a private S3 bucket and presigned URLs. */
describe('exports bucket', () => {
  let stack: LearningCitiesStack;
  let template: Template;

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
  });

  it('is encrypted, private, TLS only, and keeps objects one day', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 1 })],
      },
    });
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const policy = policies.find(
      (resource) =>
        JSON.stringify(resource.Properties.Bucket) ===
        JSON.stringify({ Ref: logicalId(stack.exports.bucket) }),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('is written and read only by the routes that publish exports, emptied by those that erase, each told its name', () => {
    const bucketArn = JSON.stringify(arnOf(stack.exports.bucket));
    const statements = statementsOf(template);
    for (const route of routes) {
      const fn = stack.httpApi.functions.get(route.name);
      if (!fn?.role) throw new Error(`no role for ${route.name}`);
      const onBucket = (statements.get(logicalId(fn.role)) ?? []).filter((statement) =>
        JSON.stringify(statement.Resource).includes(bucketArn.slice(1, -1)),
      );
      const variables =
        template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties.Environment.Variables;
      if (route.publishesExports) {
        const actions = onBucket.flatMap((statement) => [statement.Action].flat());
        expect(actions.sort(), route.name).toEqual(['s3:GetObject', 's3:PutObject']);
        expect(variables?.EXPORTS_BUCKET, route.name).toEqual({ Ref: logicalId(stack.exports.bucket) });
      } else if (route.deletesExports) {
        // An erasure lists and deletes under exports/ only: it reads and writes no export.
        const actions = onBucket.flatMap((statement) => [statement.Action].flat());
        expect(actions.sort(), route.name).toEqual(['s3:DeleteObject', 's3:ListBucket']);
        const listing = onBucket.find((statement) => [statement.Action].flat().includes('s3:ListBucket'));
        expect(listing?.Condition, route.name).toEqual({ StringLike: { 's3:prefix': ['exports/*'] } });
        expect(variables?.EXPORTS_BUCKET, route.name).toEqual({ Ref: logicalId(stack.exports.bucket) });
      } else {
        expect(onBucket, route.name).toEqual([]);
        expect(variables?.EXPORTS_BUCKET, route.name).toBeUndefined();
      }
    }
    expect(routes.filter((route) => route.publishesExports).map((route) => route.name)).toContain(
      'ExportRegistrations',
    );
    expect(routes.filter((route) => route.deletesExports).map((route) => route.name)).toEqual([
      'ErasePersonalData',
    ]);
    // The retention job erases too, and deletes the same way.
    const retention = stack.scheduledJobs.functions.get('EraseExpiredPersonalData');
    if (!retention?.role) throw new Error('no retention function');
    const onBucket = (statements.get(logicalId(retention.role)) ?? []).filter((statement) =>
      JSON.stringify(statement.Resource).includes(bucketArn.slice(1, -1)),
    );
    expect(onBucket.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      's3:DeleteObject',
      's3:ListBucket',
    ]);
  });

  it('passes cdk-nag with nothing left unacknowledged', () => {
    expect(unacknowledgedFindings(stack).filter((finding) => finding.includes('/Exports/'))).toEqual([]);
  });
});
