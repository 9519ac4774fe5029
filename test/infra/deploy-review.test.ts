import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { rules } from '../../infra/definitions/rules.js';
import { env } from '../../infra/definitions/tables.js';
import { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import type { Stage } from '../../infra/stage.js';
import { buildStack, logicalId, templateOf } from './template.js';

/** The findings of a review of the synthesized templates, each pinned by the template it led to. */

/** A stack built with no notificationSender at all, as `cdk synth` with no context builds it. */
const withoutSender = (stage: Stage): LearningCitiesStack =>
  new LearningCitiesStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), `NoSender-${stage}`, {
    stage,
  });

describe('the Cognito app client', () => {
  it('has OAuth switched off unless callbacks are configured (CDK would allow implicit grants to example.com)', () => {
    const template = templateOf(buildStack('dev'));
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]?.Properties ?? {};
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.AllowedOAuthFlows).toBeUndefined();
    expect(client.AllowedOAuthScopes).toBeUndefined();
    expect(client.CallbackURLs).toBeUndefined();
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('with configured callbacks, allows only the code grant, narrow scopes and exactly those URLs', () => {
    const callback = 'https://organizers.example.org/signed-in';
    const template = templateOf(buildStack('dev', { oAuthCallbackUrls: [callback] }));
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email', 'profile']),
      CallbackURLs: [callback],
    });
    const scopes = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0]?.Properties
      .AllowedOAuthScopes as string[];
    expect(scopes.sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('refuses a callback that is not https', () => {
    expect(() => buildStack('dev', { oAuthCallbackUrls: ['http://organizers.example.org/'] })).toThrow(
      /oauthCallbackUrls/,
    );
  });
});

describe('the notification sender', () => {
  it('has no default: prod refuses to synthesize without one, and says how to give it', () => {
    expect(() => withoutSender('prod')).toThrow(/-c notificationSender=/);
  });

  it('dev synthesizes without one, says so, and grants and configures no email sending', () => {
    const stack = withoutSender('dev');
    const template = templateOf(stack);
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('notificationSender'),
    );
    expect(warnings.length).toBeGreaterThan(0);
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"ses:Send/);
    const notifier = stack.consumers.consumers.get('Notifier')?.function;
    if (!notifier) throw new Error('no Notifier function');
    const variables =
      template.findResources('AWS::Lambda::Function')[logicalId(notifier)]?.Properties.Environment.Variables;
    expect(Object.keys(variables)).not.toContain(env.notificationSender);
    expect(Object.keys(variables)).toContain(env.agendaChangesTopicArn);
  });

  it('is not set in cdk.json either (a placeholder address could never be verified)', async () => {
    const { readFile } = await import('node:fs/promises');
    const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8'));
    expect(cdkJson.context.notificationSender).toBeUndefined();
  });
});

describe.each(['dev', 'prod'] as const)('the %s stack', (stage) => {
  const stack = buildStack(stage);
  const template = templateOf(stack);

  it('caps every SQS event source mapping, the waitlist process lowest', () => {
    const byRule = new Map<string, number>();
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    // One per rule's queue, and the documents queue (capped too: test/infra/documents.test.ts).
    expect(Object.keys(mappings)).toHaveLength(rules.length + 1);
    for (const [name, consumer] of stack.consumers.consumers) {
      const mapping = Object.values(mappings).find(
        (m) =>
          JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(consumer.function) }),
      );
      const maximum = mapping?.Properties.ScalingConfig?.MaximumConcurrency;
      expect(maximum, name).toBeGreaterThanOrEqual(2);
      byRule.set(name, maximum);
    }
    const waitlist = byRule.get('WaitlistProcess') ?? Number.NaN;
    for (const [name, maximum] of byRule) {
      if (name !== 'WaitlistProcess') expect(maximum, name).toBeGreaterThan(waitlist);
    }
  });

  it('lets CloudFormation name every SNS topic, so a retained old topic never blocks a new stack', () => {
    const topics = Object.entries(template.findResources('AWS::SNS::Topic'));
    expect(topics.length).toBeGreaterThanOrEqual(2);
    for (const [id, topic] of topics) expect(topic.Properties.TopicName, id).toBeUndefined();
    for (const key of ['AgendaChangesTopicArn', 'OpsAlarmTopicArn']) {
      expect(Object.keys(template.findOutputs(key)), key).toEqual([key]);
    }
  });
});
