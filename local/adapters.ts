import { readFileSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { decodeProtectedHeader } from 'jose';
import type { KeyService } from '../functions/shared/personal-data/key-service.js';
import {
  type DocumentJobs,
  type NotificationChannels,
  type ServerSecrets,
  supplyAdapters,
  TokenRejectedError,
  type TokenVerifier,
} from '../functions/shared/runtime/adapters.js';
import { localExportFiles } from './export-files.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './signing-key.js';

/** The key id of a token's header, if it has one (a token that is no JWT at all is left to the verifier). */
const keyIdOf = (token: string): string | undefined => {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
};

/**
 * Tokens of the local issuer (local/signing-key.ts), checked against its public keys in `jwksFile`
 * (`<DATA_DIR>/auth/jwks.json`). A token signed by a key not among them was most likely made by
 * `npm run token` with another DATA_DIR: the 401 says so, and nothing is fetched (aws-jwt-verify would
 * otherwise try the issuer's JWKS URL, which does not exist).
 */
const localTokenVerifier = (jwksFile: string): TokenVerifier => {
  const jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as Jwks;
  const keyIds = new Set(jwks.keys.map((key) => key.kid));
  const dataDir = dirname(dirname(jwksFile));
  const verifier = JwtRsaVerifier.create({ issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
  verifier.cacheJwks(jwks);
  return {
    verify: (token) => {
      const kid = keyIdOf(token);
      if (kid !== undefined && !keyIds.has(kid)) {
        throw new TokenRejectedError(
          `The token's signing key is unknown here: this server's keys are in DATA_DIR ${dataDir}. ` +
            'Was the token made with another DATA_DIR? Run `npm run -s token` with the same DATA_DIR as `npm start`.',
        );
      }
      return verifier.verify(token);
    },
  };
};

/**
 * Writes a file of the outbox, making the outbox first only when it is missing (a system call less for
 * every email of a demo's thousand than making it before each).
 */
const intoOutbox = async (outbox: string, write: () => void | Promise<void>): Promise<void> => {
  try {
    await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(outbox, { recursive: true });
    await write();
  }
};

/** Notifications as files: one .eml per email, one JSON line per agenda change. */
const outboxChannels = (outbox: string): NotificationChannels => ({
  async sendEmail(eventId, message) {
    // Written synchronously, in the turn the notifier's pacing let it go, not after trips through the event
    // loop and libuv's thread pool, which a busy machine delays and bunches: the file's time is the moment it
    // was sent, as SES would count its arrival (the load proof counts emails per second by these times).
    // 'wx' refuses to overwrite: one file per event, whatever happens.
    await intoOutbox(outbox, () => writeFileSync(join(outbox, `${eventId}.eml`), message, { flag: 'wx' }));
  },
  async publishAgendaChange(change) {
    await intoOutbox(outbox, () =>
      appendFile(join(outbox, 'agenda-changes.jsonl'), `${JSON.stringify(change)}\n`),
    );
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
  serverSecrets,
  exportsDir,
  documentJobs,
}: {
  jwksFile: string;
  outbox: string;
  /** Large exports, served by the local HTTP server (local/export-files.ts); none without it. */
  exportsDir?: string;
  /** The stand-in for KMS (local/personal-data-keys.ts: localKeyService). */
  keyService: KeyService;
  /** The stand-in for the KMS key of the server's secrets (local/server-secrets.ts: localServerSecrets). */
  serverSecrets: ServerSecrets;
  /** Background documents: the same handler in process (local/document-jobs.ts); none without it. */
  documentJobs?: DocumentJobs;
}): void =>
  supplyAdapters({
    tokenVerifier: localTokenVerifier(jwksFile),
    notificationChannels: outboxChannels(outbox),
    keyService,
    serverSecrets,
    ...(exportsDir ? { exportFiles: localExportFiles(exportsDir) } : {}),
    ...(documentJobs ? { documentJobs } : {}),
  });
