import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { metricNames } from '../definitions/metrics.js';
import { type Stage, settingsOf } from '../stage.js';
import type { LambdaFunction } from './lambda-function.js';

/** Alarm thresholds; the same in every stage (what differs is whether the alarms notify). */
export const alarmThresholds = {
  /** Any message in a dead-letter queue needs a person. */
  deadLetterMessages: 1,
  /** Function errors in 5 minutes (consumers report failed records instead of failing, so any counts). */
  functionErrors: 1,
  /**
   * p95 of ProjectionLag (reached the bus → handled), milliseconds, over 3 consecutive minutes. Archive
   * replays record ReplayLag instead, so a replay of old events does not set it off.
   */
  projectionLagP95Ms: 5_000,
  /** Age of the oldest message in a consumer queue, seconds: longer than a redelivery after a failure. */
  oldestMessageAgeSeconds: 300,
  /** API 5xx responses in 5 minutes. */
  apiServerErrors: 5,
  /** Pipe executions that failed, or were throttled, in 5 minutes: any means events wait or go to its DLQ. */
  pipeExecutionFailures: 1,
  pipeExecutionThrottles: 1,
  /** Throttled invocations of any one function in 5 minutes (an account or reserved concurrency limit). */
  functionThrottles: 1,
} as const;

/**
 * CloudWatch alarms on a metric math expression take at most 10 metrics: function errors and throttles are
 * alarmed on in groups of that many. One alarm per function would put the stack over CloudFormation's 500
 * resources; each group's alarm names its functions, and the dashboard graphs each function's errors.
 */
export const FUNCTION_ALARM_GROUP_SIZE = 10;

/** A consumer as the alarms see it: its queue, dead-letter queue and function. */
export interface ObservedConsumer {
  name: string;
  queue: IQueue;
  deadLetterQueue: IQueue;
  function: LambdaFunction;
}

export interface ObservabilityProps {
  stage: Stage;
  api: IHttpApi;
  /** Every function of the stack, by a readable name (route, rule or role). */
  functions: ReadonlyMap<string, LambdaFunction>;
  consumers: readonly ObservedConsumer[];
  /** Dead-letter queues that belong to no consumer (the event pipe's), by name. */
  otherDeadLetterQueues: ReadonlyMap<string, IQueue>;
  /** Subscribed to the ops alarms topic by email when given (context `alarmEmail`). */
  alarmEmail?: string;
  /** The name of the EventBridge Pipe from the events table to the bus (its failures and throttles alarm). */
  pipeName?: string;
}

/**
 * Alarms on everything that needs a person (a dead letter, a function error, projections falling
 * behind, API faults), all notifying one "ops alarms" topic, and one dashboard with the API, the
 * functions, the queues and the projections. In stages whose alarm actions are disabled the alarms
 * still change state but notify nobody.
 */
export class Observability extends Construct {
  readonly alarmTopic: Topic;
  readonly alarmKey: Key;
  readonly dashboard: Dashboard;
  /** Every alarm, by what it watches, e.g. `dlq:Notifier`, `errors:RegisterDelegate`. */
  readonly alarms: ReadonlyMap<string, Alarm>;
  private readonly alarmList = new Map<string, Alarm>();
  private readonly namePrefix: string;
  private readonly actionsEnabled: boolean;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    this.namePrefix = settings.namePrefix;
    this.actionsEnabled = settings.alarmActionsEnabled;
    this.alarms = this.alarmList;
    const { account, region, partition } = Stack.of(this);

