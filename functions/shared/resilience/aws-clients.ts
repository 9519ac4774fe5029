import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { currentBudget, RetriesExhaustedError, takeRetry, timeLeft } from './policy.js';

/** Tries of one AWS call at most (the SDK's own retries of throttling, 5xx, timeouts and cut sockets). */
export const SDK_ATTEMPTS = 3;
/** Time to open a connection, and for a whole request, before the SDK gives it up. */
export const CONNECTION_TIMEOUT_MS = 1_000;
export const REQUEST_TIMEOUT_MS = 3_000;

const retryToken = (retryCount: number, retryDelay: number): RetryToken => ({
  getRetryCount: () => retryCount,
  getRetryDelay: () => retryDelay,
});

/**
 * The SDK's retries drawn from the invocation's budget (functions/shared/resilience/policy.ts): a retry is
 * taken only while the budget has retries and time for its wait, so the SDK's retries and ours add up
 * instead of multiplying. Full jitter, as the SDK's own: the n-th wait is uniform in [0, base × 2^n).
 */
export class BudgetedRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retries = token.getRetryCount() + 1;
    if (errorInfo.errorType === 'CLIENT_ERROR' || retries >= SDK_ATTEMPTS)
      throw new Error('Not retried: a client error, or the SDK attempts are used up');
    const base = errorInfo.errorType === 'THROTTLING' ? 200 : 50;
    const delay = Math.floor(Math.random() * Math.min(2_000, base * 2 ** retries));
    if (!takeRetry(currentBudget(), delay))
      throw new Error('Not retried: the invocation’s retry budget is spent');
    return retryToken(retries, delay);
  }

  recordSuccess(): void {}
}

/**
 * Node's HTTP handler with connection and request timeouts, and no request outliving the invocation's
 * deadline: its request timeout is cut to the time left.
 */
export class BudgetedHttpHandler extends NodeHttpHandler {
  override async handle(request: Parameters<NodeHttpHandler['handle']>[0], options: HttpHandlerOptions = {}) {
    const left = timeLeft();
    if (left <= 0) throw new RetriesExhaustedError('No time left for a request to AWS');
    return super.handle(request, {
      ...options,
      requestTimeout: Math.min(options.requestTimeout ?? REQUEST_TIMEOUT_MS, left),
    });
  }
}

/** The settings every AWS client of the functions is made with. */
export const awsClientSettings = () => ({
  maxAttempts: SDK_ATTEMPTS,
  retryStrategy: new BudgetedRetryStrategy(),
  requestHandler: new BudgetedHttpHandler({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Without it the handler only warns when the request timeout passes, and a hung socket hangs on.
    throwOnRequestTimeout: true,
  }),
});
