import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const documents = ['README.md', 'docs/api.md', 'docs/events.md', 'docs/benchmarks.md', 'docs/load.md'];

/** The targets of the Markdown links of a document that are not URLs or anchors. */
const localLinks = (markdown: string): string[] =>
  [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');

describe('a clone of the repository alone', () => {
  it.each(documents)('%s links only to files inside the repository, and they exist', async (document) => {
    const file = resolve(repoRoot, document);
    const markdown = await readFile(file, 'utf8');
    for (const target of localLinks(markdown)) {
      const path = resolve(dirname(file), target);
      expect(relative(repoRoot, path).startsWith('..'), `${document} → ${target}`).toBe(false);
      expect(existsSync(path), `${document} → ${target}`).toBe(true);
    }
    expect(markdown).not.toMatch(/\.\.\/shared\//);
  });
});
