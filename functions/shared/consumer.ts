import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EventEnvelope, parseEnvelope } from '../../domain/events.js';
import { logger } from './observability.js';

/** The envelope of an SQS record whose body is an EventBridge event (rule → queue → function). */
export const envelopeOf = (record: SQSRecord): EventEnvelope => {
  const busEvent = JSON.parse(record.body) as { detail?: unknown };
  return parseEnvelope(busEvent.detail);
};

/**
 * The middy chain of every bus consumer: records are handled one after another (fewer gaps to fill) and
 * a failed record is reported alone, so SQS redelivers only it and, after the last try, dead-letters it.
 */
export const busConsumer = (handle: (envelope: EventEnvelope) => Promise<unknown>) => {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord) => {
    const envelope = envelopeOf(record);
    logger.appendKeys({ correlationId: envelope.metadata.correlationId, eventId: envelope.eventId });
    try {
      return await handle(envelope);
    } catch (error) {
      logger.error('Event not handled', { error, type: envelope.type, streamId: envelope.streamId });
      throw error;
    } finally {
      logger.removeKeys(['correlationId', 'eventId']);
    }
  };
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event, context) =>
      processPartialResponse(event, handleRecord, processor, { context, processInParallel: false }),
    );
};
