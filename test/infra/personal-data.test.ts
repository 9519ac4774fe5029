import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_KEYS_RECOVERY_DAYS } from '../../infra/constructs/personal-data.js';
import { documentsFunction } from '../../infra/definitions/documents.js';
import { outputKeys } from '../../infra/definitions/outputs.js';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import type { PersonalDataAccess } from '../../infra/definitions/tables.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import { actionsOn, arnOf, buildStack, logicalId, statementsOf, unacknowledgedFindings } from './template.js';

/** What each access level may do on the wrapping key, the HMAC key and the data-keys table: exactly. */
const expected: Record<
  PersonalDataAccess | 'none',
  { dataKey: string[]; macKey: string[]; table: string[] }
> = {
  create: { dataKey: ['kms:GenerateDataKey'], macKey: ['kms:GenerateMac'], table: ['dynamodb:PutItem'] },
  read: { dataKey: ['kms:Decrypt'], macKey: [], table: ['dynamodb:Query'] },
  'read-mac': { dataKey: ['kms:Decrypt'], macKey: ['kms:GenerateMac'], table: ['dynamodb:Query'] },
  mac: { dataKey: [], macKey: ['kms:GenerateMac'], table: [] },
  erase: {
    dataKey: ['kms:Decrypt'],
    macKey: [],
    table: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  },
  none: { dataKey: [], macKey: [], table: [] },
};

describe('Personal data infrastructure', () => {
  let stack: LearningCitiesStack;
  let template: Template;

  beforeAll(() => {
    stack = buildStack('dev');
    template = Template.fromStack(stack);
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
      expect(actual, name).toEqual(expected[access]);
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
      ].sort(),
    );
    // No other role of the stack names the keys or the table in any statement.
    const named = [stack.personalData.dataKey, stack.personalData.emailMacKey, stack.personalData.table].map(
      (resource) => JSON.stringify(arnOf(resource)),
    );
    for (const [roleId, statements] of statementsOf(template)) {
      if (allowed.has(roleId)) continue;
      const text = JSON.stringify(statements);
      for (const arn of named) expect(text.includes(arn), roleId).toBe(false);
    }
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
});
