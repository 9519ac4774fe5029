import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import type { DocumentJob, DocumentJobs } from '../functions/shared/runtime/adapters.js';
import { documentsAccess, documentsFunction } from '../infra/definitions/documents.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws-config.js';
import { createLambdaContext, invokeHandler } from './lambda-context.js';
import type { LocalLogger } from './log.js';
import { importFunction } from './repo-modules.js';
import { outsideRouteGrants, runWithTableGrants } from './table-grants.js';

type DocumentsHandler = (event: SQSEvent) => Promise<void>;

export interface LocalDocumentJobs extends DocumentJobs {
  /** Resolves once no document is being made or waiting. */
  idle(): Promise<void>;
  /** Takes no more documents and waits for those started. */
  stop(): Promise<void>;
}

/**
 * The cloud's documents queue and its function, on this machine: a job is handed to the same handler
 * module (infra/definitions/documents.ts) as an SQS event of one message, asynchronously, after the
 * request that asked for it was answered; `concurrency` at a time (the queue's maximum concurrency).
 * A document the handler fails is marked failed by the handler itself, as in the cloud; one the process
 * loses (a stop, a crash) stays `running` until its deadline, then reads as failed.
 */
export const localDocumentJobs = (options: {
  logger: LocalLogger;
  concurrency?: number;
  load?: () => Promise<DocumentsHandler>;
}): LocalDocumentJobs => {
  const concurrency = options.concurrency ?? 2;
  let handler: Promise<DocumentsHandler> | undefined;
  const waiting: DocumentJob[] = [];
  const running = new Set<Promise<void>>();
  let idleWaiters: Array<() => void> = [];
  let stopped = false;

  const settle = () => {
    if (running.size > 0 || waiting.length > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const eventOf = (job: DocumentJob): SQSEvent => {
    const body = JSON.stringify(job);
    const now = String(Date.now());
    return {
      Records: [
        {
          messageId: randomUUID(),
          receiptHandle: randomUUID(),
          body,
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: now,
            SenderId: LOCAL_ACCOUNT,
            ApproximateFirstReceiveTimestamp: now,
          },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(body).digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${documentsFunction.name}`,
          awsRegion: LOCAL_REGION,
        },
      ],
    };
  };

  const next = () => {
    while (!stopped && running.size < concurrency && waiting.length > 0) {
      const job = waiting.shift() as DocumentJob;
      handler ??= (options.load ?? (() => importFunction<DocumentsHandler>(documentsFunction.entry)))();
      const run = (async () => {
        const handle = await handler;
        const context = createLambdaContext(documentsFunction.name, documentsFunction.timeoutSeconds * 1000);
        // Held to the tables and actions of its definition, as its role in the cloud (local/table-grants.ts).
        await runWithTableGrants(
          documentsAccess,
          () => invokeHandler(handle as never, eventOf(job), context),
          (message) => options.logger.error(`${documentsFunction.name}: ${message}`),
        );
      })()
        .catch((error: unknown) => options.logger.error(`document ${job.documentId} failed`, error))
        .finally(() => {
          running.delete(run);
          next();
          settle();
        });
      running.add(run);
    }
  };

  return {
    async start(job) {
      if (stopped) throw new Error('The local stack is stopping: no more documents');
      waiting.push(job);
      // After the answer: as Lambda's queue trigger, never within the request that asked.
      // Outside the request's route: the documents function has its own role (local/table-grants.ts).
      outsideRouteGrants(() => setImmediate(next));
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
    async stop() {
      stopped = true;
      waiting.length = 0;
      await Promise.allSettled([...running]);
      idleWaiters = idleWaiters.filter((resolve) => {
        resolve();
        return false;
      });
    },
  };
};
