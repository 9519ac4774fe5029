import type { DynamoDBRecord } from 'aws-lambda';
import { pipeDefinition } from '../infra/definitions/pipe.js';
import type { RuleDefinition } from '../infra/definitions/rules.js';
import {
  type DeadLetter,
  PIPE_DEAD_LETTER_QUEUE,
  redriveFolder,
  takeDeadLetters,
  writeHandover,
} from './dead-letters.js';
import { errorMessage, type LocalLogger } from './log.js';
import { importFunction, repoRoot } from './repo-modules.js';
import { type Enrich, toBusEvent } from './stream-poller.js';

export interface RedriveOptions {
  deadLetterDir: string;
  queue: string;
  rules: readonly RuleDefinition[];
  /** For the pipe's dead letters; default: the enrichment of infra/definitions/pipe.ts. */
  enrich?: Enrich;
  logger?: LocalLogger;
}

export interface RedriveResult {
  queue: string;
  /** Messages handed over. */
  handedOver: number;
  /** Dead letters left where they were (the pipe's whose enrichment still fails). */
  kept: number;
  /** The hand-over file, if any. */
  file?: string;
}

/**
 * `npm run dlq -- redrive`, locally: takes a queue's dead letters and hands them to the bus through the drop
 * folder (local/dead-letters.ts), where a running `npm start` takes them within a second and a stopped one at
 * its next start. A rule queue's go back to that queue; the pipe's (stream records) are enriched again and
 * routed by the rules, as the stream poller's events are. The hand-over file is written and synced before the
 * letters leave their file, and the bus deletes it only once its messages left their queues: a crash means a
 * message delivered twice (the consumers skip what they handled), never a message lost.
 */
export const redriveLocal = async (options: RedriveOptions): Promise<RedriveResult> => {
  const { deadLetterDir, queue, rules, logger } = options;
  const isPipe = queue === PIPE_DEAD_LETTER_QUEUE;
  if (!isPipe && !rules.some((rule) => rule.name === queue)) {
    const names = [...rules.map((rule) => rule.name), PIPE_DEAD_LETTER_QUEUE];
    throw new Error(`No queue ${queue}: the queues are ${names.join(', ')}`);
  }
  const { letters, finish } = await takeDeadLetters(deadLetterDir, queue);
  const keep: DeadLetter[] = [];
  const bodies: string[] = [];
  try {
    if (!isPipe) bodies.push(...letters.map((letter) => JSON.stringify(letter.body)));
    else {
      const enrich =
        options.enrich ?? (await importFunction<Enrich>(pipeDefinition.enrichment, 'toEnvelopes', repoRoot));
      for (const letter of letters) {
        try {
          const envelopes = await enrich(letter.body as DynamoDBRecord[]);
          bodies.push(...envelopes.map((envelope) => JSON.stringify(toBusEvent(envelope))));
        } catch (error) {
          logger?.warn(
            `${queue}: a batch of ${letter.failedAt} still fails enrichment: ${errorMessage(error)}`,
          );
          keep.push(letter);
        }
      }
    }
    const target = isPipe ? { bus: true as const } : { queue };
    const file =
      bodies.length > 0
        ? await writeHandover(redriveFolder(deadLetterDir), {
            target,
            bodies,
            createdAt: new Date().toISOString(),
          })
        : undefined;
    await finish(keep);
    return { queue, handedOver: bodies.length, kept: keep.length, ...(file ? { file } : {}) };
  } catch (error) {
    await finish(letters); // nothing handed over: every letter goes back
    throw error;
  }
};
