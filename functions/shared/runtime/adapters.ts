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

/** Where notifications go. */
export interface NotificationChannels {
  sendEmail(eventId: string, message: Buffer): Promise<void>;
  publishAgendaChange(change: Record<string, unknown>): Promise<void>;
}

/** Where a file too large to answer inline goes (CONTRACT 4.3: 303 See Other with its Location). */
export interface ExportFiles {
  /** Stores the file; resolves to a URL that fetches it without credentials for at least 15 minutes. */
  publish(
    file: { name: string; contentType: string; body: string | Buffer },
    request: { baseUrl: string },
  ): Promise<string>;
  /**
   * Opens a file to be written as a stream, never held whole in memory (in the cloud an S3 multipart
   * upload): write to `body`, then `finish()` ends it and resolves to its link and when that stops working.
   */
  create(file: { name: string; contentType: string }, request: { baseUrl: string }): Promise<ExportUpload>;
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
