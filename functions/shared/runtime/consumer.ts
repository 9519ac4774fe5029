import { AsyncLocalStorage } from 'node:async_hooks';
import {
  BatchProcessor,
  EventType,
  FullBatchFailureError,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EventEnvelope, parseEnvelope } from '../../../domain/events.js';
import { env } from '../../../infra/definitions/tables.js';
import { withFreshRetries, withinBudget } from '../resilience/policy.js';
import { logger, metricNames, metrics } from './observability.js';

/** The fields of an EventBridge event that a consumer reads besides `detail`. */
interface BusEvent {
  detail?: unknown;
  /** When the event reached the bus (PutEvents); an archive replay keeps the original time. */
  time?: string;
  /** Set by EventBridge on every event of an archive replay. */
  'replay-name'?: string;
}

/**
 * Thrown by a consumer that cannot handle an event yet (something it depends on is still on its way):
 * the record fails, SQS delivers it again after the visibility timeout, and it is logged at INFO, not as
 * an error, since it is expected. One that never succeeds reaches the dead-letter queue like any other.
 */
export class DeliverAgainLater extends Error {
  override name = 'DeliverAgainLater';
}

/** The reads shared by the records of the batch being handled (oncePerBatch), by reader. */
const batchReads = new AsyncLocalStorage<Map<object, Map<string, Promise<unknown>>>>();

/**
 * `read` shared by the records of one delivered batch: the first record that asks for a key reads it, the
 * others of the same batch take that read (e.g. the conference, which ten emails of one batch would
 * otherwise each read again, a round trip apiece). A read that fails is forgotten, so a retry reads again;
 * the next batch reads afresh. Outside a batch's handling, it is `read` itself.
 */
export const oncePerBatch = <T>(read: (key: string) => Promise<T>): ((key: string) => Promise<T>) => {
  const reader = {};
  return (key) => {
    const reads = batchReads.getStore();
    if (!reads) return read(key);
    const byKey = reads.get(reader) ?? new Map<string, Promise<unknown>>();
    reads.set(reader, byKey);
    const known = byKey.get(key) as Promise<T> | undefined;
    if (known) return known;
    const reading = read(key);
    byKey.set(key, reading);
    reading.catch(() => {
      if (byKey.get(key) === reading) byKey.delete(key);
    });
    return reading;
  };
};

const busEventOf = (record: SQSRecord): BusEvent => JSON.parse(record.body) as BusEvent;

/** The envelope of an SQS record whose body is an EventBridge event (rule → queue → function). */
export const envelopeOf = (record: SQSRecord): EventEnvelope => parseEnvelope(busEventOf(record).detail);

/**
 * How long a handled event waited, and under which metric. A live event's lag runs from when it reached
 * the bus (the EventBridge `time`), not from `occurredAt`: a redriven or rebuilt old event says how long
 * the pipeline took, not how old the event is. An archive replay's events keep their original `time`, so
 * they are measured apart (ReplayLag, from when the replay put them in the queue) and never move the
 * ProjectionLag alarm.
 */
export const lagOf = (
  busEvent: Pick<BusEvent, 'time' | 'replay-name'>,
  record: Pick<SQSRecord, 'attributes'>,
  now: number,
): { metric: string; milliseconds: number } | undefined => {
  const replayed = busEvent['replay-name'] !== undefined;
  const since = replayed
    ? Number(record.attributes.SentTimestamp)
    : Date.parse(busEvent.time ?? '') || Number(record.attributes.SentTimestamp);
  const milliseconds = now - since;
  if (!Number.isFinite(milliseconds) || since <= 0) return undefined;
  return {
    metric: replayed ? metricNames.replayLag : metricNames.projectionLag,
    milliseconds: Math.max(0, milliseconds),
  };
};

export interface BusConsumerOptions {
  /**
   * Handles the whole batch at once (e.g. a projection's rows in one or a few transactions,
   * ProjectionRunner.applyBatch), tried first; it must leave every event as `handle` would (exactly once
   * per stream, in version order). Should it fail, the batch is handled again record by record by
   * `handle`, which skips what the whole batch already applied, and a failed record is reported alone.
   */
  batch?: (envelopes: EventEnvelope[]) => Promise<unknown>;
  /**
   * Records of different streams handled at the same time, up to this many streams (each stream's records
   * still one after another, in the batch's order, and those after a failed one failed with it), for a
   * consumer whose records of different streams do not depend on each other (the notifier: an email per
   * event). Their waits on DynamoDB overlap, so a batch is not the sum of ten records' waits. Log lines
   * then carry the correlation id as a field of their own, not as the logger's key shared by the batch.
   */
  concurrentStreams?: number;
}

