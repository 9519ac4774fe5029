import { readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { KeyService } from '../functions/shared/personal-data/key-service.js';
import {
  type DocumentJobs,
  type NotificationChannels,
  supplyAdapters,
  type TokenVerifier,
} from '../functions/shared/runtime/adapters.js';
import { localExportFiles } from './export-files.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './signing-key.js';

/** Tokens of the local issuer (local/signing-key.ts), checked against its public keys in `jwksFile`. */
const localTokenVerifier = (jwksFile: string): TokenVerifier => {
  const verifier = JwtRsaVerifier.create({ issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
  verifier.cacheJwks(JSON.parse(readFileSync(jwksFile, 'utf8')));
  return verifier;
};

/** Notifications as files: one .eml per email, one JSON line per agenda change. */
const outboxChannels = (outbox: string): NotificationChannels => ({
  async sendEmail(eventId, message) {
    await mkdir(outbox, { recursive: true });
    // 'wx' refuses to overwrite: one file per event, whatever happens.
    await writeFile(join(outbox, `${eventId}.eml`), message, { flag: 'wx' });
  },
  async publishAgendaChange(change) {
    await mkdir(outbox, { recursive: true });
    await appendFile(join(outbox, 'agenda-changes.jsonl'), `${JSON.stringify(change)}\n`);
  },
});

/**
 * The one place where the local runtime gives the handlers its local-only adapters (instead of Cognito,
 * SES/SNS and KMS); call it before any handler is loaded. Nothing in functions/ imports local/, so no Lambda bundle
 * contains this code (test/local/bundles.test.ts greps the bundles).
 */
export const supplyLocalAdapters = ({
  jwksFile,
  outbox,
  keyService,
  exportsDir,
  documentJobs,
}: {
  jwksFile: string;
  outbox: string;
  /** Large exports, served by the local HTTP server (local/export-files.ts); none without it. */
  exportsDir?: string;
  /** The stand-in for KMS (local/personal-data-keys.ts: localKeyService). */
  keyService: KeyService;
  /** Background documents: the same handler in process (local/document-jobs.ts); none without it. */
  documentJobs?: DocumentJobs;
}): void =>
  supplyAdapters({
    tokenVerifier: localTokenVerifier(jwksFile),
    notificationChannels: outboxChannels(outbox),
    keyService,
    ...(exportsDir ? { exportFiles: localExportFiles(exportsDir) } : {}),
    ...(documentJobs ? { documentJobs } : {}),
  });
