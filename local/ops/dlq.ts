/**
 * `npm run dlq -- list [--peek N]`
 * `npm run dlq -- redrive <queue> | --all [--wait SECONDS]`
 * `            ... [--cloud [--stage dev|prod] [--stack NAME] [--region REGION]]`
 *
 * The dead letters of the consumers' queues and of the event pipe. Locally they are the JSON lines of
 * DATA_DIR/dead-letters/<queue>.jsonl; redrive hands them back to the local bus through its drop folder
 * (local/redrive.ts), whether `npm start` runs or not. With --cloud they are the SQS dead-letter queues of
 * the deployed stack; redrive starts an SQS message move task from a dead-letter queue to its queue.
 */
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { outputKeys } from '../../infra/definitions/outputs.js';
import { rules } from '../../infra/definitions/rules.js';
import { dataDirFromEnv, localPaths } from '../data-dir.js';
import {
  type DeadLetter,
  handoverState,
  listDeadLetters,
  PIPE_DEAD_LETTER_QUEUE,
  pendingHandovers,
  redriveFolder,
} from '../dead-letters.js';
import { errorMessage } from '../log.js';
import { redriveLocal } from '../redrive.js';
import { requiredOutput, stackOutputs, targetOptions } from './targets.js';

const queueNames = [...rules.map((rule) => rule.name), PIPE_DEAD_LETTER_QUEUE];

const usage = `usage: npm run dlq -- list [--peek N] [--cloud ...]
       npm run dlq -- redrive <queue> | --all [--wait SECONDS] [--cloud ...]
  --cloud [--stage dev|prod] [--stack NAME] [--region REGION]: the deployed stack's queues
queues: ${queueNames.join(', ')}`;

let say = (line = '') => {
  process.stdout.write(`${line}\n`);
};
const shown = (path: string) => {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') ? path : fromHere;
};

