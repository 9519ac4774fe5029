/**
 * The conflict model of `npm run bench:rush` (bench/support/conflict-model.ts) on hand-made transactions:
 * two in progress at once that share an item, one is cancelled; disjoint ones both pass.
 */
import { describe, expect, it } from 'vitest';
import {
  refusedShare,
  replay,
  sustainedRate,
  TRANSACTION_ATTEMPTS,
  TRANSACTION_MS,
} from '../../bench/support/conflict-model.js';

describe('The transaction conflict model', () => {
  it('cancels one of two transactions in progress at once that share an item, and sends it again', () => {
    // 1000 arrivals per second: the second starts 1 ms after the first, which holds its items 10 ms.
    const outcome = replay([{ transactions: [['a', 'seat']] }, { transactions: [['b', 'seat']] }], 1000);
    expect(outcome.cancelled).toBe(1);
    expect(outcome.sent).toBe(3);
    expect(outcome.answers.map((answer) => answer.refused)).toEqual([false, false]);
    expect(outcome.answers[1]?.answeredAt).toBeGreaterThan(outcome.answers[0]?.answeredAt ?? 0);
  });

  it('counts a shared item whatever its role (a condition check is an item too): disjoint ones both pass', () => {
    const outcome = replay([{ transactions: [['a', 'x']] }, { transactions: [['b', 'y']] }], 1000);
    expect(outcome.cancelled).toBe(0);
    expect(outcome.sent).toBe(2);
  });

  it('lets a transaction through once the one holding its item has ended', () => {
    // 50 per second: 20 ms apart, more than a transaction's TRANSACTION_MS.
    expect(TRANSACTION_MS).toBeLessThan(20);
    const outcome = replay([{ transactions: [['seat']] }, { transactions: [['seat']] }], 50);
    expect(outcome.cancelled).toBe(0);
  });

  it('answers 503 when every attempt of a transaction was cancelled', () => {
    // Many arrivals on one item at once: the retries cannot all find it free.
    const requests = Array.from({ length: 200 }, (_, i) => ({ transactions: [[`own-${i}`, 'seat']] }));
    const outcome = replay(requests, 100_000);
    expect(refusedShare(outcome)).toBeGreaterThan(0);
    const refused = outcome.answers.filter((answer) => answer.refused).length;
    expect(outcome.cancelled).toBeGreaterThanOrEqual(refused * TRANSACTION_ATTEMPTS);
  });

  it('sustains more with the items spread than with one item in every transaction', () => {
    const hot = Array.from({ length: 2000 }, (_, i) => ({ transactions: [[`own-${i}`, 'seat']] }));
    const spread = Array.from({ length: 2000 }, (_, i) => ({
      transactions: [[`own-${i}`, `seat-${i % 16}`]],
    }));
    const one = sustainedRate(hot);
    const sixteen = sustainedRate(spread);
    // One item held TRANSACTION_MS per transaction: at most 1000 / TRANSACTION_MS per second.
    expect(one).toBeLessThanOrEqual(1000 / TRANSACTION_MS);
    expect(sixteen).toBeGreaterThan(one * 5);
  });
});
