import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { C3VOC_SCHEMA_FILE } from '../support/c3voc-schema.js';

describe('the vendored c3voc schedule schema (test/fixtures/README.md)', () => {
  it('is byte for byte the file published in voc/schedule (validator/json/schema.json)', async () => {
    const digest = createHash('sha256')
      .update(await readFile(C3VOC_SCHEMA_FILE))
      .digest('hex');
    expect(digest).toBe('0f64db03e6a43b31ed109d358fecd1750a158488e44a2e52933a33a775208236');
  });
});
