import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { alarmThresholds, FUNCTION_ALARM_GROUP_SIZE } from '../../infra/constructs/observability.js';
import { metricNames } from '../../infra/definitions/metrics.js';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import { arnOf, buildStack, logicalId, templateOf } from './template.js';

type Dimension = { Name: string; Value: unknown };
type AlarmProperties = {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions?: Dimension[];
  Statistic?: string;
  ExtendedStatistic?: string;
  Threshold: number;
  ComparisonOperator: string;
  ActionsEnabled: boolean;
  AlarmActions: unknown[];
  OKActions: unknown[];
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The metrics of a synthesized dashboard, one line per graphed metric: `namespace metricName dimensions`
 * or the math expression. CloudFormation references in the body become `{Ref:...}` text.
 */
const dashboardMetrics = (body: { 'Fn::Join': [string, unknown[]] }): string[] => {
  const text = body['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part).replaceAll('"', '')))
    .join('');
  const { widgets } = JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] };
  return widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((row) => {
      const first = row[0] as string | { expression: string };
      return typeof first === 'string'
        ? row.filter((item) => typeof item === 'string').join(' ')
        : first.expression;
    }),
  );
};

describe('observability', () => {
  let stack: LearningCitiesStack;
  let template: Template;
  let alarms: AlarmProperties[];

  /** The alarms on one metric whose dimension `name` has `value`. */
  const alarmsOn = (metricName: string, name: string, value: unknown) =>
    alarms.filter(
      (alarm) =>
        alarm.MetricName === metricName &&
        (alarm.Dimensions ?? []).some((d) => d.Name === name && same(d.Value, value)),
    );

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
    alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties as AlarmProperties,
    );
  });

  it('alarms on a message in any dead-letter queue, the event pipe’s included', () => {
    const deadLetterQueues = [
      ...[...stack.consumers.consumers.values()].map((c) => c.deadLetterQueue),
      stack.eventPipe.deadLetterQueue,
      stack.documents.deadLetterQueue,
    ];
    expect(deadLetterQueues).toHaveLength(rules.length + 2);
    // Every queue that is some queue's or the pipe's dead-letter target is one of them.
    const targets = Object.values(template.findResources('AWS::SQS::Queue'))
      .map((queue) => queue.Properties.RedrivePolicy?.deadLetterTargetArn)
      .filter(Boolean);
    for (const target of targets) expect(deadLetterQueues.map(arnOf)).toContainEqual(target);
    for (const queue of deadLetterQueues) {
      const found = alarmsOn('ApproximateNumberOfMessagesVisible', 'QueueName', {
        'Fn::GetAtt': [logicalId(queue), 'QueueName'],
      });
      expect(found, queue.node.path).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms per consumer on its p95 projection lag (as its function emits it) and its oldest message', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    for (const rule of rules) {
      const consumer = stack.consumers.consumers.get(rule.name);
      if (!consumer) throw new Error(`no consumer for ${rule.name}`);
      const variables = functions[logicalId(consumer.function)]?.Properties.Environment.Variables;
      const lag = alarmsOn(metricNames.projectionLag, 'service', variables.POWERTOOLS_SERVICE_NAME);
      expect(lag, rule.name).toHaveLength(1);
      expect(lag[0]).toMatchObject({
        Namespace: variables.POWERTOOLS_METRICS_NAMESPACE,
        ExtendedStatistic: 'p95',
        Threshold: alarmThresholds.projectionLagP95Ms,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      const age = alarmsOn('ApproximateAgeOfOldestMessage', 'QueueName', {
        'Fn::GetAtt': [logicalId(consumer.queue), 'QueueName'],
      });
      expect(age, rule.name).toHaveLength(1);
      expect(age[0]?.Threshold).toBe(alarmThresholds.oldestMessageAgeSeconds);
    }
  });

  it('alarms on the event pipe’s failed and throttled executions', () => {
    for (const metricName of ['ExecutionFailed', 'ExecutionThrottled']) {
      const found = alarmsOn(metricName, 'PipeName', { Ref: logicalId(stack.eventPipe.pipe) });
      expect(found, metricName).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Namespace: 'AWS/EventBridge/Pipes',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  // One alarm per function would put the stack over CloudFormation's 500 resources: errors and throttles
  // are alarmed on per group of functions, each function in exactly one group.
  it.each([
    ['Errors', alarmThresholds.functionErrors],
    ['Throttles', alarmThresholds.functionThrottles],
  ] as const)(
    'alarms on the %s of every function, in groups an alarm’s math can hold',
    (metricName, threshold) => {
      type Query = {
        Id: string;
        Expression?: string;
        MetricStat?: {
          Metric: { MetricName: string; Namespace: string; Dimensions: Dimension[] };
          Stat: string;
        };
      };
      const groupAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
        .map(
          (alarm) => alarm.Properties as { Metrics?: Query[]; Threshold: number; ComparisonOperator: string },
        )
        .filter((alarm) => alarm.Metrics?.some((q) => q.MetricStat?.Metric.MetricName === metricName));
      const watched: unknown[] = [];
      for (const alarm of groupAlarms) {
        const metrics = alarm.Metrics ?? [];
        const stats = metrics.filter((q) => q.MetricStat);
        expect(stats.length).toBeLessThanOrEqual(FUNCTION_ALARM_GROUP_SIZE);
        expect(metrics.find((q) => q.Expression)?.Expression).toMatch(/^MAX\(\[/);
        expect(alarm.Threshold).toBe(threshold);
        expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
        for (const q of stats) {
          expect(q.MetricStat?.Metric.Namespace).toBe('AWS/Lambda');
          expect(q.MetricStat?.Stat).toBe('Sum');
          watched.push(q.MetricStat?.Metric.Dimensions.find((d) => d.Name === 'FunctionName')?.Value);
        }
      }
      const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
      // One per route, rule and schedule, the enrichment and the documents function.
      expect(functions).toHaveLength(routes.length + rules.length + schedules.length + 2);
      expect(watched.map((w) => JSON.stringify(w)).sort()).toEqual(
        functions.map((id) => JSON.stringify({ Ref: id })).sort(),
      );
    },
  );

  it('alarms on API 5xx answers', () => {
    const found = alarmsOn('5xx', 'ApiId', { Ref: logicalId(stack.httpApi.api) });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ Namespace: 'AWS/ApiGateway', Statistic: 'Sum' });
  });

  it('sends every alarm and its recovery to the ops alarms topic, with names of the stage', () => {
    const topic = { Ref: logicalId(stack.observability.alarmTopic) };
    expect(alarms.length).toBe(stack.observability.alarms.size);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topic]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([topic]);
      expect(alarm.AlarmName).toMatch(/^learning-cities-dev-/);
    }
    expect(new Set(alarms.map((a) => a.AlarmName)).size).toBe(alarms.length);
  });

  it('has an encrypted ops alarms topic that CloudWatch alarms of this account may publish to', () => {
    const key = logicalId(stack.observability.alarmKey);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    const keyPolicy = template.findResources('AWS::KMS::Key')[key]?.Properties.KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const topicPolicy = Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((policy) =>
      same(policy.Properties.Topics, [{ Ref: logicalId(stack.observability.alarmTopic) }]),
    );
    expect(topicPolicy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
      }),
    );
  });

  it('subscribes an ops address to the alarms topic when given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = templateOf(buildStack('dev', { alarmEmail: 'ops@example.org' }));
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
  });

  it('has a dashboard with the API, functions, queues, projection lag and dead-letter queues', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe('learning-cities-dev-operations');
    const rows = dashboardMetrics(dashboards[0]?.Properties.DashboardBody);
    const graphs = (namespace: string, metricName: string) =>
      rows.filter((row) => row.startsWith(`${namespace} ${metricName} `));
    for (const metricName of ['Count', 'Latency', '4xx', '5xx']) {
      expect(graphs('AWS/ApiGateway', metricName), metricName).not.toHaveLength(0);
    }
    for (const fn of Object.keys(template.findResources('AWS::Lambda::Function'))) {
      expect(
        graphs('AWS/Lambda', 'Errors').filter((row) => row.includes(fn)),
        fn,
      ).toHaveLength(1);
      expect(
        graphs('AWS/Lambda', 'Duration').filter((row) => row.includes(fn)),
        fn,
      ).toHaveLength(1);
    }
    const depth = graphs('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
    const age = graphs('AWS/SQS', 'ApproximateAgeOfOldestMessage');
    for (const consumer of stack.consumers.consumers.values()) {
      expect(
        depth.some((row) => row.includes(logicalId(consumer.queue))),
        consumer.definition.name,
      ).toBe(true);
      expect(depth.some((row) => row.includes(logicalId(consumer.deadLetterQueue)))).toBe(true);
      expect(age.some((row) => row.includes(logicalId(consumer.queue)))).toBe(true);
      const service = consumer.function.serviceName;
      expect(
        graphs('LearningCities/Dev', metricNames.projectionLag).some((row) => row.includes(service)),
      ).toBe(true);
      expect(
        graphs('LearningCities/Dev', metricNames.eventsHandled).some((row) => row.includes(service)),
      ).toBe(true);
    }
    expect(depth.some((row) => row.includes(logicalId(stack.eventPipe.deadLetterQueue)))).toBe(true);
    for (const metricName of [
      metricNames.commandSucceeded,
      metricNames.commandRejected,
      metricNames.commandFailed,
      metricNames.conflicts,
    ]) {
      expect(rows, metricName).toContainEqual(
        expect.stringContaining(`SEARCH('Namespace="LearningCities/Dev" MetricName="${metricName}"'`),
      );
    }
  });
});
