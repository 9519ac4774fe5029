import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DATA_KEYS_RECOVERY_DAYS,
  KEY_ADMINISTRATION_ACTIONS,
  KEY_USE_ACTIONS,
} from '../../infra/constructs/personal-data.js';
import { documentsFunction } from '../../infra/definitions/documents.js';
import { outputKeys } from '../../infra/definitions/outputs.js';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import type { PersonalDataAccess } from '../../infra/definitions/tables.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import {
  actionsOn,
  arnOf,
  buildStack,
  logicalId,
  statementsOf,
  templateOf,
  unacknowledgedFindings,
} from './template.js';

/** What each access level may do on the wrapping key, the HMAC key and the data-keys table: exactly. */
const expected: Record<
  PersonalDataAccess | 'none',
  { dataKey: string[]; macKey: string[]; table: string[] }
> = {
  create: { dataKey: ['kms:GenerateDataKey'], macKey: ['kms:GenerateMac'], table: ['dynamodb:PutItem'] },
  read: { dataKey: ['kms:Decrypt'], macKey: [], table: ['dynamodb:Query'] },
  'read-mac': { dataKey: ['kms:Decrypt'], macKey: ['kms:GenerateMac'], table: ['dynamodb:Query'] },
  mac: { dataKey: [], macKey: ['kms:GenerateMac'], table: [] },
  'read-create': {
    dataKey: ['kms:Decrypt', 'kms:GenerateDataKey'],
    macKey: ['kms:GenerateMac'],
    table: ['dynamodb:PutItem', 'dynamodb:Query'],
  },
  erase: {
    dataKey: ['kms:Decrypt'],
    macKey: [],
    table: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  none: { dataKey: [], macKey: [], table: [] },
};

/** The sensitive answers' access a function declares (CONTRACT 5.2), by name. */
const sensitiveAccessOf = (name: string) =>
  routes.find((route) => route.name === name)?.sensitiveData ??
  rules.find((rule) => rule.name === name)?.sensitiveData;

describe('Personal data infrastructure', () => {
  let stack: LearningCitiesStack;
  let template: Template;

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
  });

  it('keeps the wrapped data keys in their own table, with point-in-time recovery at its minimum', () => {
    const table = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.personalData.table)];
    expect(table?.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: {
        PointInTimeRecoveryEnabled: true,
        RecoveryPeriodInDays: DATA_KEYS_RECOVERY_DAYS,
      },
    });
    expect(DATA_KEYS_RECOVERY_DAYS).toBe(1);
    expect(table?.Properties.StreamSpecification).toBeUndefined();
  });

  it('names both keys in the stack outputs, for a rebuild in the cloud to open personal data with', () => {
    template.hasOutput(outputKeys.personalDataKeyArn, {
      Value: { 'Fn::GetAtt': [logicalId(stack.personalData.dataKey), 'Arn'] },
    });
    template.hasOutput(outputKeys.emailMacKeyArn, {
      Value: { 'Fn::GetAtt': [logicalId(stack.personalData.emailMacKey), 'Arn'] },
    });
  });

  it('has a customer-managed wrapping key with rotation and an HMAC key for the email guard', () => {
    const keys = template.findResources('AWS::KMS::Key');
    expect(keys[logicalId(stack.personalData.dataKey)]?.Properties).toMatchObject({
      EnableKeyRotation: true,
    });
    expect(keys[logicalId(stack.personalData.emailMacKey)]?.Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
    });
  });

  it('lets only the functions that need a registration’s personal data use the keys, each as it declares', () => {
    const functions: Array<{ name: string; role: IRole | undefined; access: PersonalDataAccess | 'none' }> = [
      ...routes.map((route) => ({
        name: route.name,
        role: stack.httpApi.functions.get(route.name)?.role,
        access: route.personalData ?? ('none' as const),
      })),
      ...rules.map((rule) => ({
        name: rule.name,
        role: stack.consumers.consumers.get(rule.name)?.function.role,
        access: rule.personalData ?? ('none' as const),
      })),
      ...schedules.map((schedule) => ({
        name: schedule.name,
        role: stack.scheduledJobs.functions.get(schedule.name)?.role,
        access: schedule.personalData ?? ('none' as const),
      })),
      { name: 'EventPipeEnrichment', role: stack.eventPipe.enrichment.role, access: 'none' as const },
      {
        name: documentsFunction.name,
        role: stack.documents.function.role,
        access: documentsFunction.personalData,
      },
    ];
    const allowed = new Set<string>();
    for (const { name, role, access } of functions) {
      if (!role) throw new Error(`no role for ${name}`);
      const roleId = logicalId(role);
      const actual = {
        dataKey: actionsOn(template, roleId, arnOf(stack.personalData.dataKey)),
        macKey: actionsOn(template, roleId, arnOf(stack.personalData.emailMacKey)),
        table: actionsOn(template, roleId, arnOf(stack.personalData.table)),
      };
      const sensitive = sensitiveAccessOf(name);
      const want =
        sensitive === 'create'
          ? {
              dataKey: [...new Set([...expected[access].dataKey, 'kms:GenerateDataKey'])].sort(),
              macKey: expected[access].macKey,
              table: [...new Set([...expected[access].table, 'dynamodb:PutItem'])].sort(),
            }
          : expected[access];
      expect(actual, name).toEqual(want);
      if (access !== 'none') allowed.add(roleId);
    }
    // The functions that may: registering, reading back, correcting, cancelling, erasing, the notifier.
    expect(
      functions
        .filter((fn) => fn.access !== 'none')
        .map((fn) => fn.name)
        .sort(),
    ).toEqual(
      [
        'CancelRegistration',
        'ChangeRegistrationDetails',
        'CheckInByCode',
        'EraseExpiredPersonalData',
        'ErasePersonalData',
        'GetBadges',
        // Badges in the background (CONTRACT 5.5): the check-in codes' MACs, as GetBadges.
        'MakeDocument',
        'GetRegistration',
        'GetRegistrationBadge',
        'Notifier',
        'RegisterDelegate',
        // Visa letters: every field of a request is personal data (sealed and opened under the key).
        'RequestVisaLetter',
        'IssueVisaLetter',
        'DeclineVisaLetter',
        'GetVisaLetterPdf',
        // The visa letters' review list shows names and nationalities.
        'VisaLettersProjector',
        'RegistrantListProjector',
        // CONTRACT 5.1: confirming registers (as RegisterDelegate); a new manage link seals its hash.
        'ConfirmRegistration',
        'RequestManageLink',
        // The confirmation page opens the request its link carries (a key made from the MAC key).
        'GetConfirmationPage',
        // The delegate's page's QR code: the check-in code's MAC, for the manage token's holder.
        'GetCheckInCode',
        // The registration form's answers-summary opens answers for their tallies (CONTRACT 5.2).
        'AnswersSummaryProjector',
        // CONTRACT 5.3: a rejection's message is sealed, a rejection releases the email guard read opened.
        'DecideRegistrations',
        // Invitations (CONTRACT 5.3): the invitee sealed under the invitation's own key, the address's
        // MAC for the guard, the code a MAC of the invitation's id; the list shows the addresses.
        'SendInvitation',
        'RemindInvitation',
        'RevokeInvitation',
        'DeclineInvitation',
        'InvitationsProjector',
        // Delegations (CONTRACT 5.3): the focal point sealed under the delegation's own key; a substitution
        // cancels the member (its email guard read opened) and seals the substitute's invitation.
        'CreateDelegation',
        'SubstituteDelegationMember',
      ].sort(),
    );
    // No other role of the stack names the keys or the table in any statement.
    const named = [stack.personalData.dataKey, stack.personalData.emailMacKey, stack.personalData.table].map(
      (resource) => JSON.stringify(arnOf(resource)),
    );
    // Except the break-glass role, declared for use by a person (the key policies admit it too).
    allowed.add(logicalId(stack.personalData.breakGlassRole));
    for (const [roleId, statements] of statementsOf(template)) {
      if (allowed.has(roleId)) continue;
      const text = JSON.stringify(statements);
      for (const arn of named) expect(text.includes(arn), roleId).toBe(false);
    }
  });

  it('keeps use of the keys out of IAM: the key policies admit the function roles that use them and one break-glass role', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const breakGlass = logicalId(stack.personalData.breakGlassRole);
    for (const key of [stack.personalData.dataKey, stack.personalData.emailMacKey]) {
      const statements = keys[logicalId(key)]?.Properties.KeyPolicy.Statement as Array<{
        Sid?: string;
        Action: string | string[];
        Principal: { AWS: unknown };
        Effect: string;
      }>;
      const principalsOf = (statement: { Principal: { AWS: unknown } }) =>
        [statement.Principal.AWS].flat().map((p) => JSON.stringify(p));
      // The account root keeps administration only: no kms:*, no wildcard, no use.
      const rootStatements = statements.filter((st) => principalsOf(st).some((p) => p.includes(':root')));
      expect(rootStatements).toHaveLength(1);
      const rootActions = [rootStatements[0]?.Action ?? []].flat();
      expect(rootActions.sort()).toEqual([...KEY_ADMINISTRATION_ACTIONS].sort());
      for (const action of rootActions) {
        expect(action.includes('*'), action).toBe(false);
        expect(KEY_USE_ACTIONS as readonly string[]).not.toContain(action);
      }
      expect(rootActions).not.toContain('kms:CreateGrant');
      // Each use action: exactly the roles whose IAM policy has it on this key, and the break-glass role.
      const arn = arnOf(key);
      for (const action of KEY_USE_ACTIONS) {
        const inIam = [...statementsOf(template).keys()].filter((roleId) =>
          actionsOn(template, roleId, arn).includes(action),
        );
        const inKeyPolicy = statements
          .filter((st) => st.Effect === 'Allow' && [st.Action].flat().includes(action))
          .flatMap((st) => [st.Principal.AWS].flat())
          .map((p) => (p as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt']?.[0] ?? JSON.stringify(p));
        expect(inKeyPolicy.sort(), `${key.node.id} ${action}`).toEqual(inIam.sort());
        const usable =
          key === stack.personalData.dataKey ? action !== 'kms:GenerateMac' : action === 'kms:GenerateMac';
        expect(inKeyPolicy.includes(breakGlass), `${key.node.id} ${action}`).toBe(usable);
        if (usable) expect(inKeyPolicy.length).toBeGreaterThan(1);
      }
      // Nothing else: every statement is the administration or one of the use statements.
      for (const statement of statements)
        expect(
          [statement.Action]
            .flat()
            .every(
              (a) => KEY_ADMINISTRATION_ACTIONS.includes(a as never) || KEY_USE_ACTIONS.includes(a as never),
            ),
        ).toBe(true);
    }
    // The break-glass role is assumed with MFA only.
    const role = template.findResources('AWS::IAM::Role')[breakGlass];
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('aws:MultiFactorAuthPresent');
  });

  it('runs the retention daily on a schedule rule targeting its function', () => {
    const fn = stack.scheduledJobs.functions.get('EraseExpiredPersonalData');
    if (!fn) throw new Error('no retention function');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 3 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: arnOf(fn), RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    expect(template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties.Timeout).toBe(900);
  });

  it('stays cdk-nag clean', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('denies the sensitive answers’ keys to every function with personal data that never shows them', () => {
    const denied = (roleId: string) =>
      (statementsOf(template).get(roleId) ?? []).some(
        (statement) =>
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Resource) === JSON.stringify(arnOf(stack.personalData.dataKey)) &&
          JSON.stringify(statement.Condition) ===
            JSON.stringify({ StringEquals: { 'kms:EncryptionContext:purpose': 'sensitive' } }),
      );
    const withPersonalData = [
      ...routes.flatMap((route) =>
        route.personalData ? [{ name: route.name, role: stack.httpApi.functions.get(route.name)?.role }] : [],
      ),
      ...rules.flatMap((rule) =>
        rule.personalData
          ? [{ name: rule.name, role: stack.consumers.consumers.get(rule.name)?.function.role }]
          : [],
      ),
      ...schedules.flatMap((schedule) =>
        schedule.personalData
          ? [{ name: schedule.name, role: stack.scheduledJobs.functions.get(schedule.name)?.role }]
          : [],
      ),
    ];
    const granted: string[] = [];
    for (const { name, role } of withPersonalData) {
      if (!role) throw new Error(`no role for ${name}`);
      const roleId = logicalId(role);
      expect(denied(roleId), name).toBe(sensitiveAccessOf(name) === undefined);
      if (!denied(roleId)) granted.push(name);
    }
    // Only these open or make them: registering, confirming a request and correcting (sealing), reading
    // back (the delegate and sensitive-data), and the two projectors (the list keeps them apart, the summary
    // counts them).
    expect(granted.sort()).toEqual(
      [
        'AnswersSummaryProjector',
        'ConfirmRegistration',
        'ChangeRegistrationDetails',
        'GetRegistration',
        'RegisterDelegate',
        'RegistrantListProjector',
      ].sort(),
    );
  });
});
