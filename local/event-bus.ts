import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, EventBridgeEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { rules as definedRules, type RuleDefinition } from '../infra/definitions/rules.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws-config.js';
import { appendDeadLetter, claimHandovers, readHandover } from './dead-letters.js';
import { matchesPattern } from './event-pattern.js';
import { createLambdaContext, invokeHandler } from './lambda-context.js';
import { consoleLogger, errorMessage, type LocalLogger } from './log.js';
import { importFunction, repoRoot } from './repo-modules.js';
import { runWithTableGrants } from './table-grants.js';

export type BusEvent = EventBridgeEvent<string, unknown>;

// biome-ignore lint/suspicious/noConfusingVoidType: a Lambda SQS handler may return nothing (all succeeded).
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventBusOptions {
  /** Defaults to the rules of infra/definitions/rules.ts. */
  rules?: readonly RuleDefinition[];
  /** `<dir>/<RuleName>.jsonl` receives what ends in a rule's dead-letter queue. */
  deadLetterDir: string;
  /** When set, messages still queued at stop() are kept here and delivered after the next start. */
  stateDir?: string;
  /**
   * The drop folder of `npm run dlq -- redrive` (local/redrive.ts): its files of redriven messages are
   * taken at start and while running (looked for every `redrivePollMs`, default 500). Needs `stateDir`.
   */
  redriveDir?: string;
  redrivePollMs?: number;
  /** How a rule's consumer is loaded; default: import `rule.consumer` from the repository root. */
  loadConsumer?: (rule: RuleDefinition) => Promise<SqsHandler>;
  /** Redelivery delay after the n-th failed receive: min(maxMs, baseMs * 2^(n-1)), half of it jittered. */
  retryDelay?: { baseMs: number; maxMs: number };
  /**
   * Batches delivered to a rule's consumer at the same time (default 4), as Lambda's SQS event source
   * runs several invocations at once when a queue has a backlog.
   */
  concurrency?: number;
  logger?: LocalLogger;
}

export interface EventBus {
  /** Enqueues the event for every rule whose pattern matches it; returns the names of those rules. */
  publish(event: BusEvent): string[];
  /** Resolves when every queue is empty and no batch is being delivered (retries pending count as busy). */
  idle(): Promise<void>;
  /** Stops delivering, waits for the batches in flight and keeps the rest in `stateDir` if set. */
  stop(): Promise<void>;
}

const BATCH_SIZE = 10;

interface Message {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  visibleAt: number;
  /** In a batch being delivered (invisible, as a received SQS message is until deleted or timed out). */
  inFlight?: boolean;
  /** Told when the message left the queue: delivered, dead-lettered or saved at stop (redriven messages). */
  left?: () => void;
}

/** What survives a restart (the rest of Message is derived). */
type StoredMessage = Pick<Message, 'messageId' | 'body' | 'sentTimestamp' | 'receiveCount'>;

const newMessage = (body: string, stored?: StoredMessage): Message => ({
  messageId: stored?.messageId ?? randomUUID(),
  body,
  md5OfBody: createHash('md5').update(body).digest('hex'),
  sentTimestamp: stored?.sentTimestamp ?? Date.now(),
  receiveCount: stored?.receiveCount ?? 0,
  visibleAt: 0,
});

const queueArn = (rule: RuleDefinition) => `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${rule.name}`;

const toSqsRecord = (rule: RuleDefinition, message: Message): SQSRecord => ({
  messageId: message.messageId,
  receiptHandle: Buffer.from(`${message.messageId}#${message.receiveCount}#${randomUUID()}`).toString(
    'base64',
  ),
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentTimestamp),
    SenderId: 'events.amazonaws.com',
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? Date.now()),
  },
  messageAttributes: {},
  md5OfBody: message.md5OfBody,
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn(rule),
  awsRegion: LOCAL_REGION,
});

/**
 * The ids of the messages to deliver again, as Lambda's SQS event source mapping reads a handler's
 * answer: a thrown error or a malformed `batchItemFailures` entry fails the whole batch.
 */
const failedMessageIds = (batch: Message[], response: SQSBatchResponse | undefined): Set<string> => {
  const all = new Set(batch.map((message) => message.messageId));
  const failures = response?.batchItemFailures;
  if (!failures?.length) return new Set();
  const failed = new Set<string>();
  for (const failure of failures) {
    if (!failure?.itemIdentifier || !all.has(failure.itemIdentifier)) return all;
    failed.add(failure.itemIdentifier);
  }
  return failed;
};

class RuleQueue {
  private readonly messages: Message[] = [];
  /** The batches being delivered, at most `concurrency`. */
  private readonly delivering = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;
  private consumer: Promise<SqsHandler> | undefined;

  constructor(
    readonly rule: RuleDefinition,
    private readonly options: Required<
      Pick<EventBusOptions, 'deadLetterDir' | 'retryDelay' | 'logger' | 'concurrency'>
    > & {
      loadConsumer: (rule: RuleDefinition) => Promise<SqsHandler>;
      onChange: () => void;
    },
  ) {}

