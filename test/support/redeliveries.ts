import fc from 'fast-check';

/** `items` in a shuffled order that `seed` fixes (so a failure can be replayed). */
export const shuffled = <T>(items: readonly T[], seed: number): T[] =>
  fc.sample(fc.shuffledSubarray([...items], { minLength: items.length }), { numRuns: 1, seed })[0] as T[];

/**
 * Every event three times, in a shuffled order that `seed` fixes (so a failure can be replayed): the
 * deliveries SQS may make of them, at least once and in any order.
 */
export const threeTimesShuffled = <T>(events: readonly T[], seed: number): T[] =>
  shuffled([...events, ...events, ...events], seed);
