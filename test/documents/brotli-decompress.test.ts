import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import decompress from '../../functions/shared/documents/brotli-decompress.js';

/** The module the bundles replace: the `brotli` package's own decoder (asm.js), as fontkit calls it. */
const packageDecompress = createRequire(import.meta.url)('brotli/decompress.js') as (
  buffer: Uint8Array,
  outputSize?: number,
) => Uint8Array;

const samples: Array<[string, Buffer]> = [
  ['text', Buffer.from('Learning Cities: Mexico City 2015. '.repeat(2_000))],
  ['random bytes', randomBytes(64 * 1024)],
  ['empty', Buffer.alloc(0)],
  ['a font', readFileSync(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'))],
];

describe('the Brotli decoder the bundles use for fontkit (Node zlib in place of the brotli package)', () => {
  it.each(samples)('decodes %s exactly as the package does', (_, original) => {
    for (const quality of [1, 11]) {
      const compressed = brotliCompressSync(original, {
        params: { [constants.BROTLI_PARAM_QUALITY]: quality },
      });
      const ours = decompress(compressed, original.length);
      expect(ours).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(ours).equals(original)).toBe(true);
      expect(Buffer.from(ours).equals(Buffer.from(packageDecompress(compressed, original.length)))).toBe(
        true,
      );
    }
  });
});