  get isIdle() {
    return this.messages.length === 0 && this.delivering.size === 0;
  }

  get pending(): readonly Message[] {
    return this.messages;
  }

  enqueue(message: Message) {
    this.messages.push(message);
    this.schedule();
  }

  /** Delivers on the next turn of the event loop, so that events published together form one batch. */
  private schedule() {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Starts batches of visible messages while fewer than `concurrency` are being delivered. */
  private pump() {
    if (this.stopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = Date.now();
    const waiting = this.messages.filter((message) => !message.inFlight);
    const visible = waiting.filter((message) => message.visibleAt <= now);
    while (this.delivering.size < this.options.concurrency && visible.length > 0) {
      const batch = visible.splice(0, BATCH_SIZE);
      for (const message of batch) message.inFlight = true;
      const delivery: Promise<void> = this.deliver(batch).finally(() => {
        for (const message of batch) message.inFlight = false;
        this.delivering.delete(delivery);
        this.options.onChange();
        this.schedule();
      });
      this.delivering.add(delivery);
    }
    // Messages waiting for a retry: look again when the first becomes visible (a batch that ends
    // schedules a pump too, which takes whatever is visible by then).
    if (visible.length === 0 && waiting.length > 0 && this.delivering.size < this.options.concurrency) {
      const next = Math.min(...waiting.map((message) => message.visibleAt));
      if (next > now) this.timer = setTimeout(() => this.pump(), Math.max(1, next - now));
    }
  }

  private loadConsumer(): Promise<SqsHandler> {
    this.consumer ??= this.options.loadConsumer(this.rule).catch((error: unknown) => {
      this.consumer = undefined; // try again on the next delivery (the module may be fixed by then)
      throw error;
    });
    return this.consumer;
  }

  private async deliver(batch: Message[]) {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
    }
    const event: SQSEvent = { Records: batch.map((message) => toSqsRecord(this.rule, message)) };
    let failed: Set<string>;
    let error = 'reported in batchItemFailures';
    try {
      const handler = await this.loadConsumer();
      // Held to the tables and actions its rule declares, as its role in the cloud (local/table-grants.ts).
      const response = await runWithTableGrants(
        this.rule,
        () => invokeHandler(handler, event, createLambdaContext(this.rule.name)),
        (message) => this.options.logger.error(`${this.rule.name}: ${message}`),
      );
      failed = failedMessageIds(batch, response ?? undefined);
    } catch (thrown) {
      failed = new Set(batch.map((message) => message.messageId));
      error = errorMessage(thrown);
      this.options.logger.error(`${this.rule.name}: the consumer failed a batch of ${batch.length}`, thrown);
    }
    for (const message of batch) {
      if (failed.has(message.messageId)) continue;
      this.remove(message);
      message.left?.();
    }
    const retried: Message[] = [];
    for (const message of batch.filter((candidate) => failed.has(candidate.messageId))) {
      if (message.receiveCount >= this.rule.maxReceiveCount) {
        this.remove(message);
        await this.deadLetter(message, error);
        message.left?.();
      } else {
        message.visibleAt = Date.now() + this.retryDelay(message.receiveCount);
        retried.push(message);
      }
    }
    if (retried.length > 0) {
      this.options.logger.warn(
        `${this.rule.name}: ${retried.length} of ${batch.length} messages failed (${error}); delivering again`,
      );
    }
  }

  private retryDelay(receiveCount: number) {
    const { baseMs, maxMs } = this.options.retryDelay;
    const delay = Math.min(maxMs, baseMs * 2 ** (receiveCount - 1));
    return Math.round(delay / 2 + (Math.random() * delay) / 2);
  }

  private remove(message: Message) {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }

  private async deadLetter(message: Message, error: string) {
    const { deadLetterDir, logger } = this.options;
    const letter = {
      queue: this.rule.name,
      failedAt: new Date().toISOString(),
      receiveCount: message.receiveCount,
    };
    try {
      // Bodies are EventBridge events as JSON (published, or redriven from a dead letter).
      const file = await appendDeadLetter(deadLetterDir, {
        ...letter,
        error,
        body: JSON.parse(message.body),
      });
      logger.error(
        `${this.rule.name}: message ${message.messageId} failed ${message.receiveCount} times; moved to ${file}`,
      );
    } catch (writeError) {
      logger.error(`${this.rule.name}: could not write dead letter ${message.body}`, writeError);
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.delivering);
  }
}

const stateFile = (dir: string, rule: RuleDefinition) => join(dir, `${rule.name}.pending.json`);

const loadPending = async (dir: string, rule: RuleDefinition): Promise<StoredMessage[]> => {
  const file = stateFile(dir, rule);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as StoredMessage[];
    await rm(file, { force: true });
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Cannot read the queued messages of ${rule.name} from ${file}: ${errorMessage(error)}`);
  }
};

const savePending = async (dir: string, rule: RuleDefinition, messages: readonly Message[]) => {
  const file = stateFile(dir, rule);
  if (messages.length === 0) {
    await rm(file, { force: true });
    return;
  }
  const stored: StoredMessage[] = messages.map(({ messageId, body, sentTimestamp, receiveCount }) => ({
    messageId,
    body,
    sentTimestamp,
    receiveCount,
  }));
  await mkdir(dir, { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(stored), 'utf8');
  await rename(`${file}.tmp`, file);
};

/**
 * The local stand-in for the EventBridge bus, its rules and their SQS queues: one queue per rule, fed
 * by the rule's pattern, delivering SQS batches of up to 10 EventBridge events to the rule's consumer,
 * up to `concurrency` batches of a rule at a time (as Lambda's SQS event source scales out on a backlog;
 * the consumers are made for concurrent, unordered delivery).
 * Failed messages come back after a backoff; after `maxReceiveCount` receives they go to the
 * dead-letter file of the rule.
 */
export const startEventBus = async (options: EventBusOptions): Promise<EventBus> => {
  const {
    rules = definedRules,
    deadLetterDir,
    stateDir,
    loadConsumer = (rule: RuleDefinition) => importFunction<SqsHandler>(rule.consumer, 'handler', repoRoot),
    retryDelay = { baseMs: 200, maxMs: 5_000 },
    concurrency = 4,
    logger = consoleLogger('bus'),
    redriveDir,
    redrivePollMs = 500,
  } = options;

  let waiters: Array<() => void> = [];
  const onChange = () => {
    if (waiters.length === 0 || !queues.every((queue) => queue.isIdle)) return;
    const resolved = waiters;
    waiters = [];
    for (const resolve of resolved) resolve();
  };
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`The event bus concurrency must be a whole number ≥ 1, not ${concurrency}`);
  const queues = rules.map(
    (rule) => new RuleQueue(rule, { deadLetterDir, retryDelay, concurrency, logger, loadConsumer, onChange }),
  );

  if (stateDir) {
    for (const queue of queues) {
      const stored = await loadPending(stateDir, queue.rule);
      for (const message of stored) queue.enqueue(newMessage(message.body, message));
      if (stored.length)
        logger.info(`${queue.rule.name}: ${stored.length} messages queued before the last stop`);
    }
  }

  let stopping: Promise<void> | undefined;

  // Redriven messages: each file of the drop folder goes back to the queue it names or, the pipe's, to the
  // queues whose rules match; the file is deleted once all its messages left their queues.
  if (redriveDir && !stateDir)
    throw new Error('A bus that takes redriven messages must keep its queues (stateDir)');
  const send = (queue: RuleQueue, body: string) =>
    new Promise<void>((left) => queue.enqueue({ ...newMessage(body), left }));
  const taking = new Map<string, Promise<void>>();
  const take = async (file: string) => {
    try {
      const { target, bodies } = await readHandover(file);
      if ('queue' in target && !queues.some((queue) => queue.rule.name === target.queue))
        throw new Error(`no queue ${target.queue}`);
      const targets = (body: string) =>
        'queue' in target
          ? queues.filter((queue) => queue.rule.name === target.queue)
          : queues.filter((queue) => matchesPattern(queue.rule.pattern, JSON.parse(body)));
      const sent = bodies.flatMap((body) => targets(body).map((queue) => send(queue, body)));
      logger.info(`${bodies.length} redriven messages from ${file}`);
      const done = Promise.all(sent)
        .then(() => rm(file, { force: true }))
        .catch((error: unknown) =>
          logger.error(`redriving ${file} failed; it stays for the next start`, error),
        )
        .finally(() => taking.delete(file));
      taking.set(file, done);
    } catch (error) {
      logger.error(`cannot redrive ${file}; moved aside as .rejected`, error);
      await rename(file, `${file}.rejected`).catch(() => {});
    }
  };
  const takeHandovers = async (atStart: boolean) => {
    if (!redriveDir) return;
    for (const file of await claimHandovers(redriveDir, atStart)) if (!taking.has(file)) await take(file);
  };
  await takeHandovers(true);
  let scanning: Promise<void> | undefined;
  const poll = setInterval(() => {
    scanning ??= takeHandovers(false)
      .catch((error: unknown) => logger.error(`reading ${redriveDir} failed`, error))
      .finally(() => {
        scanning = undefined;
      });
  }, redrivePollMs);
  poll.unref();

  return {
    publish(event) {
      if (stopping) throw new Error('The event bus is stopped');
      const body = JSON.stringify(event);
      const matched: string[] = [];
      for (const queue of queues) {
        if (!matchesPattern(queue.rule.pattern, event)) continue;
        queue.enqueue(newMessage(body));
        matched.push(queue.rule.name);
      }
      return matched;
    },
    idle() {
      if (queues.every((queue) => queue.isIdle)) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(poll);
        await scanning;
        await Promise.all(queues.map((queue) => queue.stop()));
        for (const queue of queues) {
          if (stateDir) await savePending(stateDir, queue.rule, queue.pending);
          else if (queue.pending.length)
            logger.warn(
              `${queue.rule.name}: ${queue.pending.length} messages were not delivered before stop`,
            );
          if (stateDir) for (const message of queue.pending) message.left?.();
        }
        await Promise.all(taking.values());
      })();
      return stopping;
    },
  };
};
