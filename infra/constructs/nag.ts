import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';

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
