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

/** The targets of the Markdown links of a document that are not URLs. */
const localLinks = (markdown: string): string[] =>
  [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = async (file: string): Promise<Set<string>> => {
  const markdown = (await readFile(file, 'utf8')).replace(/```[\s\S]*?```/g, '');
  return new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] ?? '')));
};

describe('a clone of the repository alone', () => {
  it('checks every document under docs/, the generated proofs among them', () => {
    for (const document of [
      'docs/architecture.md',
      'docs/operations.md',
      'docs/personal-data.md',
      'docs/api.md',
      'docs/benchmarks.md',
      'docs/load.md',
      'docs/privacy.md',
    ])
      expect(documents).toContain(document);
  });

  it.each(documents)(
    '%s links only to files inside the repository, and they and their anchors exist',
    async (document) => {
      const file = resolve(repoRoot, document);
      const markdown = await readFile(file, 'utf8');
      for (const link of localLinks(markdown)) {
        const [target = '', anchor] = link.split('#');
        const path = target === '' ? file : resolve(dirname(file), target);
        expect(relative(repoRoot, path).startsWith('..'), `${document} → ${link}`).toBe(false);
        expect(existsSync(path), `${document} → ${link}`).toBe(true);
        if (anchor && path.endsWith('.md'))
          expect(await anchorsOf(path), `${document} → ${link}`).toContain(anchor);
      }
      expect(markdown).not.toMatch(/\.\.\/shared\//);
    },
  );
});
