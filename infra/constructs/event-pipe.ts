import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pipeDefinition } from '../definitions/pipe.js';
import { type Stage, settingsOf } from '../stage.js';
import { LambdaFunction } from './lambda-function.js';
import { acknowledge } from './nag.js';

export interface EventPipeProps {
  stage: Stage;
  /** The event store; it must have a stream. */
  eventsTable: ITable;
  bus: IEventBus;
}

/**
 * Events table stream → EventBridge Pipe → bus. The pipe keeps only inserted event items (the filter of
 * `pipeDefinition`), the enrichment function turns each stream record into the envelope of CONTRACT
 * section 3, and the bus target publishes it with the event type as detail-type. Batches that still
 * fail after the retries are described in the dead-letter queue.
 */
export class EventPipe extends Construct {
  readonly pipe: CfnPipe;
  readonly enrichment: LambdaFunction;
  readonly deadLetterQueue: Queue;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: EventPipeProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    const streamArn = props.eventsTable.tableStreamArn;
    if (!streamArn) {
      throw new Error('The event pipe needs the stream of the events table');
    }

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: settings.removalPolicy,
    });

    this.enrichment = new LambdaFunction(this, 'EnrichmentFunction', {
      stage: props.stage,
      entry: pipeDefinition.enrichment,
      kind: 'consumer',
      serviceName: 'event-pipe',
      description: 'Turns events table stream records into event envelopes',
    });

    const logGroup = new LogGroup(this, 'Logs', {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });

    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      description: 'Execution role of the event pipe',
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    props.eventsTable.grantStreamRead(this.role);
    this.enrichment.grantInvokeLatestVersion(this.role);
    props.bus.grantPutEventsTo(this.role);
    this.deadLetterQueue.grantSendMessages(this.role);
    logGroup.grantWrite(this.role);
    acknowledge(
      this.role,
      'IAM5[Resource::*]',
      'Granted by eventsTable.grantStreamRead: dynamodb:ListStreams supports no resource-level permissions; ' +
        'the stream read actions themselves are limited to the events table stream.',
    );
    acknowledge(
      this.deadLetterQueue,
      'SQS3',
      'This queue is itself a dead-letter queue: the DeadLetterConfig of the pipe source (cdk-nag only ' +
        'recognises queues used in an SQS redrive policy).',
    );

    this.pipe = new CfnPipe(this, 'Pipe', {
      description: 'Events table stream to the conference event bus',
      roleArn: this.role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: pipeDefinition.batchSize,
          maximumRetryAttempts: pipeDefinition.maxRetryAttempts,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(pipeDefinition.filterPattern) }] },
      },
      enrichment: this.enrichment.functionArn,
      target: props.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: {
          source: pipeDefinition.source,
          detailType: pipeDefinition.detailTypePath,
        },
      },
      logConfiguration: {
        level: 'ERROR',
        cloudwatchLogsLogDestination: { logGroupArn: logGroup.logGroupArn },
      },
    });
    // The role's policy must exist before the pipe starts reading the stream.
    this.pipe.node.addDependency(this.role);
  }
}
