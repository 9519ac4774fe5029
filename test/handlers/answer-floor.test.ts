import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerNoSoonerThan } from '../../functions/shared/http/answer-floor.js';

/** Whether a promise has settled by now (after the microtasks queued so far). */
const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
};

describe('answerNoSoonerThan: the same delay for work that differs (manage-link, owner or stranger)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds a quick answer until the floor, then gives it', async () => {
    const answer = answerNoSoonerThan(1_000, async () => 'link-sent');
    expect(await settled(answer)).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(answer)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(answer)).toBe(true);
    await expect(answer).resolves.toBe('link-sent');
  });

  it('holds an answer that did more work just as long: both leave at the floor', async () => {
    const quick = answerNoSoonerThan(1_000, async () => 'stranger');
    const slower = answerNoSoonerThan(
      1_000,
      () => new Promise((resolve) => setTimeout(() => resolve('owner'), 300)),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect([await settled(quick), await settled(slower)]).toEqual([false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect([await settled(quick), await settled(slower)]).toEqual([true, true]);
  });

  it('adds nothing to work longer than the floor', async () => {
    const answer = answerNoSoonerThan(
      1_000,
      () => new Promise((resolve) => setTimeout(() => resolve('late'), 1_500)),
    );
    await vi.advanceTimersByTimeAsync(1_499);
    expect(await settled(answer)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toBe('late');
  });

  it('holds a failure until the floor too, and passes it on', async () => {
    const answer = answerNoSoonerThan(1_000, async () => {
      throw new Error('not found');
    });
    answer.catch(() => {});
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled(answer)).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    await expect(answer).rejects.toThrow('not found');
  });
});
