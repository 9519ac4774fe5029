import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { env } from '../../infra/definitions/tables.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import { actionsOn, arnOf, buildStack, logicalId, statementsOf, templateOf } from './template.js';

/**
 * Issue 16, 4(b): stored Idempotency-Key responses are keyed with a secret only the server holds, a MAC
 * under a KMS HMAC key of its own. The functions of commands (the routes that write, which take an
 * Idempotency-Key) may make MACs under it and nothing else; no other role names it.
 */
describe('The key of stored Idempotency-Key responses', () => {
  let stack: LearningCitiesStack;
  let template: Template;

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
  });

  it('is an HMAC key', () => {
    expect(
      template.findResources('AWS::KMS::Key')[logicalId(stack.personalData.idempotencyKey)]?.Properties,
    ).toMatchObject({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  });

  it('gives the functions of commands GenerateMac on it and its ARN, and no other role anything', () => {
    const keyArn = arnOf(stack.personalData.idempotencyKey);
    const functions = template.findResources('AWS::Lambda::Function');
    const allowed = new Set<string>();
    for (const route of routes) {
      const fn = stack.httpApi.functions.get(route.name);
      if (!fn?.role) throw new Error(`no function for ${route.name}`);
      const roleId = logicalId(fn.role);
      const variables = functions[logicalId(fn)]?.Properties.Environment?.Variables ?? {};
      // Commands key their stored responses with it; a focal point's delegation token is a MAC under it too.
      if (route.writes || route.checksDelegationTokens) {
        expect(actionsOn(template, roleId, keyArn), route.name).toEqual(['kms:GenerateMac']);
        expect(variables[env.idempotencyKeyId], route.name).toEqual(keyArn);
        allowed.add(roleId);
      } else {
        expect(actionsOn(template, roleId, keyArn), route.name).toEqual([]);
        expect(variables[env.idempotencyKeyId], route.name).toBeUndefined();
      }
    }
    // The notifier mails the focal point a delegation token: a MAC under the same key.
    for (const rule of rules.filter((definition) => definition.serverSecrets)) {
      const role = stack.consumers.consumers.get(rule.name)?.function.role;
      if (!role) throw new Error(`no function for ${rule.name}`);
      expect(actionsOn(template, logicalId(role), keyArn), rule.name).toEqual(['kms:GenerateMac']);
      allowed.add(logicalId(role));
    }
    expect(allowed.size).toBeGreaterThan(0);
    for (const [roleId, statements] of statementsOf(template)) {
      if (allowed.has(roleId)) continue;
      expect(JSON.stringify(statements).includes(JSON.stringify(keyArn)), roleId).toBe(false);
    }
  });
});
