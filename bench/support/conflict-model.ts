/**
 * A model of what real DynamoDB does with concurrent transactions, to replay transactions recorded against
 * DynamoDB Local (which never refuses one for contention).
 *
 * The rule modelled (DynamoDB Developer Guide, "Transaction conflict handling in DynamoDB"): a
 * TransactWriteItems is cancelled with TransactionConflict when one of its items, a ConditionCheck
 * included, is part of another transaction in progress. Here a transaction holds its items from its start
 * to its end (`TRANSACTION_MS`); one starting while another holding one of its items is in progress is the
 * one cancelled (the real service may cancel either: one of the two fails either way).
 *
 * Latencies (the only figures not measured): DynamoDB's published latency is "single-digit millisecond"
 * (https://aws.amazon.com/dynamodb/), and a transaction makes "two underlying reads or writes of every item
 * in the transaction: one to prepare the transaction and one to commit the transaction" (Developer Guide,
 * "Capacity management for transactions"). The model takes 5 ms per phase, so a transaction holds its
 * items 10 ms, and a consistent read (the tips and shards read before a decision) takes 5 ms.
 *
 * Retries as the event store makes them (functions/shared/event-store/event-store.ts): a transaction
 * cancelled for contention is sent again, TRANSACTION_ATTEMPTS times in all, after a jittered exponential
 * backoff (functions/shared/resilience/policy.ts: from 25 ms, at most 1 s; modelled as full jitter); when
 * the attempts are spent the request is answered 503. A registration whose transaction was refused by a
 * condition (a full shard: recorded as its next transaction) reads again and sends its next one.
 */

export const PHASE_MS = 5;
export const TRANSACTION_MS = 2 * PHASE_MS;
export const READ_MS = PHASE_MS;
export const TRANSACTION_ATTEMPTS = 6;
const BACKOFF_INITIAL_MS = 25;
const BACKOFF_MAX_MS = 1_000;

/** One request's transactions as recorded, in order: each one's items (any stable key per item). */
export interface ModelRequest {
  transactions: ReadonlyArray<readonly string[]>;
}

export interface ModelOutcome {
  /** Per request: when it was answered (ms from the first arrival), and whether with a 503. */
  answers: { arrivedAt: number; answeredAt: number; refused: boolean }[];
  /** Transactions sent, and cancelled for contention. */
  sent: number;
  cancelled: number;
}

/** A small seeded generator (mulberry32), so a replay is the same every run. */
export const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

interface Pending {
  at: number;
  request: number;
  transaction: number;
  attempt: number;
}

/**
 * Replays requests arriving at `arrivalsPerSecond` (a Poisson process: independent arrivals, exponential
 * gaps, seeded; in the order given) through the conflict rule; returns when each was answered and whether
 * it was refused.
 */
export const replay = (
  requests: readonly ModelRequest[],
  arrivalsPerSecond: number,
  options: { seed?: number; transactionMs?: number; readMs?: number } = {},
): ModelOutcome => {
  const random = seeded(options.seed ?? 1);
  const transactionMs = options.transactionMs ?? TRANSACTION_MS;
  const readMs = options.readMs ?? READ_MS;
  /** Until when each item is held by a transaction in progress. */
  const heldUntil = new Map<string, number>();
  // Arrivals as independent people make them: a Poisson process (exponential gaps) of the rate given.
  const arrivals = seeded((options.seed ?? 1) + 1);
  let arrivedAt = 0;
  const answers = requests.map(() => {
    const answer = { arrivedAt, answeredAt: 0, refused: false };
    arrivedAt += (-Math.log(1 - arrivals()) * 1000) / arrivalsPerSecond;
    return answer;
  });
  // A queue of transaction starts by time (a binary heap would be faster; a sorted insert is enough here).
  const queue: Pending[] = [];
  const push = (pending: Pending) => {
    let low = 0;
    let high = queue.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((queue[middle] as Pending).at <= pending.at) low = middle + 1;
      else high = middle;
    }
    queue.splice(low, 0, pending);
  };
  for (const [request, answer] of answers.entries())
    push({ at: answer.arrivedAt + readMs, request, transaction: 0, attempt: 1 });
  let sent = 0;
  let cancelled = 0;
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { at, request, transaction, attempt } = next;
    const items = requests[request]?.transactions[transaction] ?? [];
    sent++;
    const conflict = items.some((item) => (heldUntil.get(item) ?? Number.NEGATIVE_INFINITY) > at);
    const answer = answers[request] as ModelOutcome['answers'][number];
    if (conflict) {
      cancelled++;
      if (attempt >= TRANSACTION_ATTEMPTS) {
        answer.answeredAt = at;
        answer.refused = true;
        continue;
      }
      const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** (attempt - 1));
      push({ at: at + random() * cap, request, transaction, attempt: attempt + 1 });
      continue;
    }
    const end = at + transactionMs;
    for (const item of items) heldUntil.set(item, end);
    const transactions = requests[request]?.transactions.length ?? 0;
    if (transaction + 1 < transactions)
      push({ at: end + readMs, request, transaction: transaction + 1, attempt: 1 });
    else answer.answeredAt = end;
  }
  return { answers, sent, cancelled };
};

/** The share of requests refused (503) among those `counted` (by index), at an arrival rate. */
export const refusedShare = (outcome: ModelOutcome, counted: (index: number) => boolean = () => true) => {
  const considered = outcome.answers.filter((_, index) => counted(index));
  return considered.length === 0
    ? 0
    : considered.filter((answer) => answer.refused).length / considered.length;
};

/**
 * The highest arrival rate (requests per second, to 1 %) at which no request that `counted` keeps is
 * refused, searched between `low` and `high`.
 */
export const sustainedRate = (
  requests: readonly ModelRequest[],
  counted: (index: number) => boolean = () => true,
  { low = 1, high = 20_000, seed = 1 }: { low?: number; high?: number; seed?: number } = {},
): number => {
  const fine = (rate: number) => refusedShare(replay(requests, rate, { seed }), counted) === 0;
  if (!fine(low)) return 0;
  if (fine(high)) return high;
  let ok = low;
  let bad = high;
  while (bad / ok > 1.01) {
    const middle = Math.sqrt(ok * bad);
    if (fine(middle)) ok = middle;
    else bad = middle;
  }
  return ok;
};
