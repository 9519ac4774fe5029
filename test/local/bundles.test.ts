import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../bench/bundles.js';
import { FONT_FILES } from '../../functions/shared/documents/font-files.js';
import { bundlingOptions, repoRoot } from '../../infra/constructs/lambda-function.js';
import { documentsFunction } from '../../infra/definitions/documents.js';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';

/**
 * Every Lambda function bundled as infra bundles it (the options of infra/constructs/lambda-function.ts, as
 * bench/bundles.ts turns them into esbuild's): no module of local/ is inside, nor the local adapters'
 * traces (the outbox's agenda-changes.jsonl, the environment variables that once chose them).
 */

const functions = [
  ...routes.map((route) => ({ name: route.name, entry: route.entry, files: route.files ?? [] })),
  ...rules.map((rule) => ({ name: rule.name, entry: rule.consumer, files: rule.files ?? [] })),
  { name: 'PipeEnrichment', entry: pipeDefinition.enrichment, files: [] as string[] },
  {
    name: documentsFunction.name,
    entry: documentsFunction.entry,
    files: [...documentsFunction.files] as string[],
  },
];

const localOnly = [
  'agenda-changes.jsonl',
  'OUTBOX_DIR',
  'LOCAL_JWKS_FILE',
  'AUTH_MODE',
  'DATA_DIR',
  '.local/',
];

describe('Lambda bundles', () => {
  it.each(functions)(
    '$name holds no local-only code, and the files it reads are shipped beside it',
    async ({ entry, files }) => {
      const result = await build({
        ...esbuildOptionsOf(bundlingOptions, resolve(repoRoot, '.bundle-check', 'index.mjs')),
        entryPoints: [resolve(repoRoot, entry)],
        absWorkingDir: repoRoot,
        write: false,
      });
      const inputs = Object.keys((result.metafile as Metafile).inputs);
      expect(inputs.some((input) => input.startsWith('functions/'))).toBe(true); // the paths are the repository's
      expect(inputs.filter((input) => input.startsWith('local/'))).toEqual([]);
      const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'))?.text ?? '';
      expect(code.length).toBeGreaterThan(0);
      expect(localOnly.filter((marker) => code.includes(marker))).toEqual([]);
      // A module this repository loads lazily (`import('./…')`) is inside the bundle, not looked for beside it.
      expect(code.match(/import\(\s*["'`]\.{1,2}\//g) ?? []).toEqual([]);
      // The brotli package's asm.js decoder is replaced by Node's (functions/shared/documents/brotli-decompress.ts).
      expect(inputs.filter((input) => input.startsWith('node_modules/brotli/'))).toEqual([]);
      if (inputs.some((input) => input.startsWith('node_modules/fontkit/')))
        expect(inputs).toContain('functions/shared/documents/brotli-decompress.ts');
      // A function that prints reads the fonts beside its bundle (documentFonts): its definition ships them.
      const prints = inputs.includes('functions/shared/documents/fonts.ts');
      expect(files.filter((file) => Object.values(FONT_FILES).includes(file as never))).toEqual(
        prints ? Object.values(FONT_FILES) : [],
      );
    },
    60_000,
  );
});
