/**
 * Loads the demo conference (local/demo/iclc2015.ts) through the HTTP API, as an organizer and the
 * delegates would: the conference, its agenda, the awards, then the registrations. Every POST carries a
 * deterministic Idempotency-Key, so a rerun after an interruption repeats nothing.
 */
import { checkInCodeOf } from '../../functions/shared/personal-data/check-in-code.js';
import { CONFIRMATION_LINK, OutboxLinks } from '../outbox-links.js';
import {
  awardCeremony,
  awards,
  capacityRaise,
  conference,
  DEMO_ACRONYM,
  DEMO_CHECK_INS,
  type DemoRegistration,
  delegates,
  demoAnswers,
  deskCorrection,
  idempotencyKeys,
  registrationForm,
  sessions,
  visaLetters,
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
  /** Requests in flight at the same time, all parts of the load together; default 8. */
  concurrency?: number;
  /** Default: a bar on a terminal (stderr), plain lines through `log` otherwise. */
  progress?: (total: number) => Progress;
  /** How many delegates register; default all of the demo's. */
  delegateCount?: number;
  /**
   * The local outbox (DATA_DIR/outbox), where the confirmation links of the registrations are read
   * (CONTRACT 5.1: the demo conference confirms each address, as its owner would).
   */
  outbox: string;
}

export interface DemoResult {
  /** The ICLC2015 conference, if the store has one (now or from before). */
  conferenceId: string | undefined;
  /** Whether this call loaded it. */
  loaded: boolean;
  /** What was sent, when loaded. */
  counts?: { sessions: number; awards: number; delegates: number; visaLetters: number; requests: number };
  /** How long the load took, when loaded. */
  elapsedMs?: number;
  /** The wall time of each part of the load, when loaded (parts run side by side, so they overlap). */
  phases?: Array<{ name: string; ms: number }>;
  /** The capacity raised once after the registrations, and the waitlisted delegates it promoted. */
  capacityRaise?: CapacityRaiseResult;
}

export interface CapacityRaiseResult {
  from: number;
  to: number;
  /** The registrations answered `waitlisted`, which the raise promotes (all, if the new seats suffice). */
  waitlisted: string[];
  /** How many of them hold a seat in the delegate counts once the promotions were seen (or time ran out). */
  promoted: number;
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

/**
 * At most `limit` of the calls given to it run at once; the others wait their turn in order. The load's
 * parts run side by side, and this keeps their requests together within what the server handles well.
 */
const limiter = (limit: number) => {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
};

const createClient = ({
  apiUrl,
  token,
  signal,
  inFlight = Number.POSITIVE_INFINITY,
}: Pick<LoadDemoOptions, 'apiUrl' | 'token' | 'signal'> & { inFlight?: number }) => {
  const base = apiUrl.replace(/\/+$/, '');
  const limited = limiter(inFlight);

  /** Sends a request; retries network failures and 429/502/503/504 (safe: POSTs carry an Idempotency-Key). */
  const send = (what: string, path: string, init: RequestInit, expected: number): Promise<unknown> =>
    limited(() => sendNow(what, path, init, expected));

  const sendNow = async (
    what: string,
    path: string,
    init: RequestInit,
    expected: number,
  ): Promise<unknown> => {
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
    /** A PUT as an organizer (idempotent by itself: the same body again changes nothing). */
    put: <T>(path: string, body: unknown, label: string): Promise<T> =>
      send(
        `PUT ${path} (${label})`,
        path,
        {
          method: 'PUT',
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify(body),
        },
        200,
      ) as Promise<T>,
    /**
     * `asOrganizer: false` sends no Authorization header, as a delegate registering would; `headers` adds
     * others (a delegate's X-Manage-Token); `expected` is the success status (201 unless given).
     */
    post: <T>(
      path: string,
      body: unknown,
      {
        key,
        label,
        asOrganizer = true,
        headers = {},
        expected = 201,
      }: {
        key: string;
        label: string;
        asOrganizer?: boolean;
        headers?: Record<string, string>;
        expected?: number;
      },
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
            ...headers,
          },
          body: JSON.stringify(body),
        },
        expected,
      ) as Promise<T>,
  };
};

/**
 * Once the delegate counts show every registration, raises the conference's capacity to
 * `capacityRaise.raisedTo` (POST .../settings) and waits until the counts show the waitlisted delegates
 * promoted by the waitlist process (two minutes at most for both waits: the event pipeline of a busy
 * machine may still be working through the registrations' events).
 */
