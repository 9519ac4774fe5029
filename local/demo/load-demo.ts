/**
 * Loads the demo conference (local/demo/iclc2015.ts) through the HTTP API, as an organizer and the
 * delegates would: the conference, its agenda, the awards, then the registrations. Every POST carries a
 * deterministic Idempotency-Key, so a rerun after an interruption repeats nothing.
 */
import { checkInCodeOf } from '../../functions/shared/personal-data/check-in-code.js';
import {
  awardCeremony,
  awards,
  conference,
  DEMO_ACRONYM,
  DEMO_CHECK_INS,
  type DemoRegistration,
  delegates,
  deskCorrection,
  idempotencyKeys,
  sessions,
} from './iclc2015.js';
import { createProgress, type Progress } from './progress.js';

export interface LoadDemoOptions {
  /** The API's base address, e.g. `http://127.0.0.1:3000`. */
  apiUrl: string;
  /** An organizer's bearer token (group `organizers`). */
  token: string;
  /** Where progress and the summary go, one line each. */
  log: (line: string) => void;
  /** Stops the load (requests in flight are aborted); the promise then rejects. */
  signal?: AbortSignal;
  /** Registrations sent at the same time; default 8. */
  concurrency?: number;
  /** Default: a bar on a terminal (stderr), plain lines through `log` otherwise. */
  progress?: (total: number) => Progress;
  /** How many delegates register; default all of the demo's. */
  delegateCount?: number;
}

export interface DemoResult {
  /** The ICLC2015 conference, if the store has one (now or from before). */
  conferenceId: string | undefined;
  /** Whether this call loaded it. */
  loaded: boolean;
  /** What was sent, when loaded. */
  counts?: { sessions: number; awards: number; delegates: number; requests: number };
  /** How long the load took, when loaded. */
  elapsedMs?: number;
}

/** A request of the load failed: the message names the request and the API's problem detail. */
export class DemoLoadError extends Error {
  override readonly name = 'DemoLoadError';
}

interface ConferenceSummary {
  conferenceId: string;
  acronym: string;
}

const RETRIES = 3;
const RETRYABLE = new Set([429, 502, 503, 504]);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** `409 Conflict: Room … is taken (room: must be …)` from a problem+json body, or the start of any other body. */
const describeFailure = async (response: Response): Promise<string> => {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as {
      title?: string;
      detail?: string;
      errors?: Array<{ path: string; message: string }>;
    };
    const fields = (problem.errors ?? []).map((error) => `${error.path}: ${error.message}`).join('; ');
    return `${response.status} ${problem.title ?? response.statusText}: ${problem.detail ?? '(no detail)'}${fields ? ` (${fields})` : ''}`;
  } catch {
    return `${response.status} ${response.statusText}: ${text.slice(0, 300) || '(empty body)'}`;
  }
};

/** Runs `work` on every item, `concurrency` at a time; after the first failure starts no more, then throws it. */
const forEachConcurrently = async <T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
};

