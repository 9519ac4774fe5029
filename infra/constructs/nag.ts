import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag (v3) finding on one construct and its children, with the reason it is
 * acceptable. `finding` is the rule id without the pack prefix, e.g. `IAM5[Resource::*]`.
 */
export const acknowledge = (scope: IConstruct, finding: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${finding}`, reason });
};

/** The IAM5 finding for the `<table arn>/index/*` resource that a table grant adds. */
export const tableIndexesFinding = (table: ITable): string => {
  const cfnTable = table.node.defaultChild as CfnResource;
  const logicalId = Stack.of(table).resolve(cfnTable.logicalId) as string;
  return `IAM5[Resource::<${logicalId}.Arn>/index/*]`;
};

/**
 * Where a grant to `grantee` lands: its principal (a function's role), which may live in another stack
 * than the function (infra/constructs/http-api.ts keeps the routes' roles in the parent stack).
 */
export const policyHolder = (grantee: IGrantable & IConstruct): IConstruct =>
  Construct.isConstruct(grantee.grantPrincipal) ? grantee.grantPrincipal : grantee;
