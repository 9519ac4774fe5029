import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/support → ../..). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const docsFile = (name: string) => resolve(repoRoot, 'docs', name);

/** A Markdown table; cells are written as given (escape `|` yourself). */
export const table = (headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string =>
  [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

/** Where and when a figure was measured: the machine is shared, so its load is part of the record. */
export const machineLine = (): string => {
  const [one = 0, five = 0] = loadavg();
  return (
    `Measured ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} cores ` +
    `(${cpus()[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min) when the run ended.`
  );
};

const begin = (id: string) => `<!-- begin:${id} -->`;
const end = (id: string) => `<!-- end:${id} -->`;

/**
 * Replaces the section `id` of a generated Markdown file (between its begin/end markers), so that each
 * benchmark, run alone, updates only its own table. A missing file is made from `skeleton`, a missing
 * section is appended.
 */
export const writeSection = async (
  file: string,
  id: string,
  content: string,
  skeleton: () => string,
): Promise<void> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = skeleton();
  }
  const block = `${begin(id)}\n${content.trim()}\n${end(id)}`;
  const from = text.indexOf(begin(id));
  const to = text.indexOf(end(id));
  text =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${block}${text.slice(to + end(id).length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
};

export const sectionMarkers = (id: string, placeholder: string): string =>
  `${begin(id)}\n${placeholder}\n${end(id)}`;
