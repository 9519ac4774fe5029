/**
 * `npm run proof:privacy`: registers delegates with markers in every personal field, runs them through
 * the whole life cycle, erases them, and searches every table, file, bus event and log line for the
 * markers (test/proof/privacy-run.ts). Writes docs/privacy.md; exits 1 if a check fails.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privacyReportMarkdown, runPrivacyProof } from './privacy-run.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const dataDir = await mkdtemp(join(tmpdir(), 'lc-proof-privacy-'));
try {
  const report = await runPrivacyProof({ dataDir, delegates: Number(process.env.DELEGATES ?? 12), say });
  await writeFile(new URL('../../docs/privacy.md', import.meta.url), privacyReportMarkdown(report));
  const failed = report.checks.filter((check) => !check.ok);
  say(`\n${report.checks.length - failed.length} passed, ${failed.length} failed; docs/privacy.md written`);
  if (failed.length > 0) process.exitCode = 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
