import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { LearningCitiesStack, type LearningCitiesStackProps } from '../../infra/learning-cities-stack.js';
import type { Stage } from '../../infra/stage.js';

export const SENDER = 'no-reply@example.org';

/** A stack as `cdk synth` builds it, but without running esbuild (bundling is skipped for all stacks). */
export const buildStack = (
  stage: Stage = 'dev',
  props: Partial<Omit<LearningCitiesStackProps, 'stage'>> = {},
): LearningCitiesStack => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new LearningCitiesStack(app, `LearningCities-${stage}`, {
    stage,
    notificationSender: SENDER,
    ...props,
  });
};

/** The CloudFormation logical id of a construct's resource. */
export const logicalId = (construct: IConstruct): string => {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId) as string;
};

export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

export type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

/** Every statement of the inline policies attached to a role, by the role's logical id. */
export const statementsOf = (template: Template): Map<string, Statement[]> => {
  const byRole = new Map<string, Statement[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const role of policy.Properties.Roles as { Ref: string }[]) {
      const statements = byRole.get(role.Ref) ?? [];
      statements.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
      byRole.set(role.Ref, statements);
    }
  }
  return byRole;
};

/** The actions a role may perform on a resource (matched by its ARN), from the role's inline policies. */
export const actionsOn = (template: Template, roleLogicalId: string, resourceArn: unknown): string[] => {
  const actions = new Set<string>();
  for (const statement of statementsOf(template).get(roleLogicalId) ?? []) {
    // What a role may do: its Allow statements (a Deny takes away, e.g. the sensitive answers' context).
    if (statement.Effect !== 'Allow') continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    if (resources.some((r) => JSON.stringify(r) === JSON.stringify(resourceArn))) {
      for (const action of [statement.Action].flat()) actions.add(action);
    }
  }
  return [...actions].sort();
};

/** The cdk-nag AwsSolutions findings that are neither fixed nor acknowledged, one line each. */
export const unacknowledgedFindings = (stack: Stack): string[] =>
  new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(stack)
    .violations.filter((v) => v.severity === 'error' || v.severity === 'warning')
    .flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`));
