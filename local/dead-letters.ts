import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files of `DATA_DIR/dead-letters/`: what the cloud keeps in SQS dead-letter queues, as one JSON line
 * per message in `<queue>.jsonl`, and the drop folder `redrive/` through which `npm run dlq -- redrive`
 * hands dead letters back to the bus (local/redrive.ts writes it, local/event-bus.ts takes from it).
 */

/** The pipe's dead letters: `<deadLetterDir>/EventsPipe.jsonl`. */
export const PIPE_DEAD_LETTER_QUEUE = 'EventsPipe';

/** One line of `<dir>/<queue>.jsonl`. */
export interface DeadLetter {
  queue: string;
  failedAt: string;
  receiveCount: number;
  error: string;
  /** The message: the EventBridge event for a rule's queue, the stream records for the pipe. */
  body: unknown;
}

export const deadLetterFile = (dir: string, queue: string) => join(dir, `${queue}.jsonl`);
export const redriveFolder = (deadLetterDir: string) => join(deadLetterDir, 'redrive');

const ifMissing =
  <T>(fallback: T) =>
  (error: NodeJS.ErrnoException): T => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  };
const readText = (file: string) => readFile(file, 'utf8').catch(ifMissing(''));
const listFolder = async (folder: string) =>
  (await readdir(folder).catch(ifMissing<string[]>([]))).filter((name) => !name.startsWith('.')).sort();
const parseLines = (text: string): DeadLetter[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DeadLetter);
const toLines = (letters: readonly DeadLetter[]) =>
  letters.map((letter) => `${JSON.stringify(letter)}\n`).join('');

export const appendDeadLetter = async (dir: string, letter: DeadLetter): Promise<string> => {
  await mkdir(dir, { recursive: true });
  const file = deadLetterFile(dir, letter.queue);
  await appendFile(file, toLines([letter]), 'utf8');
  return file;
};

/** The dead letters of `queue`, oldest first; none when the file does not exist. */
export const readDeadLetters = async (dir: string, queue: string): Promise<DeadLetter[]> =>
  parseLines(await readText(deadLetterFile(dir, queue)));

/** A file of dead letters being redriven: `<queue>.jsonl.redriving-<id>` (left by an interrupted redrive). */
const TAKEN = '.redriving-';
const queueOfFile = (name: string) => /^(.+)\.jsonl(?:\.redriving-.+)?$/.exec(name)?.[1];

/** Queues with dead letters in `dir` (interrupted redrives included), each oldest letter first. */
export const listDeadLetters = async (
  dir: string,
): Promise<Array<{ queue: string; letters: DeadLetter[] }>> => {
  const byQueue = new Map<string, DeadLetter[]>();
  for (const name of await listFolder(dir)) {
    const queue = queueOfFile(name);
    if (queue)
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), ...parseLines(await readText(join(dir, name)))]);
  }
  return [...byQueue]
    .map(([queue, letters]) => ({
      queue,
      letters: letters.sort((a, b) => a.failedAt.localeCompare(b.failedAt)),
    }))
    .filter((entry) => entry.letters.length > 0);
};

/**
 * Takes a queue's dead letters out of the way of the bus, which keeps appending to `<queue>.jsonl`: the file
 * is renamed first (those of an interrupted redrive are taken too). `finish(keep)` puts `keep`, and whatever
 * the bus appended to a taken file meanwhile, back into `<queue>.jsonl`, then deletes the taken files.
 */
export const takeDeadLetters = async (dir: string, queue: string) => {
  const current = deadLetterFile(dir, queue);
  const taken = `${current}${TAKEN}${randomUUID().slice(0, 8)}`;
  await rename(current, taken).catch(ifMissing(undefined));
  const files = await Promise.all(
    (await listFolder(dir))
      .filter((name) => name.startsWith(`${queue}.jsonl${TAKEN}`))
      .map(async (name) => ({ file: join(dir, name), text: await readText(join(dir, name)) })),
  );
  const finish = async (keep: readonly DeadLetter[]) => {
    let back = toLines(keep);
    for (const { file, text } of files) back += (await readText(file)).slice(text.length);
    if (back !== '') await appendFile(current, back, 'utf8');
    for (const { file } of files) await rm(file, { force: true });
  };
  return { letters: files.flatMap((file) => parseLines(file.text)), finish };
};

/** One file of the drop folder: messages for a rule's queue, or for the bus to route (the pipe's). */
export interface Handover {
  target: { queue: string } | { bus: true };
  /** Message bodies: EventBridge events as JSON, as the queues carry them. */
  bodies: string[];
  createdAt: string;
}

/** A hand-over file a running bus has taken (renamed), and delivers now. */
const CLAIMED = '.claimed';
const targetName = (target: Handover['target']) => ('queue' in target ? target.queue : 'bus');

/** Writes a hand-over file atomically and durably (temporary file, fsync, rename); returns its path. */
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
  await rename(temporary, join(folder, name));
  return join(folder, name);
};

export const readHandover = async (file: string): Promise<Handover> =>
  JSON.parse(await readFile(file, 'utf8'));

/**
 * For the bus: claims the waiting hand-over files (renamed `<file>.claimed`) and returns them, at its start
 * with those it had claimed before it stopped or crashed (their messages are delivered again).
 */
export const claimHandovers = async (folder: string, atStart: boolean): Promise<string[]> => {
  const claimed: string[] = [];
  for (const name of await listFolder(folder)) {
    const file = join(folder, name);
    if (atStart && name.endsWith(`.json${CLAIMED}`)) claimed.push(file);
    if (!name.endsWith('.json')) continue;
    if (await rename(file, `${file}${CLAIMED}`).then(() => true, ifMissing(false)))
      claimed.push(`${file}${CLAIMED}`);
  }
  return claimed;
};

/** The hand-over files not yet done with, and whether a running bus has claimed each. */
export const pendingHandovers = async (folder: string) => {
  const pending: Array<{ file: string; target: string; messages: number; claimed: boolean }> = [];
  for (const name of await listFolder(folder)) {
    if (!name.endsWith('.json') && !name.endsWith(`.json${CLAIMED}`)) continue;
    const handover = await readHandover(join(folder, name)).catch(() => undefined); // done with meanwhile
    if (handover)
      pending.push({
        file: join(folder, name),
        target: targetName(handover.target),
        messages: handover.bodies.length,
        claimed: name.endsWith(CLAIMED),
      });
  }
  return pending;
};

/** Where a hand-over file written by `writeHandover` is: waiting for a bus, claimed by one, or done with. */
export const handoverState = async (file: string): Promise<'waiting' | 'claimed' | 'done'> => {
  const exists = (path: string) => stat(path).then(() => true, ifMissing(false));
  if (await exists(file)) return 'waiting';
  return (await exists(`${file}${CLAIMED}`)) ? 'claimed' : 'done';
};