    // CloudWatch cannot publish to a topic encrypted with alias/aws/sns: the key must admit it.
    this.alarmKey = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the ops alarms topic (${props.stage})`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: settings.removalPolicy,
    });
    const fromAlarms = {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
    };
    this.alarmKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromAlarms,
      }),
    );
    // No fixed topic name: CloudFormation names it, so a stack created again beside a retained old topic
    // (prod) does not fail on the name. The stack output OpsAlarmTopicArn says which it is.
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `Learning Cities ops alarms (${props.stage})`,
      masterKey: this.alarmKey,
      enforceSSL: true,
    });
    this.alarmTopic.applyRemovalPolicy(settings.removalPolicy);
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: fromAlarms,
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    new CfnOutput(this, 'OpsAlarmTopicArn', {
      key: 'OpsAlarmTopicArn',
      value: this.alarmTopic.topicArn,
      description: 'The SNS topic every alarm notifies: subscribe the people on call',
    });

    const namespace = settings.metricsNamespace;
    const appMetric = (metricName: string, service: string, statistic: string) =>
      new Metric({
        namespace,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: Duration.minutes(1),
      });

    for (const consumer of props.consumers) {
      this.alarm(`dlq:${consumer.name}`, {
        description: `Messages for ${consumer.name} that failed every delivery are waiting in its dead-letter queue`,
        metric: consumer.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        threshold: alarmThresholds.deadLetterMessages,
      });
      this.alarm(`lag:${consumer.name}`, {
        description: `${consumer.name} handles live events more than ${alarmThresholds.projectionLagP95Ms} ms after they reached the bus (p95; archive replays not counted)`,
        metric: appMetric(metricNames.projectionLag, consumer.function.serviceName, Stats.p(95)),
        threshold: alarmThresholds.projectionLagP95Ms,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      });
      this.alarm(`age:${consumer.name}`, {
        description: `The oldest message waiting for ${consumer.name} is older than ${alarmThresholds.oldestMessageAgeSeconds} s`,
        metric: consumer.queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        threshold: alarmThresholds.oldestMessageAgeSeconds,
      });
    }
    for (const [name, queue] of props.otherDeadLetterQueues) {
      this.alarm(`dlq:${name}`, {
        description: `Messages that failed every delivery are waiting in the ${name} dead-letter queue`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        threshold: alarmThresholds.deadLetterMessages,
      });
    }
    // Failed and throttled invocations: one alarm per group of at most 10 functions (an alarm's math).
    const byName = [...props.functions].sort(([a], [b]) => a.localeCompare(b));
    for (let start = 0; start < byName.length; start += FUNCTION_ALARM_GROUP_SIZE) {
      const group = byName.slice(start, start + FUNCTION_ALARM_GROUP_SIZE);
      const names = group.map(([name]) => name).join(', ');
      const most = (prefix: string, metricOf: (fn: LambdaFunction) => IMetric, label: string) => {
        const usingMetrics = Object.fromEntries(
          group.map(([, fn], index) => [`${prefix}${index}`, metricOf(fn)]),
        );
        return new MathExpression({
          expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
          usingMetrics,
          period: Duration.minutes(5),
          label,
        });
      };
      const number = start / FUNCTION_ALARM_GROUP_SIZE + 1;
      this.alarm(`errors:${number}`, {
        description: `A function failed (the most failures of any one function in 5 minutes) of: ${names}`,
        metric: most(
          'e',
          (fn) => fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
          'Errors (most of one function)',
        ),
        threshold: alarmThresholds.functionErrors,
      });
      this.alarm(`throttles:${number}`, {
        description: `Invocations were throttled (the most of any one function in 5 minutes) of: ${names}`,
        metric: most(
          't',
          (fn) => fn.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
          'Throttles (most of one function)',
        ),
        threshold: alarmThresholds.functionThrottles,
      });
    }
    if (props.pipeName) {
      const pipeMetric = (metricName: string) =>
        new Metric({
          namespace: 'AWS/EventBridge/Pipes',
          metricName,
          dimensionsMap: { PipeName: props.pipeName as string },
          statistic: Stats.SUM,
          period: Duration.minutes(5),
        });
      this.alarm('pipe:failed', {
        description:
          'Executions of the event pipe failed: events of the table stream are retried, then go to its dead-letter queue',
        metric: pipeMetric('ExecutionFailed'),
        threshold: alarmThresholds.pipeExecutionFailures,
      });
      this.alarm('pipe:throttled', {
        description: 'Executions of the event pipe were throttled: events reach the bus late',
        metric: pipeMetric('ExecutionThrottled'),
        threshold: alarmThresholds.pipeExecutionThrottles,
      });
    }
    this.alarm('api:5xx', {
      description: 'The HTTP API answers with server errors',
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      threshold: alarmThresholds.apiServerErrors,
    });

    this.dashboard = this.buildDashboard(props, namespace, appMetric);
  }

  private alarm(
    key: string,
    options: {
      description: string;
      metric: IMetric;
      threshold: number;
      comparisonOperator?: ComparisonOperator;
      evaluationPeriods?: number;
    },
  ): void {
    const name = key.replace(/[^\w-]+/g, '-');
    const alarm = new Alarm(this, `Alarm-${name}`, {
      alarmName: `${this.namePrefix}-${name}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      actionsEnabled: this.actionsEnabled,
    });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarmList.set(key, alarm);
  }

  private buildDashboard(
    props: ObservabilityProps,
    namespace: string,
    appMetric: (metricName: string, service: string, statistic: string) => Metric,
  ): Dashboard {
    const fiveMinutes = Duration.minutes(5);
    // Every dimension combination of an application metric (one line per route or service).
    const search = (metricName: string) =>
      new MathExpression({
        expression: `SEARCH('Namespace="${namespace}" MetricName="${metricName}"', 'Sum', 300)`,
        usingMetrics: {},
        label: metricName,
        period: fiveMinutes,
      });
    const functions = [...props.functions];
    const consumers = props.consumers;
    const deadLetterQueues: [string, IQueue][] = [
      ...consumers.map((c): [string, IQueue] => [c.name, c.deadLetterQueue]),
      ...props.otherDeadLetterQueues,
    ];
    const api = props.api;

    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${this.namePrefix}-operations`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# Learning Cities (${props.stage})\nAPI, functions, queues and projections. Metrics namespace \`${namespace}\`.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarmList.values()], width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests',
        left: [api.metricCount({ period: fiveMinutes, statistic: Stats.SUM, label: 'requests' })],
        width: 6,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [Stats.p(50), Stats.p(95), Stats.p(99)].map((statistic) =>
          api.metricLatency({ period: fiveMinutes, statistic, label: statistic }),
        ),
        width: 6,
      }),
      new GraphWidget({
        title: 'API 4xx',
        left: [api.metricClientError({ period: fiveMinutes, statistic: Stats.SUM, label: '4xx' })],
        width: 6,
      }),
      new GraphWidget({
        title: 'API 5xx',
        left: [api.metricServerError({ period: fiveMinutes, statistic: Stats.SUM, label: '5xx' })],
        width: 6,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Commands succeeded, by route',
        left: [search(metricNames.commandSucceeded)],
        width: 8,
      }),
      new GraphWidget({
        title: 'Commands rejected (4xx) and failed (5xx), by route',
        left: [search(metricNames.commandRejected), search(metricNames.commandFailed)],
        width: 8,
      }),
      new GraphWidget({
        title: 'Conflicts (409 answers, append retries)',
        left: [search(metricNames.conflicts)],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) =>
          fn.metricErrors({ period: fiveMinutes, statistic: Stats.SUM, label: name }),
        ),
        width: 12,
        height: 8,
      }),
      new GraphWidget({
        title: 'Function duration p95 (ms)',
        left: functions.map(([name, fn]) =>
          fn.metricDuration({ period: fiveMinutes, statistic: Stats.p(95), label: name }),
        ),
        width: 12,
        height: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Consumer queue depth (visible messages)',
        left: consumers.map((c) =>
          c.queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: Stats.MAXIMUM,
            label: c.name,
          }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Consumer queue: age of oldest message (s)',
        left: consumers.map((c) =>
          c.queue.metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(1),
            statistic: Stats.MAXIMUM,
            label: c.name,
          }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Projection lag p95 (ms, occurredAt → handled)',
        left: consumers.map((c) =>
          appMetric(metricNames.projectionLag, c.function.serviceName, Stats.p(95)).with({ label: c.name }),
        ),
        leftAnnotations: [{ value: alarmThresholds.projectionLagP95Ms, label: 'alarm' }],
        width: 8,
      }),
      new GraphWidget({
        title: 'Events handled',
        left: consumers.map((c) =>
          appMetric(metricNames.eventsHandled, c.function.serviceName, Stats.SUM).with({
            label: c.name,
            period: fiveMinutes,
          }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Dead-letter queue depth',
        left: deadLetterQueues.map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: Stats.MAXIMUM,
            label: name,
          }),
        ),
        width: 8,
      }),
    );
    return dashboard;
  }
}
