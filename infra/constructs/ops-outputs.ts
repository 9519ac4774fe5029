import { CfnOutput } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Archive, IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { outputKeys } from '../definitions/outputs.js';

export interface OpsOutputsProps {
  eventsTable: ITable;
  streamStateTable: ITable;
  readModelsTable: ITable;
  personalReadModelsTable: ITable;
  dataKeysTable: ITable;
  personalDataKey: IKey;
  emailMacKey: IKey;
  bus: IEventBus;
  archive: Archive;
  pipe: CfnPipe;
  pipeDeadLetterQueue: IQueue;
  /** By rule name: the queue in front of its consumer and that queue's dead-letter queue. */
  consumers: ReadonlyMap<string, { queue: IQueue; deadLetterQueue: IQueue }>;
}

/**
 * The names and URLs the operators' tools need (`npm run rebuild -- --cloud`, `npm run dlq -- --cloud`,
 * an archive replay), as stack outputs under the fixed keys of infra/definitions/outputs.ts.
 */
export class OpsOutputs extends Construct {
  constructor(scope: Construct, id: string, props: OpsOutputsProps) {
    super(scope, id);
    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { key, value, description });
    output(outputKeys.eventsTable, props.eventsTable.tableName, 'The event store table');
    output(
      outputKeys.streamStateTable,
      props.streamStateTable.tableName,
      'The stream tips, guards and idempotency records',
    );
    output(outputKeys.readModelsTable, props.readModelsTable.tableName, 'The read models table');
    output(
      outputKeys.personalReadModelsTable,
      props.personalReadModelsTable.tableName,
      'The read models of plaintext personal data (registrant list, visa letters)',
    );
    output(outputKeys.dataKeysTable, props.dataKeysTable.tableName, 'The wrapped data keys of personal data');
    output(
      outputKeys.personalDataKeyArn,
      props.personalDataKey.keyArn,
      'The KMS key that wraps the data keys',
    );
    output(outputKeys.emailMacKeyArn, props.emailMacKey.keyArn, 'The KMS HMAC key of the email guard');
    output(outputKeys.eventBusName, props.bus.eventBusName, 'The conference event bus');
    output(outputKeys.eventArchiveName, props.archive.archiveName, 'The archive of every event on the bus');
    output(outputKeys.pipeName, props.pipe.ref, 'The pipe from the events table stream to the bus');
    output(
      outputKeys.pipeDeadLetterQueueUrl,
      props.pipeDeadLetterQueue.queueUrl,
      "The pipe's dead-letter queue: descriptions of stream batches that failed",
    );
    for (const [rule, { queue, deadLetterQueue }] of props.consumers) {
      output(outputKeys.queueUrl(rule), queue.queueUrl, `The queue of the ${rule} consumer`);
      output(
        outputKeys.deadLetterQueueUrl(rule),
        deadLetterQueue.queueUrl,
        `The dead-letter queue of ${rule}`,
      );
    }
  }
}
