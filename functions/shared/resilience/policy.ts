import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';

/**
 * The one answer to "retries exhausted", whichever retry ran out of tries or time: 503 problem+json with
 * Retry-After at the HTTP edge, a failed batch item in a consumer (which SQS delivers again later).
 */
export class RetriesExhaustedError extends Error {
  readonly retryAfterSeconds = 1;
}

export const RETRY_LIMITS = {
  /** Retries of one request or one consumer record, all policies and the SDK's own retries together. */
  retriesPerInvocation: 12,
  /** Kept back from the Lambda timeout to answer (503) and flush logs and metrics. */
  reserveMs: 1_500,
  /** The budget of work done outside a Lambda invocation (scripts, tests calling the store directly). */
  defaultBudgetMs: 20_000,
} as const;

/** What an invocation may still spend: its deadline and the retries it has left. */
export interface Budget {
  deadline: number;
  retriesLeft: number;
}

const budgets = new AsyncLocalStorage<Budget>();

/**
 * Runs `work` with a budget taken from the Lambda context: every retry inside it (each policy below and the
 * SDK's own, through functions/shared/runtime/config.ts) draws from the same retries and stops at the same
 * deadline, so nested retries add up instead of multiplying and none outlives the function's time.
 */
export const withinBudget = <T>(
  context: { getRemainingTimeInMillis(): number } | undefined,
  work: () => Promise<T>,
): Promise<T> => {
  const remaining = context?.getRemainingTimeInMillis() ?? RETRY_LIMITS.defaultBudgetMs;
  return budgets.run(
    {
      deadline: Date.now() + Math.max(0, remaining - RETRY_LIMITS.reserveMs),
      retriesLeft: RETRY_LIMITS.retriesPerInvocation,
    },
    work,
  );
};

/** A fresh allowance of retries under the same deadline: each record of a consumer's batch gets one. */
export const withFreshRetries = <T>(work: () => Promise<T>): Promise<T> =>
  budgets.run({ deadline: currentBudget().deadline, retriesLeft: RETRY_LIMITS.retriesPerInvocation }, work);

/** The budget of the current invocation; outside one, a default budget that starts now. */
export const currentBudget = (): Budget =>
  budgets.getStore() ?? {
    deadline: Date.now() + RETRY_LIMITS.defaultBudgetMs,
    retriesLeft: RETRY_LIMITS.retriesPerInvocation,
  };

/** Milliseconds left before the deadline (0 when passed). */
export const timeLeft = (budget: Budget = currentBudget()): number =>
  Math.max(0, budget.deadline - Date.now());

/** Takes one retry from the budget if a retry after `delayMs` still ends before the deadline. */
export const takeRetry = (budget: Budget, delayMs = 0): boolean => {
  if (budget.retriesLeft <= 0 || Date.now() + delayMs >= budget.deadline) return false;
  budget.retriesLeft -= 1;
  return true;
};

export interface RetryPolicy {
  /** Named in the error when the retries run out, e.g. "The agenda of conference c1 kept changing". */
  exhausted: string;
  /** Tries at most, the first included. */
  attempts: number;
  /** Whether a failure is worth another try (anything else is thrown as it is). */
  retryOn: (error: unknown) => boolean;
  /** Full jitter: the n-th wait is uniform in [0, min(maxDelayMs, initialDelayMs × 2^n)). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `operation` under a policy: up to `attempts` tries with full-jitter waits, each retry taken from the
 * invocation's budget, the whole bounded by the budget's deadline (the operation gets an AbortSignal that
 * fires then, to hand to the SDK). Throws RetriesExhaustedError when a retryable failure is left over.
 */
export const retrying = async <T>(
  policy: RetryPolicy,
  operation: (attempt: number, signal: AbortSignal) => Promise<T>,
): Promise<T> => {
  const budget = currentBudget();
  const left = timeLeft(budget);
  if (left <= 0) throw new RetriesExhaustedError(`No time left (${policy.exhausted})`);
  const retries = retry(
    handleWhen((error) => policy.retryOn(error) && takeRetry(budget)),
    {
      maxAttempts: Math.max(0, policy.attempts - 1),
      backoff: new ExponentialBackoff({
        generator: fullJitterGenerator,
        initialDelay: policy.initialDelayMs ?? 25,
        maxDelay: policy.maxDelayMs ?? 1_000,
      }),
    },
  );
  try {
    // Not aborted on return (cockatiel's default): the operation is over by then (the SDK has removed its
    // listener), and each abort made a DOMException with its stack, on every command, append and batch
    // read (the DOMExceptions alone were 0.3 s of the demo load's Node CPU in a profile of bench:demo).
    const deadline = timeout(left, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    return await wrap(deadline, retries).execute(({ attempt, signal }) => operation(attempt + 1, signal));
  } catch (error) {
    if (error instanceof TaskCancelledError)
      throw new RetriesExhaustedError(`Out of time (${policy.exhausted})`, { cause: error });
    if (policy.retryOn(error)) throw new RetriesExhaustedError(policy.exhausted, { cause: error });
    throw error;
  }
};

/** The wait before retry `attempt` (1, 2, ...) of a loop that sleeps itself: full jitter, base 25 ms, cap 1 s. */
export const fullJitter = (attempt: number): number => Math.random() * Math.min(1000, 25 * 2 ** attempt);
