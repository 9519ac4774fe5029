import { afterEach, describe, expect, it, vi } from 'vitest';
import { BudgetedRetryStrategy, SDK_ATTEMPTS } from '../../functions/shared/resilience/aws-clients.js';
import {
  currentBudget,
  RETRY_LIMITS,
  RetriesExhaustedError,
  retrying,
  takeRetry,
  withinBudget,
} from '../../functions/shared/resilience/policy.js';

class Busy extends Error {}
class Moved extends Error {}

/** A context with `ms` of budget left after the reserve kept for answering. */
const contextWith = (ms: number) => ({ getRemainingTimeInMillis: () => RETRY_LIMITS.reserveMs + ms });
const ample = contextWith(60_000);

afterEach(() => vi.restoreAllMocks());

describe('the retry policy', () => {
  it('tries at most `attempts` times, then throws the one "retries exhausted" error', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let calls = 0;
    const run = withinBudget(ample, () =>
      retrying({ exhausted: 'busy', attempts: 4, retryOn: (e) => e instanceof Busy }, async () => {
        calls++;
        throw new Busy();
      }),
    );
    await expect(run).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toBe(4);
  });

  it('lets a failure it does not retry through at once, as it is', async () => {
    let calls = 0;
    const run = withinBudget(ample, () =>
      retrying({ exhausted: 'busy', attempts: 4, retryOn: (e) => e instanceof Busy }, async () => {
        calls++;
        throw new Moved();
      }),
    );
    await expect(run).rejects.toBeInstanceOf(Moved);
    expect(calls).toBe(1);
  });

  it('waits with full jitter: uniform below an exponential cap', async () => {
    const waits: number[] = [];
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await withinBudget(ample, () =>
      retrying(
        {
          exhausted: 'busy',
          attempts: 4,
          retryOn: (e) => e instanceof Busy,
          initialDelayMs: 8,
          maxDelayMs: 20,
        },
        async (attempt) => {
          if (attempt < 4) throw new Busy();
        },
      ),
    ).catch(() => {});
    for (const [, ms] of spy.mock.calls) if (typeof ms === 'number' && ms < 1000) waits.push(ms);
    // 0.5 × min(20, 8 × 2^n) for n = 0, 1, 2
    expect(waits).toEqual(expect.arrayContaining([4, 8, 10]));
  });

  it('nested policies draw from one budget of retries: their limits add up instead of multiplying', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let innerCalls = 0;
    const outer = { exhausted: 'moved', attempts: 10, retryOn: (e: unknown) => e instanceof Moved };
    const inner = { exhausted: 'busy', attempts: 6, retryOn: (e: unknown) => e instanceof Busy };
    const run = withinBudget(ample, () =>
      retrying(outer, async () => {
        let failures = 0;
        await retrying(inner, async () => {
          innerCalls++;
          if (failures++ < 2) throw new Busy(); // each decision's read is busy twice first
        });
        throw new Moved(); // and then its append finds the stream moved on
      }),
    );
    await expect(run).rejects.toBeInstanceOf(RetriesExhaustedError);
    // Unshared, that would be 10 decisions × 3 reads = 30 calls; shared, every call past the first is a retry.
    expect(innerCalls).toBeLessThanOrEqual(1 + RETRY_LIMITS.retriesPerInvocation);
  });

  it('ends an operation that never answers at the deadline of the budget', async () => {
    const run = withinBudget(contextWith(50), () =>
      retrying({ exhausted: 'hung', attempts: 3, retryOn: () => true }, () => new Promise<never>(() => {})),
    );
    await expect(run).rejects.toBeInstanceOf(RetriesExhaustedError);
  });

  it('refuses to start when the function has no time left', async () => {
    let calls = 0;
    const run = withinBudget(contextWith(-1), () =>
      retrying({ exhausted: 'late', attempts: 3, retryOn: () => true }, async () => {
        calls++;
      }),
    );
    await expect(run).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toBe(0);
  });
});

describe("the SDK's retries", () => {
  const strategy = new BudgetedRetryStrategy();
  const throttled = { errorType: 'THROTTLING' as const };

  it('are at most SDK_ATTEMPTS tries of a call, and none for a client error', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    await withinBudget(ample, async () => {
      let token = await strategy.acquireInitialRetryToken();
      for (let retry = 1; retry < SDK_ATTEMPTS; retry++)
        token = await strategy.refreshRetryTokenForRetry(token, throttled);
      await expect(strategy.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow();
      await expect(
        strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), {
          errorType: 'CLIENT_ERROR',
        }),
      ).rejects.toThrow();
    });
  });

  it('take from the same budget as every other retry of the invocation', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    await withinBudget(ample, async () => {
      const budget = currentBudget();
      const before = budget.retriesLeft;
      await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), throttled);
      expect(budget.retriesLeft).toBe(before - 1);
      while (takeRetry(budget)) {}
      await expect(
        strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), throttled),
      ).rejects.toThrow(/budget/);
    });
  });
});
