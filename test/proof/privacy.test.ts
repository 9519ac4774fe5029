import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodingsOf } from '../support/marker-search.js';
import { type PrivacyReport, runPrivacyProof } from './privacy-run.js';

describe('Proof: personal data is erasable and never stored, published or logged in plaintext', () => {
  it('the search finds a marker in each encoding it claims, at any position', () => {
    const marker = 'PvTestÑé';
    for (const prefix of ['', 'x', 'xy']) {
      const bytes = Buffer.from(`${prefix}${marker}Given and more`, 'utf8');
      for (const blob of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')])
        expect(
          encodingsOf(marker).some(({ text }) => blob.includes(text)),
          `${prefix} ${blob}`,
        ).toBe(true);
      const nfd = Buffer.from(marker.normalize('NFD'), 'utf8').toString('base64');
      expect(encodingsOf(marker).some(({ text }) => nfd.includes(text))).toBe(true);
    }
    expect(encodingsOf(marker).some(({ text }) => 'pvtestñégiven'.includes(text))).toBe(true);
  });

  it('after a whole life cycle and erasure, no marker is left anywhere but the sent mail', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lc-proof-privacy-test-'));
    let report: PrivacyReport;
    try {
      report = await runPrivacyProof({ dataDir, delegates: 6 });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    const after = report.searches.filter((s) => s.phase === 'after erasure' && !s.store.startsWith('outbox'));
    expect(after.length).toBeGreaterThanOrEqual(6);
    expect(after.flatMap((s) => s.hits)).toEqual([]);
    const control = report.searches.find((s) => s.phase === 'before erasure' && s.store.startsWith('outbox'));
    expect(control?.hits.length).toBeGreaterThan(0);
  }, 180_000);
});
