import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** README.md and every Markdown document of docs/ (the generated ones too: benchmarks, load, privacy). */
const documents = [
  'README.md',
  ...readdirSync(resolve(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The targets of the Markdown links of a document that are not URLs or anchors. */
const localLinks = (markdown: string): string[] =>
  [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0] ?? '');

describe('a clone of the repository alone', () => {
  it('checks every document, the generated proofs among them', () => {
    for (const document of ['docs/api.md', 'docs/benchmarks.md', 'docs/load.md', 'docs/privacy.md'])
      expect(documents).toContain(document);
  });

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
