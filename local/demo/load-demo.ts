/**
 * Loads the demo conference (local/demo/iclc2015.ts) through the HTTP API, as an organizer and the
 * delegates would: the conference, its agenda, the awards, then the registrations. Every POST carries a
 * deterministic Idempotency-Key, so a rerun after an interruption repeats nothing.
 */
import type { SessionDetails } from '../../domain/agenda/events.js';
import { checkInCodeOf } from '../../functions/shared/personal-data/check-in-code.js';
import { CONFIRMATION_LINK, DELEGATION_LINK, INVITATION_LINK, OutboxLinks } from '../outbox-links.js';
import {
  awardCeremony,
  awards,
  capacityRaise,
  conference,
  DEMO_ACRONYM,
  DEMO_CHECK_INS,
  type DemoDelegation,
  type DemoRegistration,
  type DemoVisaLetter,
  delegates,
  delegations,
  demoAnswers,
  deskCorrection,
  idempotencyKeys,
  invitedAnswers,
  invitees,
  isOpen,
  moderation,
  needsInvitation,
  registrationForm,
  registrationPolicy,
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
  /** Requests in flight at the same time, all parts of the load together; default DEMO_CONCURRENCY. */
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
  /**
   * Resolves once everything stored so far has gone through the event pipeline (the local stack's
   * `settled`). Given, the load ends only when every projection shows the whole demo, and its time says
   * so; without it, it ends when the last request is answered and the counts show the promotions.
   */
  settled?: () => Promise<void>;
  /** The parts to load; default `demoParts` (a benchmark passes them rearranged). */
  parts?: readonly DemoPart[];
}

export interface DemoResult {
  /** The ICLC2015 conference, if the store has one (now or from before). */
  conferenceId: string | undefined;
  /** Whether this call loaded it. */
  loaded: boolean;
  /** What was sent, when loaded. */
  counts?: {
    sessions: number;
    awards: number;
    delegates: number;
    visaLetters: number;
    requests: number;
    /** Who may register (CONTRACT 5.3): the invitations sent by the organizers, and the delegations. */
    invitations?: number;
    delegations?: number;
  };
  /** How long the load took, when loaded. */
  elapsedMs?: number;
  /**
   * Each part of the load, when loaded: when it started (ms after the load began) and its wall time
   * (parts run side by side, so they overlap).
   */
  phases?: Array<{ name: string; ms: number; startedMs: number }>;
  /** The capacity raised once after the registrations, and the waitlisted delegates it promoted. */
  capacityRaise?: CapacityRaiseResult;
  /** The delegations made, when loaded: their ids by name (CONTRACT 5.3 lists no delegations). */
  delegations?: Record<string, string>;
}

