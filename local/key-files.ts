import { link, readFile, rm, writeFile } from 'node:fs/promises';

/**
 * Writes a key file (JSON, mode 0600) under its final name only if none is there yet: two first starts at
 * once agree on one key, since the second `link` finds the first one's file.
 */
export const createKeyFileOnce = async (file: string, content: unknown): Promise<void> => {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
};

/** A key file's JSON, or undefined while there is none; `unreadable` is the message when it cannot be read. */
export const readKeyFile = async <T>(file: string, unreadable: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(unreadable, { cause: error });
  }
};
