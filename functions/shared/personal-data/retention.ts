import { personalDataExpired } from '../../../domain/conference/decider.js';
import type { WaitlistRow } from '../../../domain/projections/waitlist.js';
import { GoneError } from '../../../domain/shared/errors.js';
import { runCommand } from '../commands/pipeline.js';
import { changeRegistration } from '../commands/registrations.js';
import { catalogedConferences } from '../event-store/catalog.js';
import { deleteConferenceExports } from '../exports/export-files.js';
import { HttpProblem } from '../http/errors.js';
import { waitlistProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { withFreshRetries } from '../resilience/policy.js';
import { usePersonalData } from './personal-data.js';

/** The registrations of a conference not erased yet, from the waitlist process's rows (one per stream). */
export const registrationsNotErased = async (conferenceId: string): Promise<string[]> =>
  (await readModelRows<WaitlistRow>(waitlistProjection.name, conferenceId))
    .filter((row) => row.status !== 'erased')
    .map((row) => row.registrationId);

export type ErasureOutcome = 'erased' | 'already-erased' | 'failed';

/** Erases one registration as the retention does (cancelled first if active); already erased is fine. */
export const eraseForRetention = async (
  conferenceId: string,
  registrationId: string,
  correlationId: string,
): Promise<Exclude<ErasureOutcome, 'failed'>> => {
  try {
    const now = new Date().toISOString();
    await runCommand(
      changeRegistration({
        conferenceId,
        registrationId,
        command: { type: 'ErasePersonalData', by: 'retention', now },
      }),
      { conferenceId, correlationId, actor: 'process:retention', now },
    );
    return 'erased';
  } catch (error) {
    if (error instanceof GoneError) return 'already-erased';
    if (error instanceof HttpProblem && error.status === 404) return 'already-erased';
    throw error;
  }
};

export interface RetentionProgress {
  conferenceId: string;
  acronym: string;
  done: number;
  total: number;
}

export interface RetentionResult {
  conferencesDue: number;
  erased: number;
  alreadyErased: number;
  failed: Array<{ registrationId: string; error: string }>;
  /** Stopped early by `shouldStop` (the function's time budget): the rest is done on the next run. */
  stoppedEarly: boolean;
}

/**
 * Erases every registration of the conferences past their retention on `today` (CONTRACT section 4.1):
 * a few at a time, reporting progress; a registration that fails is listed and left for the next run.
 */
export const eraseExpiredRegistrations = async (options: {
  today: string;
  correlationId: string;
  concurrency?: number;
  onProgress?: (progress: RetentionProgress) => void;
  shouldStop?: () => boolean;
}): Promise<RetentionResult> => {
  usePersonalData();
  const result: RetentionResult = {
    conferencesDue: 0,
    erased: 0,
    alreadyErased: 0,
    failed: [],
    stoppedEarly: false,
  };
  const due = (await catalogedConferences()).filter((conference) =>
    personalDataExpired(conference, options.today),
  );
  result.conferencesDue = due.length;
  for (const conference of due) {
    const queue = await registrationsNotErased(conference.conferenceId);
    const total = queue.length;
    let done = 0;
    const report = () =>
      options.onProgress?.({
        conferenceId: conference.conferenceId,
        acronym: conference.acronym,
        done,
        total,
      });
    report();
    const worker = async () => {
      for (let registrationId = queue.shift(); registrationId; registrationId = queue.shift()) {
        if (options.shouldStop?.()) {
          result.stoppedEarly = true;
          return;
        }
        try {
          // Each registration gets its own allowance of retries, under the run's one deadline.
          const outcome = await withFreshRetries(() =>
            eraseForRetention(conference.conferenceId, registrationId, options.correlationId),
          );
          if (outcome === 'erased') result.erased++;
          else result.alreadyErased++;
        } catch (error) {
          result.failed.push({
            registrationId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        done++;
        report();
      }
    };
    const erasedBefore = result.erased;
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    // The exports and badge PDFs stored for the conference's 303 links may hold the erased names.
    if (result.erased > erasedBefore) await deleteConferenceExports(conference.conferenceId);
    if (result.stoppedEarly) break;
  }
  return result;
};