export interface CapacityRaiseResult {
  from: number;
  to: number;
  /** The registrations answered `waitlisted`, which the raise promotes (all, if the new seats suffice). */
  waitlisted: string[];
  /** How many of them the delegate counts no longer show waitlisted once the promotions were seen (or time ran out). */
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

/** Attempts of a request refused as busy or lost (a machine under load), 250 ms, 0.5, 1, 2 s apart. */
const RETRIES = 5;
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

/** The demo's requests in flight: 16 left the cores idle more than 32 did (docs/architecture.md). */
export const DEMO_CONCURRENCY = 32;

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
const limiter = (limit: number, onQueued: (ms: number) => void = () => {}) => {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) {
      const queued = performance.now();
      await new Promise<void>((resolve) => waiting.push(resolve));
      onQueued(performance.now() - queued);
    }
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
  /** Where the requests' time went: answered requests, their time in flight, their time queued here. */
  const spent = { requests: 0, inFlightMs: 0, queuedMs: 0, retries: 0 };
  const limited = limiter(inFlight, (ms) => {
    spent.queuedMs += ms;
  });

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
      const sent = performance.now();
      if (attempt > 1) spent.retries++;
      try {
        response = await fetch(`${base}${path}`, { ...init, signal });
        spent.requests++;
        spent.inFlightMs += performance.now() - sent;
      } catch (error) {
        if (signal?.aborted) throw error;
        if (attempt < RETRIES) {
          await sleep(125 * 2 ** attempt, signal);
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
        await sleep(125 * 2 ** attempt, signal);
        continue;
      }
      throw new DemoLoadError(`${what} failed: ${await describeFailure(response)}`);
    }
  };

  return {
    /** One line on where the requests' time went. */
    stats: () =>
      `${spent.requests} requests (${spent.retries} retried) at most ${inFlight} at a time: ` +
      `${(spent.inFlightMs / Math.max(1, spent.requests)).toFixed(0)} ms each in the API on average, ` +
      `${(spent.queuedMs / Math.max(1, spent.requests)).toFixed(0)} ms each queued in the loader`,
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

type Api = ReturnType<typeof createClient>;

/** How long the waits on the pipeline's projections may take in all (a busy machine's pipeline lags). */
const PROJECTION_WAIT_MS = 120_000;
/**
 * Between two reads of a projection (or of the outbox): 100 ms at first, as an idle pipeline catches up
 * within a poll or two, then 200 ms. A read of the counts is two DynamoDB reads, of the outbox a listing
 * of new files: a pipeline far behind (a busy machine) is not kept busy by them, and a wait ends at most
 * 200 ms after what it waits for (the capacity raise waits twice on the counts: up to 500 ms each before).
 */
const POLL_MS = { first: 100, most: 200 };

/** What the demo reads of the delegate counts (CONTRACT 2). */
type DelegateCounts = { registered: number; waitlisted: number };

/** Reads `path` until `done` says so (or `deadline` passes); returns the last answer. */
const pollUntil = async <T>(
  api: Api,
  path: string,
  done: (answer: T) => boolean,
  deadline: number,
  signal?: AbortSignal,
): Promise<T> => {
  for (let pause = POLL_MS.first; ; pause = Math.min(POLL_MS.most, 2 * pause)) {
    const answer = await api.get<T>(path);
    if (done(answer) || performance.now() >= deadline) return answer;
    await sleep(pause, signal);
  }
};

/** A delegate's registration, as the confirmation answered it. */
interface Registered {
  registrationId: string;
  manageToken: string;
  status: string;
}

/** What the parts of the load share: what earlier parts made, for the later parts that use it. */
export interface DemoState {
  api: Api;
  progress: Progress;
  signal: AbortSignal;
  concurrency: number;
  outbox: string;
  log: (line: string) => void;
  registrations: DemoRegistration[];
  /** Each generated delegate's answers to the form. */
  answers: Map<DemoRegistration, Record<string, unknown>>;
  /** Whom the organizers invite (CONTRACT 5.3): the award cities' mayors and the generated mayors. */
  invitees: DemoRegistration[];
  delegations: DemoDelegation[];
  /** The delegations made by the part `delegations`, by `key`: their id and the focal point's token. */
  delegationsMade: Map<string, { delegationId: string; token: string }>;
  /** Where the delegates read the links mailed to them (one reader for all parts). */
  mailbox: OutboxLinks;
  letters: DemoVisaLetter[];
  checkIns: DemoRegistration[];
  /** The seats registration opens with; raised after the registrations (`capacityRaise`). */
  openingCapacity: number;
  /** Set by the part `conference`. */
  conferenceId?: string;
  /** By email, set by the parts that register someone (and updated by the moderation's decisions). */
  registered: Map<string, Registered>;
  /** By email, each registration as its confirmation answered it, awaited by `confirmedBy`. */
  confirmations: Map<string, Confirmation>;
  /** The registrations answered `waitlisted`, in the order they were answered. */
  waitlisted: string[];
  /** Set by the part that raises the capacity. */
  raise?: CapacityRaiseResult;
  /** Set by the part that raises the capacity: how many waitlisted delegates its new seats do not reach. */
  stillWaitlisted?: number;
  /** Resolves once the part named has ended (for a step that needs one item of a part not listed in `after`). */
  partDone(name: string): Promise<void>;
}

const conferencePath = (state: DemoState) => {
  if (state.conferenceId === undefined) throw new DemoLoadError('The demo conference was not created');
  return `/conferences/${state.conferenceId}`;
};

const registeredOf = (state: DemoState, email: string): Registered => {
  const delegate = state.registered.get(email);
  if (!delegate) throw new DemoLoadError(`The demo has no registration of ${email}`);
  return delegate;
};

/** A registration to come: resolved by `registerAndConfirm` once it is confirmed. */
interface Confirmation {
  promise: Promise<Registered>;
  resolve: (registered: Registered) => void;
}

const confirmationOf = (state: DemoState, email: string): Confirmation => {
  let confirmation = state.confirmations.get(email);
  if (!confirmation) {
    let resolve: (registered: Registered) => void = () => {};
    const promise = new Promise<Registered>((resolved) => {
      resolve = resolved;
    });
    confirmation = { promise, resolve };
    state.confirmations.set(email, confirmation);
  }
  return confirmation;
};

/**
 * A registration of the part `registrations` as soon as it is confirmed: a part that needs a few of them
 * (the desk, the moderation, the visa letters) starts on each when it is there, not once the last of the
 * 420 is. Rejects as that part does when it fails, and names the delegate if it ended without them.
 */
const confirmedBy = (state: DemoState, email: string): Promise<Registered> =>
  Promise.race([
    confirmationOf(state, email).promise,
    state.partDone(REGISTRATIONS).then(() => registeredOf(state, email)),
  ]);

/** The first link matching `pattern` in the emails to `address`, read again until the email is there. */
const linkMailedTo = async (state: DemoState, address: string, pattern: RegExp): Promise<URL> => {
  const deadline = performance.now() + PROJECTION_WAIT_MS;
  for (let pause = POLL_MS.first; ; pause = Math.min(POLL_MS.most, 2 * pause)) {
    const link = await state.mailbox.firstLinkTo(address, pattern);
    if (link) return new URL(link);
    if (performance.now() >= deadline)
      throw new DemoLoadError(`No email to ${address} with a link like ${pattern.source} in the outbox`);
    await sleep(pause, state.signal);
  }
};

/** The code of the invitation mailed to `address` (by the notifier, so through the event pipeline). */
const invitationCodeMailedTo = async (state: DemoState, address: string): Promise<string> =>
  (await linkMailedTo(state, address, INVITATION_LINK)).searchParams.get('invitation') ?? '';

/** An invitation's body for someone of the demo (only what an invitation takes). */
const invitationOf = (invitee: DemoRegistration, delegationId?: string) => ({
  email: invitee.email,
  givenName: invitee.givenName,
  familyName: invitee.familyName,
  category: invitee.category,
  ...(invitee.language ? { language: invitee.language } : {}),
  ...(delegationId ? { delegationId } : {}),
});

/**
 * A delegate asks to register (with an invitation's code, if invited), finds the confirmation link in
 * their mailbox and confirms with it (CONTRACT 5.1): what they are then (registered, waitlisted, pending)
 * is kept in `state.registered`.
 */
const registerAndConfirm = async (
  state: DemoState,
  registration: DemoRegistration,
  answers: Record<string, unknown> | undefined,
  invitationCode?: string,
): Promise<Registered> => {
  await state.api.post(
    `${conferencePath(state)}/registrations`,
    { ...registration, answers, ...(invitationCode ? { invitationCode } : {}) },
    {
      key: idempotencyKeys.registration(registration),
      label: `registration of ${registration.email}`,
      asOrganizer: false,
      expected: 202,
    },
  );
  state.progress.tick('registrations');
  // The handler mails the link before it answers: it is in the outbox now.
  const link = await state.mailbox.firstLinkTo(registration.email, CONFIRMATION_LINK);
  if (!link) throw new DemoLoadError(`No confirmation link in the outbox for ${registration.email}`);
  const answer = await state.api.post<Registered>(
    '/registrations/confirm',
    { token: new URL(link).searchParams.get('token') },
    {
      key: idempotencyKeys.confirmation(registration),
      label: `confirmation of ${registration.email}`,
      asOrganizer: false,
    },
  );
  state.registered.set(registration.email, answer);
  if (answer.status === 'waitlisted') state.waitlisted.push(answer.registrationId);
  confirmationOf(state, registration.email).resolve(answer);
  state.progress.tick('registrations');
  return answer;
};

/** The requests of one delegation: its creation, each member's invitation and registration, head, credentials. */
const delegationRequests = (delegation: DemoDelegation) => 1 + 3 * delegation.members.length + 2;

/**
 * One part of the load. A part starts as soon as the parts it names in `after` have ended (they made what
 * it uses), so independent parts run side by side, their requests sharing the load's `concurrency`. A new
 * part of the demo is one more entry in `demoParts`.
 */
export interface DemoPart {
  name: string;
  after: readonly string[];
  /** How many requests it sends (its share of the progress bar); polls of a projection are not counted. */
  requests(state: DemoState): number;
  run(state: DemoState): Promise<void>;
}

const CAPACITY_RAISE = 'capacity raise, once the counts show every registration';
const PROMOTIONS = 'promotions, until the counts show them';
const REGISTRATIONS = 'registrations';

/** The demo, part by part; each part's comment says why it waits for the parts it names. */
export const demoParts: readonly DemoPart[] = [
  {
    name: 'conference',
    after: [],
    requests: () => 1,
    async run(state) {
      const { conferenceId } = await state.api.post<{ conferenceId: string }>(
        '/conferences',
        { ...conference, capacity: state.openingCapacity, registrationPolicy },
        { key: idempotencyKeys.conference(), label: `conference ${DEMO_ACRONYM}` },
      );
      state.conferenceId = conferenceId;
      state.progress.tick('agenda');
    },
  },
  {
    // The questions of 2015 (CONTRACT 5.2), asked before anyone registers.
    name: 'registration form',
    after: ['conference'],
    requests: () => 1,
    async run(state) {
      await state.api.put(
        `${conferencePath(state)}/registration-form`,
        registrationForm,
        `registration form of ${DEMO_ACRONYM}`,
      );
      state.progress.tick('registrations');
    },
  },
  {
    // Sessions are streams of their own: several at once (rooms' days are guards the append checks). The
    // awards share one stream: one after the other, from the moment the ceremony they are presented in exists.
    name: 'agenda and awards',
    after: ['conference'],
    requests: () => sessions.length + awards.length,
    async run(state) {
      const base = conferencePath(state);
      const schedule = (session: SessionDetails) =>
        state.api.post<{ sessionId: string }>(`${base}/sessions`, session, {
          key: idempotencyKeys.session(session),
          label: `session "${session.title}", ${session.date} ${session.start}–${session.end} in ${session.room}`,
        });
      const grantAwards = async () => {
        const { sessionId } = await schedule(awardCeremony);
        state.progress.tick('agenda');
        for (const grant of awards) {
          await state.api.post(
            `${base}/awards`,
            { ...grant, sessionId },
            {
              key: idempotencyKeys.award(grant),
              label: `${grant.award} ${grant.year} for ${grant.city} (${grant.country})`,
            },
          );
          state.progress.tick('awards');
        }
      };
      const others = sessions.filter((session) => session !== awardCeremony);
      if (others.length === sessions.length) throw new DemoLoadError('The demo agenda has no award ceremony');
      await Promise.all([
        grantAwards(),
        forEachConcurrently(others, state.concurrency, async (session) => {
          await schedule(session);
          state.progress.tick('agenda');
        }),
      ]);
    },
  },
  {
    // Each delegate asks, finds the confirmation link in their mailbox and confirms with it (CONTRACT 5.1),
    // one delegate after the other on each of `concurrency` lanes: the confirmations (and the pipeline's
    // work on the registrations they make) begin with the first answer, not after the last request.
    // The mayors (by invitation only) register in the part `invited registrations`; the civil society's
    // registrations are pending until the part `moderation` decides them.
    name: REGISTRATIONS,
    after: ['registration form'],
    requests: (state) =>
      2 * state.registrations.filter((registration) => !needsInvitation(registration)).length,
    async run(state) {
      const uninvited = state.registrations.filter((registration) => !needsInvitation(registration));
      await forEachConcurrently(uninvited, state.concurrency, async (registration) => {
        await registerAndConfirm(state, registration, state.answers.get(registration));
      });
    },
  },
  {
    // CONTRACT 5.3: the organizers invite every mayor (category `mayor` is by invitation only), the award
    // cities' mayors first. Each invitation is a stream of its own: several at once.
    name: 'invitations',
    after: ['conference'],
    requests: (state) => state.invitees.length,
    async run(state) {
      const base = conferencePath(state);
      await forEachConcurrently(state.invitees, state.concurrency, async (invitee) => {
        await state.api.post(`${base}/invitations`, invitationOf(invitee), {
          key: idempotencyKeys.invitation(invitee),
          label: `invitation of ${invitee.email}`,
        });
        state.progress.tick('invitations');
      });
    },
  },
  {
    // Each invitee registers with the code of the link mailed to them (the notifier mails it, once the
    // pipeline has carried the invitation), then confirms as everyone does. The waits for the emails hold
    // no request: the lanes may outnumber the requests in flight.
    name: 'invited registrations',
    after: ['registration form', 'invitations'],
    requests: (state) => 2 * state.invitees.length,
    async run(state) {
      await forEachConcurrently(state.invitees, 2 * state.concurrency, async (invitee) => {
        const code = await invitationCodeMailedTo(state, invitee.email);
        await registerAndConfirm(state, invitee, state.answers.get(invitee) ?? invitedAnswers(invitee), code);
      });
    },
  },
  {
    // The secretariat decides the pending civil society in one request (CONTRACT 5.3), once those it
    // decides have registered (while the others are still registering): approves them, but for one
    // rejected and a few left pending. Each approval takes a seat or a waitlist place as a registration would.
    name: 'moderation',
    after: ['registration form'],
    requests: () => 1,
    async run(state) {
      const { approved, rejected } = moderation.of(state.registrations);
      await Promise.all(
        [...approved, rejected].map((registration) => confirmedBy(state, registration.email)),
      );
      const emailOf = new Map<string, string>();
      const idOf = (registration: DemoRegistration) => {
        const { registrationId } = registeredOf(state, registration.email);
        emailOf.set(registrationId, registration.email);
        return registrationId;
      };
      type Decision = { registrationId: string; decision: string };
      type Result = {
        registrationId: string;
        status?: string;
        problem?: { status?: number; detail?: string };
      };
      const decide = (decisions: Decision[], key: string, label: string) =>
        state.api.post<{ results: Result[] }>(
          `${conferencePath(state)}/registration-decisions`,
          { decisions },
          { key, label, expected: 200 },
        );
      /** The decided registration's new status; undefined for a decision answered busy. */
      const statusOf = (result: Result, retry: boolean): string | undefined => {
        if (result.status !== undefined) return result.status;
        if (retry && RETRYABLE.has(result.problem?.status ?? 0)) return undefined;
        throw new DemoLoadError(
          `The decision on ${emailOf.get(result.registrationId)} failed: ` +
            (result.problem?.detail ?? JSON.stringify(result.problem)),
        );
      };
      const decided = (result: Result, status: string) => {
        const email = emailOf.get(result.registrationId) ?? '';
        state.registered.set(email, { ...registeredOf(state, email), status });
        if (status === 'waitlisted') state.waitlisted.push(result.registrationId);
      };
      const decisions: Decision[] = [
        ...approved.map((registration) => ({ registrationId: idOf(registration), decision: 'approve' })),
        { registrationId: idOf(rejected), decision: 'reject', ...moderation.rejection },
      ];
      // Each decision is on its own (CONTRACT 5.3): those answered busy (many approvals at once contend for
      // the seats and the waitlist) are sent again one by one, as a secretariat would.
      const { results } = await decide(
        decisions,
        idempotencyKeys.decisions(),
        `${approved.length} approvals and a rejection`,
      );
      const busy: Decision[] = [];
      for (const result of results) {
        const status = statusOf(result, true);
        if (status === undefined)
          busy.push(decisions.find((item) => item.registrationId === result.registrationId) as Decision);
        else decided(result, status);
      }
      for (const item of busy)
        for (let attempt = 1; ; attempt++) {
          const [result] = (
            await decide(
              [item],
              `${idempotencyKeys.decisions()}/${item.registrationId}/${attempt}`,
              `the decision on ${emailOf.get(item.registrationId)} again`,
            )
          ).results;
          const status = result && statusOf(result, attempt < RETRIES);
          if (result && status !== undefined) {
            decided(result, status);
            break;
          }
          await sleep(125 * 2 ** attempt, state.signal);
        }
      state.progress.tick('moderation');
    },
  },
  {
    // CONTRACT 5.3: the two delegations, side by side. The organizers make each; its focal point reads the
    // delegation token mailed to them, invites the members (within the quota), who register with their
    // codes; then names the head, and the organizers set the credentials' status.
    name: 'delegations',
    after: ['registration form'],
    requests: (state) =>
      state.delegations.reduce((sum, delegation) => sum + delegationRequests(delegation), 0),
    async run(state) {
      const base = conferencePath(state);
      await Promise.all(
        state.delegations.map(async (delegation) => {
          const { name, focalPoint } = delegation.request;
          const { delegationId } = await state.api.post<{ delegationId: string }>(
            `${base}/delegations`,
            delegation.request,
            { key: idempotencyKeys.delegation(delegation, 'create'), label: `delegation ${name}` },
          );
          state.progress.tick('delegations');
          const link = await linkMailedTo(state, focalPoint.email, DELEGATION_LINK);
          const token = link.hash.replace(/^#delegation=/, '');
          state.delegationsMade.set(delegation.key, { delegationId, token });
          const asFocalPoint = { asOrganizer: false, headers: { 'x-delegation-token': token } };
          await forEachConcurrently(delegation.members, state.concurrency, async (member) => {
            await state.api.post(`${base}/invitations`, invitationOf(member, delegationId), {
              key: idempotencyKeys.invitation(member),
              label: `invitation of ${member.email} into the delegation ${name}`,
              ...asFocalPoint,
            });
            state.progress.tick('delegations');
            const code = await invitationCodeMailedTo(state, member.email);
            await registerAndConfirm(state, member, invitedAnswers(member), code);
          });
          const head = delegation.members[0];
          if (!head) throw new DemoLoadError(`The delegation ${name} has no members`);
          await state.api.post(
            `${base}/delegations/${delegationId}/head`,
            { registrationId: registeredOf(state, head.email).registrationId },
            {
              key: idempotencyKeys.delegation(delegation, 'head'),
              label: `${head.email} head of the delegation ${name}`,
              expected: 200,
              ...asFocalPoint,
            },
          );
          state.progress.tick('delegations');
          await state.api.post(
            `${base}/delegations/${delegationId}/credentials`,
            { status: delegation.credentials },
            {
              key: idempotencyKeys.delegation(delegation, 'credentials'),
              label: `credentials of the delegation ${name} ${delegation.credentials}`,
              expected: 200,
            },
          );
          state.progress.tick('delegations');
        }),
      );
    },
  },
  {
    // desk-registration: the first morning at the desk. An organizer corrects a registration, then the
    // first delegates to arrive are checked in by the code of their badge (computed as the badge prints it,
    // standing in for the desk's scanner). Both read the registrations' streams, not a projection: each
    // goes as soon as its registration is confirmed.
    name: 'desk (correction, check-ins)',
    after: ['registration form'],
    requests: (state) => 1 + state.checkIns.length,
    async run(state) {
      const base = conferencePath(state);
      const corrected = state.registrations[deskCorrection.delegateIndex];
      if (corrected) {
        const { registrationId } = await confirmedBy(state, corrected.email);
        await state.api.post(`${base}/registrations/${registrationId}/details`, deskCorrection.changes, {
          key: idempotencyKeys.correction(corrected),
          label: `correction of ${corrected.email}`,
          expected: 200,
        });
      }
      state.progress.tick('desk');
      await forEachConcurrently(state.checkIns, state.concurrency, async (registration) => {
        const code = await checkInCodeOf((await confirmedBy(state, registration.email)).registrationId);
        await state.api.post(
          `${base}/check-ins`,
          { code },
          {
            key: idempotencyKeys.checkIn(registration),
            label: `check-in of ${registration.email}`,
            expected: 200,
          },
        );
        state.progress.tick('desk');
      });
    },
  },
  {
    // Once every registration is decided the capacity is raised, as an organizer watching the counts
    // would, and the waitlist process promotes the waitlisted delegates. The raise waits for the counts:
    // the waitlist process hands a raise back until it has seen every waitlisting, and a raise handed back
    // too often ends among the dead letters.
    name: CAPACITY_RAISE,
    after: ['registrations', 'invited registrations', 'moderation', 'delegations'],
    requests: () => 1,
    async run(state) {
      const base = conferencePath(state);
      // Everyone who took a seat or a waitlist place (not the pending, nor the rejected).
      const seatsWanted = [...state.registered.values()].filter(
        (registered) => registered.status === 'registered' || registered.status === 'waitlisted',
      ).length;
      const from = state.openingCapacity;
      const to = capacityRaise.raisedTo;
      await pollUntil<DelegateCounts>(
        state.api,
        `${base}/delegate-counts`,
        (counts) => counts.registered + counts.waitlisted >= seatsWanted,
        performance.now() + PROJECTION_WAIT_MS,
        state.signal,
      );
      if (to > from)
        await state.api.post(
          `${base}/settings`,
          { capacity: to },
          {
            key: capacityRaise.idempotencyKey,
            label: `capacity raised from ${from} to ${to} seats`,
            expected: 200,
          },
        );
      state.progress.tick('capacity');
      state.raise = { from, to, waitlisted: state.waitlisted, promoted: 0 };
      state.stillWaitlisted = Math.max(0, seatsWanted - Math.max(from, to));
    },
  },
  {
    // The promotions, as the counts show them: the delegates still waitlisted are those the new seats do
    // not reach. Counted on the waitlist, which the substitution (a seat holder leaving, another taking a
    // seat) running meanwhile leaves as it is while seats are left.
    name: PROMOTIONS,
    after: [CAPACITY_RAISE],
    requests: () => 0,
    async run(state) {
      const raise = state.raise;
      if (!raise) throw new DemoLoadError('The capacity was not raised');
      const waitlisted = raise.waitlisted.length;
      const stillWaiting = state.stillWaitlisted ?? 0;
      const counts = await pollUntil<DelegateCounts>(
        state.api,
        `${conferencePath(state)}/delegate-counts`,
        (answer) => answer.waitlisted <= stillWaiting,
        performance.now() + PROJECTION_WAIT_MS,
        state.signal,
      );
      raise.promoted = Math.max(0, waitlisted - counts.waitlisted);
      state.log(
        `Capacity of ${DEMO_ACRONYM} raised from ${raise.from} to ${raise.to} seats: ` +
          `${raise.promoted} of the ${waitlisted} waitlisted delegates promoted`,
      );
    },
  },
  {
    // Visa letters: the delegates ask (with their manage token) once registered, then the organizers decide
    // on some. Each letter is a stream of its own: several at once. Only seat holders may ask: a delegate
    // who was waitlisted asks once the raise has promoted them, the others at once.
    name: 'visa letters',
    after: ['registration form'],
    requests: (state) =>
      state.letters.length + state.letters.filter((letter) => letter.decision !== 'wait').length,
    async run(state) {
      const base = conferencePath(state);
      await forEachConcurrently(state.letters, state.concurrency, async (letter) => {
        const delegate = await confirmedBy(state, letter.email);
        if (delegate.status === 'waitlisted') await state.partDone(PROMOTIONS);
        const path = `${base}/registrations/${delegate.registrationId}/visa-letter`;
        await state.api.post(path, letter.request, {
          key: idempotencyKeys.visaLetter(letter, 'request'),
          label: `visa letter request of ${letter.email}`,
          asOrganizer: false,
          headers: { 'x-manage-token': delegate.manageToken },
          expected: 202,
        });
        state.progress.tick('visa letters');
        if (letter.decision === 'wait') return;
        await state.api.post(
          `${path}/${letter.decision}`,
          letter.decision === 'decline' ? { reason: letter.reason } : {},
          {
            key: idempotencyKeys.visaLetter(letter, letter.decision),
            label: `visa letter ${letter.decision} for ${letter.email}`,
            expected: 200,
          },
        );
        state.progress.tick('visa letters');
      });
    },
  },
  {
    // A member who cannot come after all: the focal point substitutes them (their cancellation and the
    // substitute's invitation in one step, CONTRACT 5.3), and the substitute registers with the code. After
    // the raise, so that the seat given back changes no count the raise waits for; beside the promotions.
    name: 'substitution',
    after: ['delegations', CAPACITY_RAISE],
    requests: (state) => 3 * state.delegations.filter((delegation) => delegation.substitution).length,
    async run(state) {
      const base = conferencePath(state);
      await Promise.all(
        state.delegations.map(async (delegation) => {
          const { substitution } = delegation;
          const made = state.delegationsMade.get(delegation.key);
          if (!substitution) return;
          if (!made) throw new DemoLoadError(`The delegation ${delegation.request.name} was not made`);
          const member = registeredOf(state, substitution.member);
          const { substitute } = substitution;
          await state.api.post(
            `${base}/delegations/${made.delegationId}/substitute`,
            { registrationId: member.registrationId, invitation: invitationOf(substitute) },
            {
              key: idempotencyKeys.substitution(delegation, substitute),
              label: `substitution of ${substitution.member} by ${substitute.email}`,
              asOrganizer: false,
              headers: { 'x-delegation-token': made.token },
            },
          );
          state.registered.set(substitution.member, { ...member, status: 'cancelled' });
          state.progress.tick('substitution');
          const code = await invitationCodeMailedTo(state, substitute.email);
          await registerAndConfirm(state, substitute, invitedAnswers(substitute), code);
        }),
      );
    },
  },
];

/**
 * Runs the parts, each once the parts it names in `after` have ended; `timed` wraps each run. Rejects
 * with the first failure (the caller stops the others); a part naming an unknown or a later part is a
 * mistake in `demoParts`, refused before anything is sent.
 */
const runParts = async (
  parts: readonly DemoPart[],
  state: DemoState,
  timed: (name: string, work: () => Promise<void>) => Promise<void>,
): Promise<void> => {
  const ends = new Map<string, Promise<void>>();
  for (const part of parts)
    for (const name of part.after)
      if (!parts.slice(0, parts.indexOf(part)).some((earlier) => earlier.name === name))
        throw new DemoLoadError(
          `The demo part "${part.name}" comes after "${name}", which is not listed before it`,
        );
  // The parts write what they made into `state` itself: the caller reads it when they are done.
  state.partDone = (name) => ends.get(name) ?? Promise.reject(new DemoLoadError(`No demo part "${name}"`));
  for (const part of parts) {
    const before = part.after.map((name) => ends.get(name) as Promise<void>);
    const end = Promise.all(before).then(() => timed(part.name, () => part.run(state)));
    // Awaited below; a part's failure is also seen by the parts after it (and by `partDone`).
    end.catch(() => {});
    ends.set(part.name, end);
  }
  await Promise.all(ends.values());
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const describePhases = (phases: ReadonlyArray<{ name: string; ms: number; startedMs: number }>) =>
  phases.map((phase) => `${phase.name} ${seconds(phase.ms)} (from ${seconds(phase.startedMs)})`).join(', ');

const findDemo = (conferences: readonly ConferenceSummary[]) =>
  conferences.find((listed) => listed.acronym === DEMO_ACRONYM)?.conferenceId;

/**
 * Loads the demo conference when `GET /conferences` lists none; otherwise changes nothing and reports
 * the id of the ICLC2015 conference if there is one. Throws a DemoLoadError naming the first request
 * that failed.
 */
export const loadDemoIfEmpty = async (options: LoadDemoOptions): Promise<DemoResult> => {
  const { log, concurrency = DEMO_CONCURRENCY } = options;

  const { conferences } = await createClient(options).get<{ conferences: ConferenceSummary[] }>(
    '/conferences',
  );
  if (conferences.length > 0) return { conferenceId: findDemo(conferences), loaded: false };

  const started = performance.now();
  const registrations: DemoRegistration[] = delegates(options.delegateCount);
  // One failure stops the other parts too: they share this signal, which follows the caller's.
  const stopAll = new AbortController();
  const abortAll = () => stopAll.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortAll, { once: true });
  // All parts together keep at most `concurrency` requests in flight.
  const api = createClient({ ...options, signal: stopAll.signal, inFlight: concurrency });
  const state: DemoState = {
    api,
    // Set below, once the parts have said how many requests they send.
    progress: { tick() {}, stop() {} },
    partDone: () => Promise.reject(new DemoLoadError('The demo parts are not running')),
    signal: stopAll.signal,
    concurrency,
    outbox: options.outbox,
    log,
    registrations,
    answers: demoAnswers(registrations),
    invitees: invitees(registrations),
    delegations,
    delegationsMade: new Map(),
    mailbox: new OutboxLinks(options.outbox),
    letters: visaLetters(registrations),
    // The first to arrive of those who registered as anyone may (the others register later).
    checkIns: registrations.filter(isOpen).slice(0, DEMO_CHECK_INS),
    openingCapacity: Math.min(capacityRaise.openingCapacity, conference.capacity),
    registered: new Map(),
    confirmations: new Map(),
    waitlisted: [],
  };
  const parts = options.parts ?? demoParts;
  const total = parts.reduce((sum, part) => sum + part.requests(state), 0);
  const progress =
    options.progress?.(total) ?? createProgress({ total, label: `Loading demo ${DEMO_ACRONYM}`, log });
  state.progress = progress;
  // At once, not when the aborted request rejects: a process exiting right after must not leave the bar half drawn.
  const stopProgress = () => progress.stop();
  options.signal?.addEventListener('abort', stopProgress, { once: true });

  /** Where the load's time goes: when each part started and how long it took (parts overlap). */
  const phases: Array<{ name: string; ms: number; startedMs: number }> = [];
  const timed = async (name: string, work: () => Promise<void>) => {
    const phaseStarted = performance.now();
    try {
      await work();
    } catch (error) {
      stopAll.abort(error);
      throw error;
    } finally {
      phases.push({ name, ms: performance.now() - phaseStarted, startedMs: phaseStarted - started });
    }
  };

  try {
    await runParts(parts, state, timed);
    progress.stop();
    const answeredMs = performance.now() - started;
    // Everything the requests started has gone through the pipeline: every projection shows the demo.
    if (options.settled) {
      const settled = options.settled;
      log(`All ${total} requests answered in ${seconds(answeredMs)}; the event pipeline is catching up...`);
      await timed('pipeline settling', async () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), PROJECTION_WAIT_MS);
        });
        const inTime = await Promise.race([settled().then(() => true), late]).finally(() =>
          clearTimeout(timer),
        );
        if (!inTime)
          log(
            `The event pipeline was still busy ${seconds(PROJECTION_WAIT_MS)} after the last request: ` +
              'the projections catch up in the background',
          );
      });
    }
    const { conferenceId, raise } = state;

    const elapsedMs = performance.now() - started;
    log(
      `Demo conference ${DEMO_ACRONYM} loaded in ${seconds(elapsedMs)}: ${sessions.length} sessions, ` +
        `${awards.length} awards, ${registrations.length} delegates, ${state.letters.length} visa letter requests, ` +
        `${state.checkIns.length} checked in at the desk, ${state.invitees.length} invited mayors, ` +
        `${moderation.of(registrations).pending.length} civil society registrations pending, ` +
        `${delegations.length} delegations (${total} requests` +
        `${options.settled ? `, all answered in ${seconds(answeredMs)}, then the pipeline settled` : ''})`,
    );
    log(`  where the time went (wall time of each part; parts overlap): ${describePhases(phases)}`);
    log(`  ${api.stats()}`);
    return {
      conferenceId,
      loaded: true,
      counts: {
        sessions: sessions.length,
        awards: awards.length,
        delegates: registrations.length,
        visaLetters: state.letters.length,
        requests: total + 1,
        invitations: state.invitees.length,
        delegations: delegations.length,
      },
      elapsedMs,
      phases,
      capacityRaise: raise,
      delegations: Object.fromEntries(
        delegations.flatMap((delegation) => {
          const made = state.delegationsMade.get(delegation.key);
          return made ? [[delegation.request.name, made.delegationId]] : [];
        }),
      ),
    };
  } finally {
    options.signal?.removeEventListener('abort', stopProgress);
    options.signal?.removeEventListener('abort', abortAll);
    progress.stop();
  }
};