const createClient = ({ apiUrl, token, signal }: Pick<LoadDemoOptions, 'apiUrl' | 'token' | 'signal'>) => {
  const base = apiUrl.replace(/\/+$/, '');

  /** Sends a request; retries network failures and 429/502/503/504 (safe: POSTs carry an Idempotency-Key). */
  const send = async (what: string, path: string, init: RequestInit, expected: number): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, { ...init, signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (attempt < RETRIES) {
          await sleep(200 * attempt, signal);
          continue;
        }
        const cause = error instanceof Error ? (error.cause ?? error) : error;
        throw new DemoLoadError(`${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
          cause: error,
        });
      }
      if (response.status === expected) return response.json();
      if (RETRYABLE.has(response.status) && attempt < RETRIES) {
        await response.body?.cancel();
        await sleep(200 * attempt, signal);
        continue;
      }
      throw new DemoLoadError(`${what} failed: ${await describeFailure(response)}`);
    }
  };

  return {
    get: <T>(path: string): Promise<T> =>
      send(`GET ${path}`, path, { headers: { accept: 'application/json' } }, 200) as Promise<T>,
    /** `asOrganizer: false` sends no Authorization header, as a delegate registering would. */
    post: <T>(
      path: string,
      body: unknown,
      {
        key,
        label,
        asOrganizer = true,
        expected = 201,
      }: { key: string; label: string; asOrganizer?: boolean; expected?: number },
    ): Promise<T> =>
      send(
        `POST ${path} (${label})`,
        path,
        {
          method: 'POST',
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'idempotency-key': key,
            ...(asOrganizer ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        },
        expected,
      ) as Promise<T>,
  };
};

const findDemo = (conferences: readonly ConferenceSummary[]) =>
  conferences.find((listed) => listed.acronym === DEMO_ACRONYM)?.conferenceId;

/**
 * Loads the demo conference when `GET /conferences` lists none; otherwise changes nothing and reports
 * the id of the ICLC2015 conference if there is one. Throws a DemoLoadError naming the first request
 * that failed.
 */
export const loadDemoIfEmpty = async (options: LoadDemoOptions): Promise<DemoResult> => {
  const { log, concurrency = 8 } = options;
  const api = createClient(options);

  const { conferences } = await api.get<{ conferences: ConferenceSummary[] }>('/conferences');
  if (conferences.length > 0) return { conferenceId: findDemo(conferences), loaded: false };

  const started = performance.now();
  const registrations: DemoRegistration[] = delegates(options.delegateCount);
  const checkIns = registrations.slice(0, DEMO_CHECK_INS);
  const total = 1 + sessions.length + awards.length + registrations.length + 1 + checkIns.length;
  const progress =
    options.progress?.(total) ?? createProgress({ total, label: `Loading demo ${DEMO_ACRONYM}`, log });
  // At once, not when the aborted request rejects: a process exiting right after must not leave the bar half drawn.
  const stopProgress = () => progress.stop();
  options.signal?.addEventListener('abort', stopProgress, { once: true });

  try {
    const { conferenceId } = await api.post<{ conferenceId: string }>('/conferences', conference, {
      key: idempotencyKeys.conference(),
      label: `conference ${DEMO_ACRONYM}`,
    });
    progress.tick('agenda');
    const base = `/conferences/${conferenceId}`;

    // Sessions go one after the other, as an organizer would enter them.
    let ceremonyId: string | undefined;
    for (const session of sessions) {
      const { sessionId } = await api.post<{ sessionId: string }>(`${base}/sessions`, session, {
        key: idempotencyKeys.session(session),
        label: `session "${session.title}", ${session.date} ${session.start}–${session.end} in ${session.room}`,
      });
      if (session === awardCeremony) ceremonyId = sessionId;
      progress.tick('agenda');
    }
    if (ceremonyId === undefined) throw new DemoLoadError('The demo agenda has no award ceremony');

    for (const grant of awards) {
      await api.post(
        `${base}/awards`,
        { ...grant, sessionId: ceremonyId },
        {
          key: idempotencyKeys.award(grant),
          label: `${grant.award} ${grant.year} for ${grant.city} (${grant.country})`,
        },
      );
      progress.tick('awards');
    }

    const registrationIds = new Map<DemoRegistration, string>();
    await forEachConcurrently(registrations, concurrency, async (registration) => {
      const { registrationId } = await api.post<{ registrationId: string }>(
        `${base}/registrations`,
        registration,
        {
          key: idempotencyKeys.registration(registration),
          label: `registration of ${registration.email}`,
          asOrganizer: false,
        },
      );
      registrationIds.set(registration, registrationId);
      progress.tick('registrations');
    });

    // desk-registration: the first morning at the desk. An organizer corrects a registration, then the
    // first delegates to arrive are checked in by the code of their badge (computed as the badge prints
    // it, standing in for the desk's scanner).
    const corrected = registrations[deskCorrection.delegateIndex];
    if (corrected) {
      await api.post(
        `${base}/registrations/${registrationIds.get(corrected)}/details`,
        deskCorrection.changes,
        {
          key: idempotencyKeys.correction(corrected),
          label: `correction of ${corrected.email}`,
          expected: 200,
        },
      );
    }
    progress.tick('desk');
    await forEachConcurrently(checkIns, concurrency, async (registration) => {
      const code = await checkInCodeOf(String(registrationIds.get(registration)));
      await api.post(
        `${base}/check-ins`,
        { code },
        {
          key: idempotencyKeys.checkIn(registration),
          label: `check-in of ${registration.email}`,
          expected: 200,
        },
      );
      progress.tick('desk');
    });
    progress.stop();

    const elapsedMs = performance.now() - started;
    log(
      `Demo conference ${DEMO_ACRONYM} loaded in ${(elapsedMs / 1000).toFixed(1)} s: ${sessions.length} sessions, ` +
        `${awards.length} awards, ${registrations.length} delegates, ${checkIns.length} checked in at the desk ` +
        `(${total} requests)`,
    );
    return {
      conferenceId,
      loaded: true,
      counts: {
        sessions: sessions.length,
        awards: awards.length,
        delegates: registrations.length,
        requests: total,
      },
      elapsedMs,
    };
  } finally {
    options.signal?.removeEventListener('abort', stopProgress);
    progress.stop();
  }
};
