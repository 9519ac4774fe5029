import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { pipeDefinition } from '../infra/definitions/pipe.js';
import type { RuleDefinition } from '../infra/definitions/rules.js';
import { type DeadLetter, deadLetterFile, PIPE_DEAD_LETTER_QUEUE } from './dead-letters.js';
import { errorMessage, type LocalLogger } from './log.js';
import { importFunction, repoRoot } from './repo-modules.js';
import { type Enrich, toBusEvent } from './stream-poller.js';

/**
 * Dead letters going back, locally. `npm run dlq -- redrive` takes a queue's dead letters out of
 * `<deadLetterDir>/<queue>.jsonl` and hands them to the local bus as a file in the drop folder
 * `<deadLetterDir>/redrive/`: a running `npm start` picks it up within a second, one that is not running
 * picks it up when it starts (the folder is part of the queue state the bus loads). The hand-over file is
 * written (and synced) before the letters leave the dead-letter file, and the bus deletes it only once its
 * messages are delivered, dead-lettered again or saved with the queues at a stop: a crash anywhere means
 * a message delivered twice (the consumers skip what they handled), never a message lost.
 */

/** One file in the drop folder. */
export interface Handover {
  /** A rule's queue by name, or the bus (whose rules route each event again: the pipe's dead letters). */
  target: { queue: string } | { bus: true };
  /** Message bodies: EventBridge events as JSON, as the queues carry them. */
  bodies: string[];
  createdAt: string;
}

/** How a handed-over message left its queue. */
export type Settled = 'delivered' | 'dead-lettered' | 'saved' | 'dropped';

export const redriveFolder = (deadLetterDir: string) => join(deadLetterDir, 'redrive');

const CLAIMED = '.claimed';
const TAKEN = '.redriving-';

const targetName = (target: Handover['target']) => ('queue' in target ? target.queue : 'bus');

