import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The name of the pipe's dead-letter file: `<deadLetterDir>/EventsPipe.jsonl`. */
export const PIPE_DEAD_LETTER_QUEUE = 'EventsPipe';

/** One line of `<dir>/<queue>.jsonl`: what the cloud would leave in the queue's dead-letter queue. */
export interface DeadLetter {
  queue: string;
  failedAt: string;
  receiveCount: number;
  error: string;
  /** The message: the EventBridge event for a rule's queue, the stream records for the pipe. */
  body: unknown;
}

export const deadLetterFile = (dir: string, queue: string) => join(dir, `${queue}.jsonl`);

export const appendDeadLetter = async (dir: string, letter: DeadLetter): Promise<string> => {
  await mkdir(dir, { recursive: true });
  const file = deadLetterFile(dir, letter.queue);
  await appendFile(file, `${JSON.stringify(letter)}\n`, 'utf8');
  return file;
};

/** The dead letters of `queue`, oldest first; none when the file does not exist. */
export const readDeadLetters = async (dir: string, queue: string): Promise<DeadLetter[]> => {
  let text: string;
  try {
    text = await readFile(deadLetterFile(dir, queue), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DeadLetter);
};
