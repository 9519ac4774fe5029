import {
  personalDataExpired,
  personalDataExpiresOn,
  sensitiveDataExpired,
  sensitiveDataExpiresOn,
} from '../../../domain/conference/decider.js';
import {
  DEFAULT_PERSONAL_DATA_RETENTION_DAYS,
  DEFAULT_SENSITIVE_DATA_RETENTION_DAYS,
} from '../../../domain/conference/events.js';
import type { AnswersSummaryRow } from '../../../domain/projections/answers-summary.js';
import type { WaitlistRow } from '../../../domain/projections/waitlist.js';
import { GoneError } from '../../../domain/shared/errors.js';
import { runCommand } from '../commands/pipeline.js';
import { changeRegistration } from '../commands/registrations.js';
import { catalogedConferences } from '../event-store/catalog.js';
import { deleteConferenceExports } from '../exports/export-files.js';
import { HttpProblem } from '../http/errors.js';
import { answersSummaryProjection, waitlistProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { withFreshRetries } from '../resilience/policy.js';
import { usePersonalData } from './personal-data.js';

/** The registrations of a conference not erased yet, from the waitlist process's rows (one per stream). */
export const registrationsNotErased = async (conferenceId: string): Promise<string[]> =>
  (await readModelRows<WaitlistRow>(waitlistProjection.name, conferenceId))
    .filter((row) => row.status !== 'erased')
    .map((row) => row.registrationId);

/**
 * The registrations of a conference whose sensitive answers are still there, from the answers-summary's
 * rows (a row counts sensitive tallies until the key is destroyed): the retention visits only those.
 */
export const registrationsWithSensitiveAnswers = async (conferenceId: string): Promise<string[]> =>
  (await readModelRows<AnswersSummaryRow>(answersSummaryProjection.name, conferenceId))
    .filter((row) => row.sensitive.length > 0 && row.registrationId)
    .map((row) => row.registrationId);

export type ErasureOutcome = 'erased' | 'already-erased' | 'failed';

/** Runs one erasure command of the retention on a registration; one erased before is fine. */
const retentionErasure =
  (type: 'ErasePersonalData' | 'EraseSensitiveAnswers') =>
  async (
    conferenceId: string,
    registrationId: string,
    correlationId: string,
  ): Promise<Exclude<ErasureOutcome, 'failed'>> => {
    try {
      const now = new Date().toISOString();
      await runCommand(
        changeRegistration({ conferenceId, registrationId, command: { type, by: 'retention', now } }),
        { conferenceId, correlationId, actor: 'process:retention', now },
      );
      return 'erased';
    } catch (error) {
      if (error instanceof GoneError) return 'already-erased';
      if (error instanceof HttpProblem && error.status === 404) return 'already-erased';
      throw error;
    }
  };

/** Erases one registration as the retention does (cancelled first if active). */
export const eraseForRetention = retentionErasure('ErasePersonalData');

/** Destroys one registration's sensitive answers' key (CONTRACT 5.2), the rest kept. */
export const eraseSensitiveForRetention = retentionErasure('EraseSensitiveAnswers');

export interface RetentionProgress {
  conferenceId: string;
  acronym: string;
  done: number;
  total: number;
}

/** What the retention did to one conference, and why: ids, dates and counts only (no personal data). */
export interface ConferenceRetention {
  conferenceId: string;
  acronym: string;
  endDate: string;
  /** Only the sensitive answers' key went (their own retention, CONTRACT 5.2), the rest kept. */
  sensitiveOnly: boolean;
  /** The retention that applied, in days after `endDate`. */
  retentionDays: number;
  /** The first day its registrations were due for erasure. */
  expiredOn: string;
  erased: number;
  alreadyErased: number;
  failed: number;
}

export interface RetentionResult {
  today: string;
  conferencesDue: number;
  /** One entry per conference past its retention, in the order they were handled. */
  conferences: ConferenceRetention[];
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
    today: options.today,
    conferencesDue: 0,
    conferences: [],
    erased: 0,
    alreadyErased: 0,
    failed: [],
    stoppedEarly: false,
  };
  const conferences = await catalogedConferences();
  const due = conferences.flatMap((conference) => {
    // A conference past its personal data's retention is erased whole; past only its sensitive
    // answers' retention (30 days by default), only their key goes.
    if (personalDataExpired(conference, options.today)) return [{ conference, sensitiveOnly: false }];
    if (sensitiveDataExpired(conference, options.today)) return [{ conference, sensitiveOnly: true }];
    return [];
  });
  for (const { conference, sensitiveOnly } of due) {
    const queue = sensitiveOnly
      ? await registrationsWithSensitiveAnswers(conference.conferenceId)
      : await registrationsNotErased(conference.conferenceId);
    // Past only its sensitive answers' retention with none left to erase: nothing is due there.
    if (sensitiveOnly && queue.length === 0) continue;
    result.conferencesDue++;
    const erase = sensitiveOnly ? eraseSensitiveForRetention : eraseForRetention;
    const total = queue.length;
    const outcome: ConferenceRetention = {
      conferenceId: conference.conferenceId,
      acronym: conference.acronym,
      endDate: conference.endDate,
      sensitiveOnly,
      retentionDays: sensitiveOnly
        ? (conference.sensitiveDataRetentionDays ?? DEFAULT_SENSITIVE_DATA_RETENTION_DAYS)
        : (conference.personalDataRetentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS),
      expiredOn: sensitiveOnly ? sensitiveDataExpiresOn(conference) : personalDataExpiresOn(conference),
      erased: 0,
      alreadyErased: 0,
      failed: 0,
    };
    result.conferences.push(outcome);
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
          const erasure = await withFreshRetries(() =>
            erase(conference.conferenceId, registrationId, options.correlationId),
          );
          if (erasure === 'erased') {
            result.erased++;
            outcome.erased++;
          } else {
            result.alreadyErased++;
            outcome.alreadyErased++;
          }
        } catch (error) {
          outcome.failed++;
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