/** Writes a hand-over file atomically (temporary file, fsync, rename); returns its path. */
export const writeHandover = async (folder: string, handover: Handover): Promise<string> => {
  await mkdir(folder, { recursive: true });
  const name = `${Date.now()}-${randomUUID().slice(0, 8)}-${targetName(handover.target)}.json`;
  const temporary = join(folder, `.${name}.tmp`);
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(JSON.stringify(handover), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  const file = join(folder, name);
  await rename(temporary, file);
  return file;
};

const readHandover = async (file: string): Promise<Handover> => JSON.parse(await readFile(file, 'utf8'));

const listFolder = async (folder: string): Promise<string[]> => {
  try {
    return (await readdir(folder)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
};

export interface PendingHandover {
  file: string;
  target: string;
  messages: number;
  /** Taken by a running bus (delivering now), or waiting for `npm start`. */
  claimed: boolean;
}

/** The hand-over files not yet done with. */
export const pendingHandovers = async (folder: string): Promise<PendingHandover[]> => {
  const pending: PendingHandover[] = [];
  for (const name of await listFolder(folder)) {
    if (!name.endsWith('.json') && !name.endsWith(`.json${CLAIMED}`)) continue;
    try {
      const handover = await readHandover(join(folder, name));
      pending.push({
        file: join(folder, name),
        target: targetName(handover.target),
        messages: handover.bodies.length,
        claimed: name.endsWith(CLAIMED),
      });
    } catch {
      // done with meanwhile
    }
  }
  return pending;
};

export interface HandoverIntake {
  /** Stops looking for new files (those taken go on). */
  stop(): Promise<void>;
  /** Resolves when every file taken is done with (its messages settled). */
  drain(): Promise<void>;
}

export interface HandoverIntakeOptions {
  folder: string;
  pollMs?: number;
  logger: LocalLogger;
  /** Puts a hand-over's messages in their queues; resolves when each has left its queue. */
  deliver(handover: Handover): Promise<Settled[]>;
}

/**
 * The bus's side: takes the files of the drop folder (at start also those a stopped bus had taken), and
 * deletes each once its messages are settled; a file whose messages were dropped (a bus without queue
 * state, stopped) stays for the next start.
 */
export const startHandoverIntake = async (options: HandoverIntakeOptions): Promise<HandoverIntake> => {
  const { folder, pollMs = 500, logger, deliver } = options;
  const inFlight = new Map<string, Promise<void>>();

  const take = async (claimed: string) => {
    let handover: Handover;
    try {
      handover = await readHandover(claimed);
    } catch (error) {
      logger.error(`cannot read the redriven messages in ${claimed}; moved aside as .rejected`, error);
      await rename(claimed, `${claimed}.rejected`).catch(() => {});
      return;
    }
    let delivering: Promise<Settled[]>;
    try {
      delivering = deliver(handover);
    } catch (error) {
      logger.error(`cannot redrive ${claimed}; moved aside as .rejected`, error);
      await rename(claimed, `${claimed}.rejected`).catch(() => {});
      return;
    }
    logger.info(
      `${targetName(handover.target)}: ${handover.bodies.length} redriven messages from ${claimed}`,
    );
    const done = delivering
      .then(async (outcomes) => {
        if (outcomes.includes('dropped'))
          logger.warn(`${claimed} stays for the next start: not all delivered`);
        else await rm(claimed, { force: true });
      })
      .catch((error: unknown) =>
        logger.error(`redriving ${claimed} failed; it stays for the next start`, error),
      )
      .finally(() => inFlight.delete(claimed));
    inFlight.set(claimed, done);
  };

  const scan = async (atStart: boolean) => {
    for (const name of await listFolder(folder)) {
      const file = join(folder, name);
      if (inFlight.has(file)) continue;
      if (name.endsWith('.json')) {
        try {
          await rename(file, `${file}${CLAIMED}`);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw error;
        }
        await take(`${file}${CLAIMED}`);
      } else if (atStart && name.endsWith(`.json${CLAIMED}`)) {
        await take(file); // taken before a crash: deliver again
      }
    }
  };

  await scan(true);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> = Promise.resolve();
  const poll = () => {
    timer = setTimeout(() => {
      scanning = scan(false)
        .catch((error: unknown) => logger.error(`reading ${folder} failed`, error))
        .finally(() => {
          if (!stopped) poll();
        });
    }, pollMs);
    timer.unref();
  };
  poll();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await scanning;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all(inFlight.values());
    },
  };
};

/** The dead letters of one queue: its file, and files of a redrive that was interrupted. */
export interface QueueLetters {
  queue: string;
  letters: DeadLetter[];
}

const parseLines = (text: string): DeadLetter[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DeadLetter);

const readText = async (file: string): Promise<string> => {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
};

/** Queues with dead letters in `dir`, by name, oldest letter first. */
export const listDeadLetters = async (dir: string): Promise<QueueLetters[]> => {
  const byQueue = new Map<string, DeadLetter[]>();
  for (const name of await listFolder(dir)) {
    const match = /^(.+)\.jsonl(?:\.redriving-.+)?$/.exec(name);
    if (!match?.[1]) continue;
    const letters = parseLines(await readText(join(dir, name)));
    byQueue.set(match[1], [...(byQueue.get(match[1]) ?? []), ...letters]);
  }
  return [...byQueue.entries()]
    .map(([queue, letters]) => ({
      queue,
      letters: letters.sort((a, b) => a.failedAt.localeCompare(b.failedAt)),
    }))
    .filter((entry) => entry.letters.length > 0);
};

interface TakenFile {
  file: string;
  text: string;
}

/**
 * Takes a queue's dead letters out of the way of the bus, which keeps appending to `<queue>.jsonl`: the
 * file is renamed first (with the files of an interrupted redrive, they are what is taken). `finish`
 * appends `keep` and whatever the bus appended to a taken file meanwhile back to `<queue>.jsonl`, then
 * deletes the taken files.
 */
const takeDeadLetters = async (dir: string, queue: string) => {
  const names = (await listFolder(dir)).filter((name) => name.startsWith(`${queue}.jsonl${TAKEN}`));
  const current = deadLetterFile(dir, queue);
  const taken = `${current}${TAKEN}${randomUUID().slice(0, 8)}`;
  try {
    await rename(current, taken);
    names.push(taken.slice(dir.length + 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const files: TakenFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    files.push({ file, text: await readText(file) });
  }
  const letters = files.flatMap((file) => parseLines(file.text));
  const finish = async (keep: readonly DeadLetter[]) => {
    let back = keep.map((letter) => `${JSON.stringify(letter)}\n`).join('');
    for (const file of files) {
      const now = await readText(file.file);
      if (now.length > file.text.length && now.startsWith(file.text)) back += now.slice(file.text.length);
    }
    if (back !== '') await appendFile(current, back, 'utf8');
    for (const file of files) await rm(file.file, { force: true });
  };
  return { letters, finish };
};

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

/** The body a dead letter's message had in its queue: JSON text. */
const bodyOf = (letter: DeadLetter): string =>
  typeof letter.body === 'string' ? letter.body : JSON.stringify(letter.body);

/**
 * Hands a queue's dead letters back to the local bus: a rule queue's to that queue, the pipe's (stream
 * records) through the enrichment again to the bus, whose rules route them as the stream poller's.
 */
export const redriveLocal = async (options: RedriveOptions): Promise<RedriveResult> => {
  const { deadLetterDir, queue, rules, logger } = options;
  const isPipe = queue === PIPE_DEAD_LETTER_QUEUE;
  if (!isPipe && !rules.some((rule) => rule.name === queue)) {
    throw new Error(
      `No queue ${queue}: the queues are ${[...rules.map((rule) => rule.name), PIPE_DEAD_LETTER_QUEUE].join(', ')}`,
    );
  }
  const { letters, finish } = await takeDeadLetters(deadLetterDir, queue);
  const keep: DeadLetter[] = [];
  const bodies: string[] = [];
  try {
    if (isPipe) {
      const enrich =
        options.enrich ?? (await importFunction<Enrich>(pipeDefinition.enrichment, 'toEnvelopes', repoRoot));
      for (const letter of letters) {
        try {
          const envelopes = await enrich(letter.body as DynamoDBRecord[]);
          bodies.push(...envelopes.map((envelope) => JSON.stringify(toBusEvent(envelope))));
        } catch (error) {
          logger?.warn(
            `${queue}: a batch of the ${letter.failedAt} still fails enrichment: ${errorMessage(error)}`,
          );
          keep.push(letter);
        }
      }
    } else {
      bodies.push(...letters.map(bodyOf));
    }
    const file =
      bodies.length > 0
        ? await writeHandover(redriveFolder(deadLetterDir), {
            target: isPipe ? { bus: true } : { queue },
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

/** Where a hand-over file is: waiting for a bus, taken by a running one, or done with. */
export const handoverState = async (file: string): Promise<'waiting' | 'claimed' | 'done'> => {
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  if (await exists(file)) return 'waiting';
  if (await exists(`${file}${CLAIMED}`)) return 'claimed';
  return 'done';
};