/**
 * The middy chain of every bus consumer: records are handled one after another (fewer gaps to fill), or
 * first the whole batch at once when the consumer gives `options.batch` (a projector), and a failed record
 * is reported alone, so SQS redelivers only it and, after the last try, dead-letters it.
 * Each record's log lines carry the correlation id of the command that caused its event; each handled
 * event records its lag (reached the bus → handled, see `lagOf`), and each batch how many events it handled.
 * The batch's retries stop at one deadline taken from the Lambda context; each record has its own
 * allowance of retries.
 */
export const busConsumer = (
  handle: (envelope: EventEnvelope) => Promise<unknown>,
  options: BusConsumerOptions = {},
) => {
  /** The whole batch by `options.batch`: true when every record was handled. */
  const handleWhole = async (event: SQSEvent, context: Context): Promise<boolean> => {
    const whole = options.batch;
    if (!whole || event.Records.length < 2 || process.env[env.consumerBatches] === 'off') return false;
    try {
      const busEvents = event.Records.map(busEventOf);
      const envelopes = busEvents.map((busEvent) => parseEnvelope(busEvent.detail));
      await withinBudget(context, () => withFreshRetries(() => whole(envelopes)));
      const now = Date.now();
      event.Records.forEach((record, index) => {
        const lag = lagOf(busEvents[index] as BusEvent, record, now);
        if (lag) metrics.addMetric(lag.metric, MetricUnit.Milliseconds, lag.milliseconds);
      });
      return true;
    } catch (error) {
      logger.info('Batch handed to record-by-record handling', {
        records: event.Records.length,
        reason: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  };
  const handleRecord = async (record: SQSRecord, { concurrent = false } = {}) => {
    const busEvent = busEventOf(record);
    const envelope = parseEnvelope(busEvent.detail);
    const keys = { correlationId: envelope.metadata.correlationId, eventId: envelope.eventId };
    if (!concurrent) logger.appendKeys(keys);
    try {
      const result = await withFreshRetries(() => handle(envelope));
      const lag = lagOf(busEvent, record, Date.now());
      if (lag) metrics.addMetric(lag.metric, MetricUnit.Milliseconds, lag.milliseconds);
      return result;
    } catch (error) {
      const fields = { type: envelope.type, streamId: envelope.streamId, ...(concurrent ? keys : {}) };
      if (error instanceof DeliverAgainLater)
        logger.info('Event handed back to be delivered again', { ...fields, reason: error.message });
      else logger.error('Event not handled', { error, ...fields });
      throw error;
    } finally {
      if (!concurrent) logger.removeKeys(['correlationId', 'eventId']);
    }
  };
  /**
   * The records by stream, up to `streams` streams at a time; the ids of the records that failed. When
   * every record failed, throws as Powertools' processor does (FullBatchFailureError, with their errors).
   */
  const handleStreamsConcurrently = async (records: SQSRecord[], streams: number): Promise<string[]> => {
    const byStream = new Map<string, SQSRecord[]>();
    for (const record of records) {
      let streamId = `unparsed#${record.messageId}`;
      try {
        streamId = envelopeOf(record).streamId;
      } catch {
        // handled alone below, where it fails as it would one after another
      }
      byStream.set(streamId, [...(byStream.get(streamId) ?? []), record]);
    }
    const queue = [...byStream.values()];
    const failed: string[] = [];
    const errors: Error[] = [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        let broken = false;
        for (const record of next) {
          if (broken) {
            failed.push(record.messageId); // an earlier event of its stream failed: not before it
            errors.push(
              new Error(`Record ${record.messageId} not handled: an earlier event of its stream failed`),
            );
            continue;
          }
          try {
            await handleRecord(record, { concurrent: true });
          } catch (error) {
            broken = true;
            failed.push(record.messageId);
            errors.push(error instanceof Error ? error : new Error(String(error)));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(streams, queue.length) }, worker));
    if (failed.length === records.length) throw new FullBatchFailureError(errors);
    return failed;
  };
  const handleBatch = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    let failed = event.Records.length;
    try {
      if (await handleWhole(event, context)) {
        failed = 0;
        return { batchItemFailures: [] };
      }
      if ((options.concurrentStreams ?? 1) > 1 && event.Records.length > 1) {
        const failures = await withinBudget(context, () =>
          handleStreamsConcurrently(event.Records, options.concurrentStreams ?? 1),
        );
        failed = failures.length;
        return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
      }
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
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler((event, context) => batchReads.run(new Map(), () => handleBatch(event, context)));
};
