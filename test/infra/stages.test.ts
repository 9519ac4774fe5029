import { RemovalPolicy } from 'aws-cdk-lib';
import { StandardThreatProtectionMode } from 'aws-cdk-lib/aws-cognito';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { type Stage, stageSettings, stages } from '../../infra/stage.js';
import { buildStack, logicalId, templateOf, unacknowledgedFindings } from './template.js';

const deletionPolicies: Partial<Record<RemovalPolicy, string>> = {
  [RemovalPolicy.DESTROY]: 'Delete',
  [RemovalPolicy.RETAIN]: 'Retain',
};

const threatProtectionModes: Record<StandardThreatProtectionMode, string> = {
  [StandardThreatProtectionMode.AUDIT_ONLY]: 'AUDIT',
  [StandardThreatProtectionMode.FULL_FUNCTION]: 'ENFORCED',
  [StandardThreatProtectionMode.NO_ENFORCEMENT]: 'OFF',
};

describe('stage settings', () => {
  it('declare what differs: dev may be thrown away and pages nobody, prod keeps everything and alerts', () => {
    expect(stageSettings.dev).toMatchObject({
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      logRetention: RetentionDays.ONE_MONTH,
      alarmActionsEnabled: false,
      threatProtection: StandardThreatProtectionMode.AUDIT_ONLY,
    });
    expect(stageSettings.prod).toMatchObject({
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      logRetention: RetentionDays.ONE_YEAR,
      alarmActionsEnabled: true,
      threatProtection: StandardThreatProtectionMode.FULL_FUNCTION,
    });
  });

  it('keep stages apart: stack names, name prefixes and metrics namespaces are all distinct', () => {
    for (const key of ['stackName', 'namePrefix', 'metricsNamespace'] as const) {
      expect(new Set(stages.map((stage) => stageSettings[stage][key])).size, key).toBe(stages.length);
    }
  });
});

describe.each(stages)('the %s stack', (stage: Stage) => {
  const settings = stageSettings[stage];
  const stack = buildStack(stage);
  const template = templateOf(stack);
  const expectedDeletion = deletionPolicies[settings.removalPolicy];

  it('always retains and protects the event store', () => {
    const events = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.eventStore.table)];
    expect(events?.DeletionPolicy).toBe('Retain');
    expect(events?.UpdateReplacePolicy).toBe('Retain');
    expect(events?.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it('applies the removal policy and deletion protection to the read models and the user pool', () => {
    const readModels = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.readModels.table)];
    expect(readModels?.DeletionPolicy).toBe(expectedDeletion);
    expect(readModels?.Properties.DeletionProtectionEnabled).toBe(settings.deletionProtection);
    const pool = template.findResources('AWS::Cognito::UserPool')[logicalId(stack.auth.userPool)];
    expect(pool?.DeletionPolicy).toBe(expectedDeletion);
    expect(pool?.Properties.DeletionProtection).toBe(settings.deletionProtection ? 'ACTIVE' : 'INACTIVE');
  });

  it('applies the removal policy to every log group, queue, topic and key', () => {
    for (const type of ['AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::KMS::Key']) {
      const resources = Object.entries(template.findResources(type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [id, resource] of resources) {
        expect(resource.DeletionPolicy, `${type} ${id}`).toBe(expectedDeletion);
        expect(resource.UpdateReplacePolicy, `${type} ${id}`).toBe(expectedDeletion);
      }
    }
  });

  it('keeps every log group for the retention of the stage', () => {
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(settings.logRetention);
    }
  });

  it('enables alarm actions as the stage declares', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.ActionsEnabled).toBe(settings.alarmActionsEnabled);
  });

  it('sets Cognito threat protection and API throttling of the stage', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolAddOns: { AdvancedSecurityMode: threatProtectionModes[settings.threatProtection] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: settings.apiThrottle.rateLimit,
        ThrottlingBurstLimit: settings.apiThrottle.burstLimit,
      },
    });
  });

  it('names what it names with the stage prefix and emits metrics in the stage namespace', () => {
    const named: [string, string][] = [
      ['AWS::Events::EventBus', 'Name'],
      ['AWS::CloudWatch::Alarm', 'AlarmName'],
      ['AWS::CloudWatch::Dashboard', 'DashboardName'],
    ];
    for (const [type, property] of named) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.Properties[property], type).toMatch(new RegExp(`^${settings.namePrefix}-`));
      }
    }
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(
        settings.metricsNamespace,
      );
    }
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
