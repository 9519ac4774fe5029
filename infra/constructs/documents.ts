import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { documentsAccess, documentsFunction } from '../definitions/documents.js';
import { env } from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import type { EventStore } from './event-store.js';
import type { ExportsBucket } from './exports-bucket.js';
import { LambdaFunction } from './lambda-function.js';
import type { PersonalData } from './personal-data.js';
import { grantTableAccess } from './table-grants.js';

export interface DocumentsProps {
  stage: Stage;
  eventStore: EventStore;
  readModelsTable: ITable;
  /** The registrant list's rows (names, emails): what badges, the CSV and the List of Participants print. */
  personalReadModelsTable: ITable;
  personalData: PersonalData;
  exports: ExportsBucket;
}

/** Documents made at once at most: each takes a vCPU for up to minutes; the rest wait in the queue. */
const MAX_CONCURRENT_DOCUMENTS = 5;

/**
 * Documents for a whole conference, made in the background (CONTRACT 5.5): a queue, and the function
 * that takes its messages one at a time (infra/definitions/documents.ts: 15 minutes, a full vCPU),
 * reads the registrant list, makes the check-in codes (MACs) and streams the file to the exports bucket
 * in a multipart upload. The status of each document is an item of the stream-state table (no personal
 * data), which the function updates as it goes. A message is tried up to three times (a throttled or
 * crashed invocation); one that times out is not made again, since its status is past its deadline by
 * then; what fails every try lands in the dead-letter queue, alarmed by Observability.
 */
export class Documents extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: DocumentsProps) {
    super(scope, id);
    const { removalPolicy } = settingsOf(props.stage);
    const fn = new LambdaFunction(this, `${documentsFunction.name}Function`, {
      stage: props.stage,
      entry: documentsFunction.entry,
      kind: 'consumer',
      serviceName: 'documents',
      description: 'Makes badges, registrations CSVs and Lists of Participants in the background',
      files: [...documentsFunction.files],
      memorySize: documentsFunction.memoryMb,
      timeout: Duration.seconds(documentsFunction.timeoutSeconds),
      environment: {
        [env.exportsBucket]: props.exports.bucket.bucketName,
      },
    });
    // Exactly the tables and actions its definition declares: the document's status item is updated as
    // it goes (progress, then done or failed).
    grantTableAccess(fn, documentsAccess, {
      events: props.eventStore.table,
      streamState: props.eventStore.stateTable,
      readModels: props.readModelsTable,
      personalReadModels: props.personalReadModelsTable,
    });
    props.personalData.grant(documentsFunction.personalData, fn);
    props.exports.grantPublish(fn, { multipart: true });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Hidden while its function may still run; a second try after a timeout finds the document failed.
      visibilityTimeout: Duration.seconds(documentsFunction.timeoutSeconds + 60),
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
      removalPolicy,
    });
    fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, maxConcurrency: MAX_CONCURRENT_DOCUMENTS }),
    );
    this.function = fn;
  }

  /** Lets the function of `POST .../documents` start documents: send to the queue. */
  grantStart(fn: LambdaFunction): void {
    fn.addEnvironment(env.documentsQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }
}