const parse = (args: string[]) => {
  const { values, positionals } = parseArgs({
    args,
    options: {
      all: { type: 'boolean', default: false },
      peek: { type: 'string', default: '5' },
      wait: { type: 'string', default: '30' },
      ...targetOptions,
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    say(usage);
    process.exit(0);
  }
  const [command, ...queues] = positionals;
  if (command !== 'list' && command !== 'redrive') throw new Error('say list or redrive');
  if (command === 'list' && (queues.length > 0 || values.all)) throw new Error('list takes no queue');
  if (command === 'redrive' && values.all === queues.length > 0)
    throw new Error('name the queue to redrive, or give --all');
  for (const queue of queues) if (!queueNames.includes(queue)) throw new Error(`no queue ${queue}`);
  const peek = Number(values.peek);
  const wait = Number(values.wait);
  if (!Number.isInteger(peek) || peek < 0 || peek > 10) throw new Error('--peek must be 0 to 10');
  if (!Number.isFinite(wait) || wait < 0) throw new Error('--wait must be a number of seconds');
  // `list` always shows every queue; `redrive` the one named or, with --all, every queue.
  const chosen = command === 'list' || values.all ? queueNames : queues;
  return { ...values, command, queues: chosen, peek, waitMs: wait * 1000 };
};

type Options = ReturnType<typeof parse>;

/** What a message is about: the event's type and id (and stream version) from an EventBridge event. */
const describeEvent = (body: unknown): string => {
  const event = (typeof body === 'string' ? safeJson(body) : body) as
    | { 'detail-type'?: string; detail?: { eventId?: string; streamId?: string; version?: number } }
    | undefined;
  const detail = event?.detail;
  if (!detail) return 'not an event';
  return `${event?.['detail-type'] ?? '?'} ${detail.eventId ?? '?'} (${detail.streamId ?? '?'} v${detail.version ?? '?'})`;
};

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The events of a batch of stream records (the pipe's local dead letters), from their new images. */
const describeRecords = (body: unknown): string => {
  const records = Array.isArray(body) ? (body as DynamoDBRecord[]) : [];
  const events = records.map((record) => {
    const image = record.dynamodb?.NewImage;
    return `${image?.type?.S ?? '?'} ${image?.eventId?.S ?? '?'}`;
  });
  return `${records.length} stream records: ${events.join(', ')}`;
};

const describeLetter = (queue: string, letter: DeadLetter) =>
  `  ${letter.failedAt}  received ${letter.receiveCount}×  ` +
  `${queue === PIPE_DEAD_LETTER_QUEUE ? describeRecords(letter.body) : describeEvent(letter.body)}\n` +
  `      error: ${letter.error}`;

const listLocal = async () => {
  const paths = localPaths(dataDirFromEnv());
  const queues = await listDeadLetters(paths.deadLetters);
  say(`Dead letters in ${shown(paths.deadLetters)}/`);
  if (queues.length === 0) say('  none');
  for (const { queue, letters } of queues) {
    say(`${queue}: ${letters.length} ${queue === PIPE_DEAD_LETTER_QUEUE ? 'failed batches' : 'messages'}`);
    for (const letter of letters) say(describeLetter(queue, letter));
  }
  const pending = await pendingHandovers(redriveFolder(paths.deadLetters));
  if (pending.length > 0) {
    say(`Redriven, not yet delivered (${shown(redriveFolder(paths.deadLetters))}/):`);
    for (const handover of pending)
      say(
        `  ${handover.messages} messages for ${handover.target}: ` +
          `${handover.claimed ? 'being delivered by the running npm start' : 'delivered when npm start runs'}`,
      );
  }
};

/** Follows a hand-over: taken by a running `npm start` within 3 s, or waiting for the next start. */
const followHandover = async (file: string, waitMs: number) => {
  const started = Date.now();
  let state = await handoverState(file);
  for (
    ;
    state !== 'done' && Date.now() - started < (state === 'waiting' ? Math.min(waitMs, 3_000) : waitMs);
  ) {
    await sleep(200);
    state = await handoverState(file);
  }
  say(
    {
      waiting:
        '  npm start is not running: they are delivered when it starts (they wait in the drop folder).',
      claimed: `  The running npm start took them and is still delivering them after ${waitMs / 1000} s.`,
      done:
        '  The running npm start took them and is done with them: each was handled or, if it failed ' +
        'again, is back in the dead letters (npm run dlq -- list).',
    }[state],
  );
};

const redriveLocalQueues = async (options: Options) => {
  const paths = localPaths(dataDirFromEnv());
  const present = new Set((await listDeadLetters(paths.deadLetters)).map((entry) => entry.queue));
  let failed = false;
  for (const queue of options.queues) {
    if (!present.has(queue)) {
      if (!options.all) say(`${queue}: no dead letters`);
      continue;
    }
    try {
      const result = await redriveLocal({
        deadLetterDir: paths.deadLetters,
        queue,
        rules,
        logger: { info: say, warn: say, error: (message) => say(message) },
      });
      say(
        `${queue}: ${result.handedOver} messages handed over to the local bus` +
          `${queue === PIPE_DEAD_LETTER_QUEUE ? ' (enriched again and routed by the rules)' : ''}` +
          `${result.kept > 0 ? `; ${result.kept} failed batches kept (enrichment still fails)` : ''}` +
          `${result.file ? ` via ${shown(result.file)}` : ''}`,
      );
      if (result.file) await followHandover(result.file, options.waitMs);
    } catch (error) {
      failed = true;
      say(`${queue}: not redriven: ${errorMessage(error)}`);
    }
  }
  if (present.size === 0) say(`No dead letters in ${shown(paths.deadLetters)}/`);
  if (failed) process.exitCode = 1;
};

const PIPE_EXPLANATION = [
  "The pipe's dead-letter queue describes each batch of stream records that failed (stream ARN, shard,",
  'first and last sequence number, arrival times); it does not hold the events, which are safe in the',
  'events table. There is no move task for it. To deliver those events again:',
  '  - read models: `npm run rebuild -- --all --cloud` replays the events table, whatever their age;',
  '  - the notifier and the waitlist process act only on delivered events: within 24 hours of the',
  '    failure (DynamoDB Streams keeps records that long) read the range with',
  '    `aws dynamodbstreams get-shard-iterator --shard-iterator-type AT_SEQUENCE_NUMBER` and get-records,',
  '    make envelopes of the new images as functions/pipe/enrich.ts does, and put them on the bus',
  '    (source learning-cities.conference, detail-type = type, detail = envelope). The consumers skip',
  '    what they handled already. An archive replay cannot help: these events never reached the bus.',
  '  - then purge the queue: `aws sqs purge-queue --queue-url <its URL>`.',
].join('\n');

interface CloudQueue {
  name: string;
  deadLetterQueueUrl: string;
  queueUrl?: string;
}

const cloudQueues = async (options: Options) => {
  const { stackName, region, outputs } = await stackOutputs({
    stage: options.stage,
    stackName: options.stack,
    region: options.region,
  });
  const queues: CloudQueue[] = options.queues.map((name) =>
    name === PIPE_DEAD_LETTER_QUEUE
      ? { name, deadLetterQueueUrl: requiredOutput(outputs, outputKeys.pipeDeadLetterQueueUrl, stackName) }
      : {
          name,
          deadLetterQueueUrl: requiredOutput(outputs, outputKeys.deadLetterQueueUrl(name), stackName),
          queueUrl: requiredOutput(outputs, outputKeys.queueUrl(name), stackName),
        },
  );
  say(`Stack ${stackName} in ${region}`);
  return { queues, sqs: new SQSClient({ region }) };
};

const attribute = async (sqs: SQSClient, url: string, name: 'QueueArn' | 'ApproximateNumberOfMessages') => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }),
  );
  return Attributes?.[name] ?? '';
};

