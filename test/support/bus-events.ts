import { randomUUID } from 'node:crypto';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventEnvelope } from '../../domain/events.js';
import { EVENT_SOURCE, type RuleDefinition } from '../../infra/definitions/rules.js';
import { lambdaContext } from './api-gateway.js';

/** A rule for tests of the local bus: its consumer is never loaded (the test gives loadConsumer). */
export const testRule = (
  name: string,
  types: string[],
  overrides: Partial<RuleDefinition> = {},
): RuleDefinition => ({
  name,
  description: 'test rule',
  pattern: { source: [EVENT_SOURCE], 'detail-type': types },
  consumer: 'unused: loadConsumer is given',
  maxReceiveCount: 3,
  writes: false,
  ...overrides,
});

/** How a test's SQS record differs from the defaults (those of a record the cloud delivers). */
export interface SqsRecordOptions {
  /** The queue's name in the record's ARN. */
  queue: string;
  /** The EventBridge event's id. */
  busEventId?: string;
  receiptHandle?: string;
  senderId?: string;
  /** SentTimestamp and ApproximateFirstReceiveTimestamp (ms since the epoch); now when not given. */
  sentAt?: number;
}

/**
 * One SQS record whose body is the EventBridge event of `envelope`, as a consumer gets it
 * (rule → queue → function).
 */
export const sqsRecord = (
  envelope: EventEnvelope,
  messageId: string,
  options: SqsRecordOptions,
): SQSRecord => {
  const sentAt = String(options.sentAt ?? Date.now());
  return {
    messageId,
    receiptHandle: options.receiptHandle ?? `receipt-${messageId}`,
    body: JSON.stringify({
      version: '0',
      id: options.busEventId ?? randomUUID(),
      'detail-type': envelope.type,
      source: EVENT_SOURCE,
      account: '000000000000',
      time: envelope.occurredAt,
      region: 'local',
      resources: [],
      detail: envelope,
    }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sentAt,
      SenderId: options.senderId ?? 'events.amazonaws.com',
      ApproximateFirstReceiveTimestamp: sentAt,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${options.queue}`,
    awsRegion: 'local',
  };
};

/** The handler of a consumer (functions/consumers/*), as its queue invokes it. */
export type SqsConsumer = (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse | undefined>;

/**
 * Delivers `envelope` to `consumer` in an SQS message of its own (a random message id); returns the ids
 * of the messages SQS would deliver again (a batch that failed whole fails every message).
 */
export const deliverAlone = async (
  consumer: SqsConsumer,
  envelope: EventEnvelope,
  options: { queue: string; functionName: string; remainingTimeMs?: number },
): Promise<string[]> => {
  const messageId = randomUUID();
  const context = lambdaContext(options.functionName);
  const { remainingTimeMs } = options;
  if (remainingTimeMs !== undefined) context.getRemainingTimeInMillis = () => remainingTimeMs;
  try {
    const response = await consumer(
      { Records: [sqsRecord(envelope, messageId, { queue: options.queue })] },
      context,
    );
    return (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
  } catch (error) {
    if (error instanceof FullBatchFailureError) return [messageId];
    throw error;
  }
};
