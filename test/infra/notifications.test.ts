import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import { env, SES_SEND_RATE } from '../../infra/definitions/tables.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import {
  actionsOn,
  buildStack,
  logicalId,
  SENDER,
  type Statement,
  statementsOf,
  templateOf,
} from './template.js';

/** The logical ids of the roles with a statement that allows one of the actions (prefix match with `*`). */
const rolesAllowing = (template: Template, wanted: (action: string) => boolean): string[] =>
  [...statementsOf(template)]
    .filter(([, statements]) =>
      statements.some((s: Statement) => s.Effect === 'Allow' && [s.Action].flat().some(wanted)),
    )
    .map(([role]) => role)
    .sort();

describe('notifications (the Notifier rule declares send-email and publish-agenda-changes)', () => {
  let stack: LearningCitiesStack;
  let template: Template;
  let notifierRole: string;
  let others: string[];
  /** The routes that mail a secret themselves (CONTRACT 5.1: confirmation and manage links). */
  let mailingRoutes: string[];

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
    const notifier = stack.consumers.consumers.get('Notifier')?.function;
    if (!notifier?.role) throw new Error('no Notifier function');
    notifierRole = logicalId(notifier.role);
    mailingRoutes = routes
      .filter((route) => route.sendsEmail)
      .map((route) => {
        const role = stack.httpApi.functions.get(route.name)?.role;
        if (!role) throw new Error(`no role for ${route.name}`);
        return logicalId(role);
      });
    others = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id !== notifierRole);
  });

  it('declares the effects on the Notifier rule and on no other', () => {
    expect(rules.filter((rule) => rule.effects?.length).map((rule) => rule.name)).toEqual(['Notifier']);
    expect(rules.find((rule) => rule.name === 'Notifier')?.effects?.sort()).toEqual([
      'publish-agenda-changes',
      'send-email',
    ]);
  });

  it('has an agenda changes topic encrypted with a rotated key and reachable over TLS only', () => {
    const topic = stack.notifications.agendaChangesTopic;
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.notifications.topicKey), 'Arn'] },
    });
    expect(
      template.findResources('AWS::KMS::Key')[logicalId(stack.notifications.topicKey)]?.Properties
        .EnableKeyRotation,
    ).toBe(true);
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter((policy) =>
      (policy.Properties.Topics as unknown[]).some(
        (t) => JSON.stringify(t) === JSON.stringify({ Ref: logicalId(topic) }),
      ),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('creates an SES email identity for the sender address from context', () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: SENDER });
  });

  it('lets the Notifier send email as that identity and publish to that topic, and configures both', () => {
    const identityArn = stack.resolve(stack.notifications.senderIdentity?.emailIdentityArn);
    expect(actionsOn(template, notifierRole, identityArn)).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(
      actionsOn(template, notifierRole, { Ref: logicalId(stack.notifications.agendaChangesTopic) }),
    ).toEqual(['sns:Publish']);
    expect(
      actionsOn(template, notifierRole, { 'Fn::GetAtt': [logicalId(stack.notifications.topicKey), 'Arn'] }),
    ).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    const notifier = stack.consumers.consumers.get('Notifier')?.function;
    if (!notifier) throw new Error('no Notifier function');
    expect(
      template.findResources('AWS::Lambda::Function')[logicalId(notifier)]?.Properties.Environment.Variables,
    ).toMatchObject({
      [env.notificationSender]: SENDER,
      [env.agendaChangesTopicArn]: { Ref: logicalId(stack.notifications.agendaChangesTopic) },
    });
  });

  it('gives no other role any SES, SNS or topic key permission', () => {
    expect(mailingRoutes).toHaveLength(2);
    expect(rolesAllowing(template, (action) => action.startsWith('ses:'))).toEqual(
      [notifierRole, ...mailingRoutes].sort(),
    );
    const identityArn = stack.resolve(stack.notifications.senderIdentity?.emailIdentityArn);
    for (const role of mailingRoutes)
      expect(actionsOn(template, role, identityArn)).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(rolesAllowing(template, (action) => action.startsWith('sns:'))).toEqual([notifierRole]);
    const keyArn = { 'Fn::GetAtt': [logicalId(stack.notifications.topicKey), 'Arn'] };
    for (const role of others) expect(actionsOn(template, role, keyArn), role).toEqual([]);
  });

  it('gives no other function the notification settings', () => {
    const notifier = stack.consumers.consumers.get('Notifier')?.function;
    if (!notifier) throw new Error('no Notifier function');
    const functions = template.findResources('AWS::Lambda::Function');
    // One per route, rule and schedule, the enrichment and the documents function.
    expect(Object.keys(functions)).toHaveLength(routes.length + rules.length + schedules.length + 2);
    const mailing = new Set(
      routes
        .filter((route) => route.sendsEmail)
        .flatMap((route) => {
          const fn = stack.httpApi.functions.get(route.name);
          return fn ? [logicalId(fn)] : [];
        }),
    );
    expect(mailing.size).toBe(2);
    for (const [id, fn] of Object.entries(functions)) {
      if (id === logicalId(notifier)) continue;
      const variables = Object.keys(fn.Properties.Environment.Variables);
      if (mailing.has(id)) {
        // The routes that mail confirmation and manage links: the sender, and where links point.
        expect(fn.Properties.Environment.Variables[env.notificationSender], id).toBe(SENDER);
        expect(variables, id).toContain(env.publicApiUrl);
        expect(variables, id).not.toContain(env.agendaChangesTopicArn);
        continue;
      }
      expect(variables, id).not.toContain(env.notificationSender);
      expect(variables, id).not.toContain(env.agendaChangesTopicArn);
      expect(variables, id).not.toContain(env.emailSendRate);
    }
  });

  it("shares SES's sending rate among the notifier's instances: each throttles itself to its share", () => {
    const notifier = stack.consumers.consumers.get('Notifier');
    if (!notifier) throw new Error('no Notifier');
    const variables =
      template.findResources('AWS::Lambda::Function')[logicalId(notifier.function)]?.Properties.Environment
        .Variables;
    const concurrency = notifier.definition.maxConcurrency ?? 0;
    expect(concurrency).toBeGreaterThan(0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(notifier.function) },
      ScalingConfig: { MaximumConcurrency: concurrency },
    });
    expect(Number(variables?.[env.emailSendRate]) * concurrency).toBeCloseTo(SES_SEND_RATE);
  });

  it('sends through an identity that is verified already when one is named, creating none', () => {
    const named = buildStack('dev', { notificationIdentity: 'example.org' });
    const namedTemplate = templateOf(named);
    namedTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const notifier = named.consumers.consumers.get('Notifier')?.function;
    if (!notifier?.role) throw new Error('no Notifier function');
    const identityArn = named.resolve(named.notifications.senderIdentity?.emailIdentityArn);
    expect(JSON.stringify(identityArn)).toContain(':identity/example.org');
    expect(actionsOn(namedTemplate, logicalId(notifier.role), identityArn)).toEqual([
      'ses:SendEmail',
      'ses:SendRawEmail',
    ]);
  });

  it('refuses a sender that is not an address, or an identity that cannot send as it', () => {
    expect(() => buildStack('dev', { notificationSender: 'nobody' })).toThrow(/notificationSender/);
    expect(() => buildStack('dev', { notificationIdentity: 'example.com' })).toThrow(/notificationIdentity/);
  });
});