/** Up to `count` messages without taking them: visibility timeout 0, so they stay visible to others. */
const peekMessages = async (sqs: SQSClient, url: string, count: number): Promise<Message[]> => {
  const seen = new Map<string, Message>();
  for (let attempt = 0; attempt < 3 && seen.size < count; attempt++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, count),
        VisibilityTimeout: 0,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of Messages ?? []) if (message.MessageId) seen.set(message.MessageId, message);
    if (!Messages?.length) break;
  }
  return [...seen.values()].slice(0, count);
};

const describeCloudMessage = (queue: string, message: Message) => {
  const sent = Number(message.Attributes?.SentTimestamp);
  const when = Number.isFinite(sent) ? new Date(sent).toISOString() : '?';
  if (queue === PIPE_DEAD_LETTER_QUEUE) return `  ${when}  ${message.Body ?? ''}`;
  const code = message.MessageAttributes?.ERROR_CODE?.StringValue;
  const text = message.MessageAttributes?.ERROR_MESSAGE?.StringValue;
  const error = code
    ? `EventBridge could not deliver it to the queue: ${code} ${text ?? ''}`
    : "failed in the consumer: its logs have the error (search for the event's id)";
  return (
    `  ${when}  received ${message.Attributes?.ApproximateReceiveCount ?? '?'}×  ${describeEvent(message.Body)}\n` +
    `      error: ${error}`
  );
};

const listCloud = async (options: Options) => {
  const { queues, sqs } = await cloudQueues(options);
  try {
    for (const queue of queues) {
      const count = await attribute(sqs, queue.deadLetterQueueUrl, 'ApproximateNumberOfMessages');
      say(`${queue.name}: about ${count} messages in ${queue.deadLetterQueueUrl}`);
      if (Number(count) > 0 && options.peek > 0)
        for (const message of await peekMessages(sqs, queue.deadLetterQueueUrl, options.peek))
          say(describeCloudMessage(queue.name, message));
      if (queue.name === PIPE_DEAD_LETTER_QUEUE && Number(count) > 0) say(PIPE_EXPLANATION);
    }
  } finally {
    sqs.destroy();
  }
};

/** Starts a message move task from a queue's DLQ back to the queue and follows it; throws if it cannot. */
const moveBack = async (sqs: SQSClient, queue: CloudQueue & { queueUrl: string }, waitMs: number) => {
  const count = Number(await attribute(sqs, queue.deadLetterQueueUrl, 'ApproximateNumberOfMessages'));
  if (count === 0) {
    say(`${queue.name}: no messages in its dead-letter queue`);
    return;
  }
  const sourceArn = await attribute(sqs, queue.deadLetterQueueUrl, 'QueueArn');
  // The destination is named: the queue also gets the events EventBridge failed to deliver to it,
  // which have no SQS source queue to go back to.
  const destinationArn = await attribute(sqs, queue.queueUrl, 'QueueArn');
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
  );
  say(`${queue.name}: moving about ${count} messages back to its queue (task ${TaskHandle ?? '?'})`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { Results } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
    );
    const task = Results?.[0];
    const status = task?.Status ?? 'UNKNOWN';
    if (status !== 'RUNNING' || Date.now() > deadline) {
      say(
        `  ${status}: ${task?.ApproximateNumberOfMessagesMoved ?? 0} of ` +
          `${task?.ApproximateNumberOfMessagesToMove ?? '?'} moved${task?.FailureReason ? ` (${task.FailureReason})` : ''}`,
      );
      if (status === 'FAILED') throw new Error(task?.FailureReason ?? 'the move task failed');
      return;
    }
    await sleep(2_000);
  }
};

/** Every queue asked for, each on its own: one that fails (a move task already running) stops no other. */
const redriveCloud = async (options: Options) => {
  const { queues, sqs } = await cloudQueues(options);
  const failed: string[] = [];
  try {
    for (const queue of queues) {
      if (!queue.queueUrl) {
        say(`${queue.name}:`);
        say(PIPE_EXPLANATION);
        continue;
      }
      try {
        await moveBack(sqs, { ...queue, queueUrl: queue.queueUrl }, options.waitMs);
      } catch (error) {
        failed.push(queue.name);
        say(`${queue.name}: not redriven: ${errorMessage(error)}`);
      }
    }
  } finally {
    sqs.destroy();
  }
  if (failed.length > 0) {
    say(`Not redriven: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
};

/** The command with its arguments (as after `npm run dlq --`); its lines go to `output`. */
export const dlq = async (args: string[], output?: (line?: string) => void) => {
  if (output) say = output;
  let options: Options;
  try {
    options = parse(args);
  } catch (error) {
    process.stderr.write(`dlq: ${errorMessage(error)}\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    if (options.command === 'list') await (options.cloud ? listCloud(options) : listLocal());
    else await (options.cloud ? redriveCloud(options) : redriveLocalQueues(options));
  } catch (error) {
    process.stderr.write(`dlq: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
};

if (import.meta.main) await dlq(process.argv.slice(2));
