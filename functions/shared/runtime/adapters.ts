/**
 * The adapters a runtime around the handlers may supply instead of the cloud's. In Lambda nothing is
 * supplied: the handlers build Cognito's verifier and the SES/SNS channels themselves. The local runtime
 * supplies its own (local/adapters.ts) before it loads a handler, so no Lambda bundle holds local-only code.
 */

import type { Writable } from 'node:stream';
import type { KeyService } from '../personal-data/key-service-port.js';

/** Verifies an organizer's bearer token; resolves to its claims, rejects an invalid token. */
export interface TokenVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

/**
 * A verifier's rejection whose reason may be told to the caller (the 401's `detail`), such as a token
 * signed by a key this issuer does not know. Any other rejection is answered "The token is not valid".
 */
export class TokenRejectedError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'TokenRejectedError';
  }
}

/** Where notifications go. */
export interface NotificationChannels {
  sendEmail(eventId: string, message: Buffer): Promise<void>;
  publishAgendaChange(change: Record<string, unknown>): Promise<void>;
}

/** Where a file too large to answer inline goes (CONTRACT 4.3: 303 See Other with its Location). */
export interface ExportFiles {
  /**
   * Stores the file; resolves to a URL that fetches it without credentials for at least 15 minutes. The
   * conference it is of (its registrants' personal data) is kept with it, for deleteConference.
   */
  publish(
    file: { name: string; contentType: string; body: string | Buffer; conferenceId: string },
    request: { baseUrl: string },
  ): Promise<string>;
  /**
   * Deletes every stored file of a conference (an erasure of one of its registrations: an export may hold
   * its personal data); resolves to how many.
   */
  deleteConference(conferenceId: string): Promise<number>;
  /**
   * Opens a file to be written as a stream, never held whole in memory (in the cloud an S3 multipart
   * upload): write to `body`, then `finish()` ends it and resolves to its link and when that stops working.
   * It is kept with its conference, as `publish` keeps a file, for deleteConference.
   */
  create(
    file: { name: string; contentType: string; conferenceId: string },
    request: { baseUrl: string },
  ): Promise<ExportUpload>;
}

/** Secrets only the server holds (functions/shared/personal-data/server-secrets.ts). */
export interface ServerSecrets {
  /** 32 bytes, the same for a purpose every time (and in every function), unknown to any client. */
  secret(purpose: string): Promise<Uint8Array>;
}

export interface ExportUpload {
  body: Writable;
  /** Ends the body and waits until the file is stored. */
  finish(): Promise<{ location: string; expiresAt: Date }>;
  /** Gives the file up (a failed document): nothing of it stays. */
  abort(): Promise<void>;
}

/** A document to be made in the background (CONTRACT 5.5): what its function is handed. */
export interface DocumentJob {
  conferenceId: string;
  documentId: string;
  /** Where the API was called, for the link of a local export. */
  baseUrl: string;
}

/** Starts documents in the background: in the cloud a message to the documents queue. */
export interface DocumentJobs {
  start(job: DocumentJob): Promise<void>;
}

export interface Adapters {
  tokenVerifier: TokenVerifier;
  notificationChannels: NotificationChannels;
  /** The keys of personal data: KMS in the cloud (functions/shared/personal-data/key-service.ts). */
  keyService: KeyService;
  /** Secrets of the server: a KMS HMAC key in the cloud (the encryption of stored Idempotency-Key responses). */
  serverSecrets: ServerSecrets;
  /** Large exports: S3 with presigned URLs in the cloud (functions/shared/exports/export-files.ts). */
  exportFiles: ExportFiles;
  /** Background documents: the documents queue in the cloud (functions/shared/documents/document-jobs.ts). */
  documentJobs: DocumentJobs;
}

const supplied: Partial<Adapters> = {};

/** Called by a runtime before it loads any handler. */
export const supplyAdapters = (adapters: Partial<Adapters>): void => {
  Object.assign(supplied, adapters);
};

/** The adapter a runtime supplied, if any. */
export const suppliedAdapter = <K extends keyof Adapters>(name: K): Adapters[K] | undefined => supplied[name];

/** Whether a runtime supplied this adapter. */
export const isSupplied = (name: keyof Adapters): boolean => suppliedAdapter(name) !== undefined;

/** The supplied adapter, or the cloud's one made by `cloud` (once per execution environment, by the caller). */
export const adapter = <K extends keyof Adapters>(name: K, cloud: () => Adapters[K]): Adapters[K] =>
  suppliedAdapter(name) ?? cloud();
