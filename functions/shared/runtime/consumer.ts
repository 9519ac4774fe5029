import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EventEnvelope, parseEnvelope } from '../../../domain/events.js';
import { withFreshRetries, withinBudget } from '../resilience/policy.js';
import { logger, metricNames, metrics, tracer } from './observability.js';

/** The envelope of an SQS record whose body is an EventBridge event (rule → queue → function). */
export const envelopeOf = (record: SQSRecord): EventEnvelope => {
  const busEvent = JSON.parse(record.body) as { detail?: unknown };
  return parseEnvelope(busEvent.detail);
};

/**
 * The middy chain of every bus consumer: records are handled one after another (fewer gaps to fill) and
 * a failed record is reported alone, so SQS redelivers only it and, after the last try, dead-letters it.
 * Each record's log lines carry the correlation id of the command that caused its event; each handled
 * event records its lag (occurredAt → handled), and each batch how many events it handled. The batch's
 * retries stop at one deadline taken from the Lambda context; each record has its own allowance of retries.
 */
export const busConsumer = (handle: (envelope: EventEnvelope) => Promise<unknown>) => {
  const handleRecord = async (record: SQSRecord) => {
    const envelope = envelopeOf(record);
    logger.appendKeys({ correlationId: envelope.metadata.correlationId, eventId: envelope.eventId });
    try {
      const result = await withFreshRetries(() => handle(envelope));
      const lag = Date.now() - Date.parse(envelope.occurredAt);
      if (Number.isFinite(lag)) metrics.addMetric(metricNames.projectionLag, MetricUnit.Milliseconds, lag);
      return result;
    } catch (error) {
      logger.error('Event not handled', { error, type: envelope.type, streamId: envelope.streamId });
      throw error;
    } finally {
      logger.removeKeys(['correlationId', 'eventId']);
    }
  };
  const handleBatch = async (event: SQSEvent, context: Context) => {
    let failed = event.Records.length;
    try {
      // One processor per invocation: it holds the batch's state, which concurrent invocations (locally,
      // or with AWS_LAMBDA_MAX_CONCURRENCY) must not share.
      const processor = new BatchProcessor(EventType.SQS);
      const response = await withinBudget(context, () =>
        processPartialResponse(event, handleRecord, processor, { context, processInParallel: false }),
      );
      failed = response.batchItemFailures.length;
      return response;
    } finally {
      metrics.addMetric(metricNames.eventsHandled, MetricUnit.Count, event.Records.length - failed);
    }
  };
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(handleBatch);
};