const raiseCapacity = async (
  api: ReturnType<typeof createClient>,
  base: string,
  {
    from,
    seatsWanted,
    waitlisted,
    signal,
  }: { from: number; seatsWanted: number; waitlisted: string[]; signal?: AbortSignal },
): Promise<CapacityRaiseResult> => {
  const to = capacityRaise.raisedTo;
  const deadline = performance.now() + 120_000;
  // Raised once every registration is counted, as an organizer watching the counts would.
  while (performance.now() < deadline) {
    const counts = await api.get<{ registered: number; waitlisted: number }>(`${base}/delegate-counts`);
    if (counts.registered + counts.waitlisted >= seatsWanted) break;
    await sleep(200, signal);
  }
  if (to > from)
    await api.post(
      `${base}/settings`,
      { capacity: to },
      {
        key: capacityRaise.idempotencyKey,
        label: `capacity raised from ${from} to ${to}`,
        expected: 200,
      },
    );
  const seated = Math.min(seatsWanted, to);
  const seatedBefore = seatsWanted - waitlisted.length;
  let registered = seatedBefore;
  while (performance.now() < deadline) {
    ({ registered } = await api.get<{ registered: number }>(`${base}/delegate-counts`));
    if (registered >= seated) break;
    await sleep(200, signal);
  }
  return { from, to, waitlisted, promoted: Math.max(0, Math.min(registered, seated) - seatedBefore) };
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const describePhases = (phases: ReadonlyArray<{ name: string; ms: number }>) =>
  phases.map((phase) => `${phase.name} ${seconds(phase.ms)}`).join(', ');

const findDemo = (conferences: readonly ConferenceSummary[]) =>
  conferences.find((listed) => listed.acronym === DEMO_ACRONYM)?.conferenceId;

/**
 * Loads the demo conference when `GET /conferences` lists none; otherwise changes nothing and reports
 * the id of the ICLC2015 conference if there is one. Throws a DemoLoadError naming the first request
 * that failed.
 */
export const loadDemoIfEmpty = async (options: LoadDemoOptions): Promise<DemoResult> => {
  const { log, concurrency = 8 } = options;

  const { conferences } = await createClient(options).get<{ conferences: ConferenceSummary[] }>(
    '/conferences',
  );
  if (conferences.length > 0) return { conferenceId: findDemo(conferences), loaded: false };

  const started = performance.now();
  const registrations: DemoRegistration[] = delegates(options.delegateCount);
  const letters = visaLetters(registrations);
  const decided = letters.filter((letter) => letter.decision !== 'wait');
  const checkIns = registrations.slice(0, DEMO_CHECK_INS);
  const total =
    1 +
    sessions.length +
    awards.length +
    // Each registration is requested, then confirmed with the link from the outbox.
    2 * registrations.length +
    letters.length +
    decided.length +
    1 +
    checkIns.length;
  const progress =
    options.progress?.(total) ?? createProgress({ total, label: `Loading demo ${DEMO_ACRONYM}`, log });
  // At once, not when the aborted request rejects: a process exiting right after must not leave the bar half drawn.
  const stopProgress = () => progress.stop();
  options.signal?.addEventListener('abort', stopProgress, { once: true });

  // One failure stops the other branches too: they share this signal, which follows the caller's.
  const stopAll = new AbortController();
  const abortAll = () => stopAll.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortAll, { once: true });
  // All parts together keep at most `concurrency` requests in flight, as the registrations alone did.
  const api = createClient({ ...options, signal: stopAll.signal, inFlight: concurrency });
  /** Where the load's time goes: each part's wall time (the parts overlap), printed with the total. */
  const phases: Array<{ name: string; ms: number }> = [];
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const phaseStarted = performance.now();
    try {
      return await work();
    } catch (error) {
      stopAll.abort(error);
      throw error;
    } finally {
      phases.push({ name, ms: performance.now() - phaseStarted });
    }
  };

  try {
    const openingCapacity = Math.min(capacityRaise.openingCapacity, conference.capacity);
    const { conferenceId } = await timed('conference', () =>
      api.post<{ conferenceId: string }>(
        '/conferences',
        { ...conference, capacity: openingCapacity },
        {
          key: idempotencyKeys.conference(),
          label: `conference ${DEMO_ACRONYM}`,
        },
      ),
    );
    progress.tick('agenda');
    const base = `/conferences/${conferenceId}`;
    // The questions of 2015 (CONTRACT 5.2), asked before anyone registers.
    await api.put(`${base}/registration-form`, registrationForm, `registration form of ${DEMO_ACRONYM}`);
    const answersOf = demoAnswers(registrations);

    // What is independent loads at the same time: the agenda (sessions, then the awards presented in
    // one of them) beside the delegates (registrations, then the capacity raise and the visa letters
    // beside the desk). Each request waits on its own work only, not on every request before it.
    const agenda = timed('agenda and awards', async () => {
      // Sessions are streams of their own: a few at once. Rooms' days are guards the append checks.
      let ceremonyId: string | undefined;
      await forEachConcurrently(sessions, concurrency, async (session) => {
        const { sessionId } = await api.post<{ sessionId: string }>(`${base}/sessions`, session, {
          key: idempotencyKeys.session(session),
          label: `session "${session.title}", ${session.date} ${session.start}–${session.end} in ${session.room}`,
        });
        if (session === awardCeremony) ceremonyId = sessionId;
        progress.tick('agenda');
      });
      if (ceremonyId === undefined) throw new DemoLoadError('The demo agenda has no award ceremony');

      // The awards share one stream: one after the other, as contention would only make them retry.
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
    });

    const delegatesLoaded = (async () => {
      const registered = new Map<string, { registrationId: string; manageToken: string }>();
      const registrationIds = new Map<DemoRegistration, string>();
      const waitlisted: string[] = [];
      await timed('registrations', async () => {
        // Each delegate asks, gets a confirmation link by email, and confirms with it (email confirmation).
        await forEachConcurrently(registrations, concurrency, async (registration) => {
          await api.post(
            `${base}/registrations`,
            { ...registration, answers: answersOf.get(registration) },
            {
              key: idempotencyKeys.registration(registration),
              label: `registration of ${registration.email}`,
              asOrganizer: false,
              expected: 202,
            },
          );
          progress.tick('registrations');
        });
        // The handler mails the link before it answers: every link is in the outbox now.
        const links = await new OutboxLinks(options.outbox).linksByAddress(CONFIRMATION_LINK);
        await forEachConcurrently(registrations, concurrency, async (registration) => {
          const link = links.get(registration.email.toLowerCase())?.[0];
          if (!link) throw new DemoLoadError(`No confirmation link in the outbox for ${registration.email}`);
          const token = new URL(link).searchParams.get('token');
          const answer = await api.post<{ registrationId: string; manageToken: string; status: string }>(
            '/registrations/confirm',
            { token },
            {
              key: idempotencyKeys.confirmation(registration),
              label: `confirmation of ${registration.email}`,
              asOrganizer: false,
            },
          );
          registered.set(registration.email, answer);
          registrationIds.set(registration, answer.registrationId);
          if (answer.status === 'waitlisted') waitlisted.push(answer.registrationId);
          progress.tick('registrations');
        });
      });

      // Only seat holders may ask for a visa letter: the capacity is raised first, so all of them hold one.
      const lettersDone = (async () => {
        const raised = await timed('capacity raise, waiting for the counts and promotions', () =>
          raiseCapacity(api, base, {
            from: openingCapacity,
            seatsWanted: registrations.length,
            waitlisted,
            signal: stopAll.signal,
          }),
        );
        log(
          `Capacity of ${DEMO_ACRONYM} raised from ${raised.from} to ${raised.to} seats: ` +
            `${raised.promoted} of the ${raised.waitlisted.length} waitlisted delegates promoted`,
        );
        // Visa letters: the delegates ask (with their manage token), then the organizers decide on some.
        // Each letter is a stream of its own: several at once.
        await timed('visa letters', () =>
          forEachConcurrently(letters, concurrency, async (letter) => {
            const delegate = registered.get(letter.email);
            if (!delegate) throw new DemoLoadError(`The demo has no registration of ${letter.email}`);
            const path = `${base}/registrations/${delegate.registrationId}/visa-letter`;
            await api.post(path, letter.request, {
              key: idempotencyKeys.visaLetter(letter, 'request'),
              label: `visa letter request of ${letter.email}`,
              asOrganizer: false,
              headers: { 'x-manage-token': delegate.manageToken },
              expected: 202,
            });
            progress.tick('visa letters');
            if (letter.decision === 'wait') return;
            await api.post(
              `${path}/${letter.decision}`,
              letter.decision === 'decline' ? { reason: letter.reason } : {},
              {
                key: idempotencyKeys.visaLetter(letter, letter.decision),
                label: `visa letter ${letter.decision} for ${letter.email}`,
                expected: 200,
              },
            );
            progress.tick('visa letters');
          }),
        );
        return raised;
      })();

      // desk-registration: the first morning at the desk. An organizer corrects a registration, then the
      // first delegates to arrive are checked in by the code of their badge (computed as the badge prints
      // it, standing in for the desk's scanner). They hold seats from the start: no need to wait for the raise.
      const deskDone = timed('desk (correction, check-ins)', async () => {
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
      });
      const [raise] = await Promise.all([lettersDone, deskDone]);
      return raise;
    })();

    const [, raise] = await Promise.all([agenda, delegatesLoaded]);
    progress.stop();

    const elapsedMs = performance.now() - started;
    log(
      `Demo conference ${DEMO_ACRONYM} loaded in ${seconds(elapsedMs)}: ${sessions.length} sessions, ` +
        `${awards.length} awards, ${registrations.length} delegates, ${letters.length} visa letter requests, ` +
        `${checkIns.length} checked in at the desk ` +
        `(${total} requests)`,
    );
    log(`  where the time went (wall time of each part; parts overlap): ${describePhases(phases)}`);
    return {
      conferenceId,
      loaded: true,
      counts: {
        sessions: sessions.length,
        awards: awards.length,
        delegates: registrations.length,
        visaLetters: letters.length,
        requests: total + 1,
      },
      elapsedMs,
      phases,
      capacityRaise: raise,
    };
  } finally {
    options.signal?.removeEventListener('abort', stopProgress);
    options.signal?.removeEventListener('abort', abortAll);
    progress.stop();
  }
};
