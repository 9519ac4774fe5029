import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stage as CdkStage, type CfnElement, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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

type Json = unknown;
type CfnTemplate = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, Json>; DependsOn?: string | string[] }
  >;
  Parameters?: Record<string, Json>;
  Outputs?: Record<string, { Value: Json }>;
  [section: string]: Json;
};

/** The nested stacks under a stack, at any depth. */
export const nestedStacksOf = (stack: Stack): Stack[] =>
  stack.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c !== stack && c.nested);

/**
 * The synthesized templates of a stack: its own and each nested stack's (by the nested stack's logical id
 * in its parent), from one synthesis of the app.
 */
export const templatesOf = (stack: Stack): { parent: CfnTemplate; nested: Map<Stack, CfnTemplate> } => {
  const stage = CdkStage.of(stack);
  if (!stage) throw new Error('the stack is not in an app');
  const assembly = stage.synth({ force: true });
  const parent = assembly.getStackArtifact(stack.artifactId).template as CfnTemplate;
  const nested = new Map<Stack, CfnTemplate>();
  for (const child of nestedStacksOf(stack)) {
    nested.set(child, JSON.parse(readFileSync(join(assembly.directory, child.templateFile), 'utf8')));
  }
  return { parent, nested };
};

/** Replaces, anywhere in `value`, the objects `replace` returns something for. */
const rewrite = (value: Json, replace: (node: Record<string, Json>) => Json | undefined): Json => {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, replace));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, Json>;
  const replaced = replace(node);
  if (replaced !== undefined) return rewrite(replaced, replace);
  return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, rewrite(item, replace)]));
};

/**
 * The stack's template with its nested stacks' resources in it, as one flat template would have them:
 * a nested template's references to its parameters become the values its parent passes, the parent's
 * `Fn::GetAtt [nested stack, Outputs.X]` become the nested output's value, and a `DependsOn` a nested stack
 * becomes one on each of its resources. The nested stack resources stay (with their parameters). So an
 * assertion on a resource, a reference between resources or a dependency checks the same thing, wherever
 * the resource is deployed (infra/constructs/http-api.ts puts each group of routes in a nested stack).
 */
export const flatTemplateOf = (stack: Stack): CfnTemplate => {
  const { parent, nested } = templatesOf(stack);
  const merged: CfnTemplate = structuredClone(parent);
  const outputs = new Map<string, Record<string, Json>>();
  const members = new Map<string, string[]>();
  for (const [child, template] of nested) {
    const resource = (child as Stack & { nestedStackResource?: CfnResource }).nestedStackResource;
    if (!resource) throw new Error(`${child.node.path} has no nested stack resource`);
    const id = Stack.of(resource).resolve(resource.logicalId) as string;
    const parameters = (merged.Resources[id]?.Properties?.Parameters ?? {}) as Record<string, Json>;
    const resolved = rewrite(template, (node) => {
      const ref = node.Ref;
      return typeof ref === 'string' && ref in parameters ? parameters[ref] : undefined;
    }) as CfnTemplate;
    for (const [logicalId, definition] of Object.entries(resolved.Resources)) {
      if (logicalId in merged.Resources) throw new Error(`logical id ${logicalId} is in two templates`);
      merged.Resources[logicalId] = definition;
    }
    outputs.set(
      id,
      Object.fromEntries(
        Object.entries(resolved.Outputs ?? {}).map(([name, output]) => [name, output.Value]),
      ),
    );
    members.set(id, Object.keys(resolved.Resources));
  }
  const flat = rewrite(merged, (node) => {
    const getAtt = node['Fn::GetAtt'];
    if (!Array.isArray(getAtt)) return undefined;
    const [id, attribute] = getAtt as [string, string];
    if (!outputs.has(id) || !attribute.startsWith('Outputs.')) return undefined;
    const value = outputs.get(id)?.[attribute.slice('Outputs.'.length)];
    if (value === undefined) throw new Error(`no output ${attribute} in nested stack ${id}`);
    return value;
  }) as CfnTemplate;
  for (const resource of Object.values(flat.Resources)) {
    if (resource.DependsOn === undefined) continue;
    const on = [resource.DependsOn].flat();
    resource.DependsOn = [...new Set(on.flatMap((id) => [id, ...(members.get(id) ?? [])]))].sort();
  }
  return flat;
};

/**
 * `Template.fromStack` for a stack with nested stacks: the assertions' Template over `flatTemplateOf`, so
 * that every resource of the stack is found, in its own or a nested template.
 */
export const templateOf = (stack: Stack): Template => Template.fromJSON(flatTemplateOf(stack));

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
