import fc from 'fast-check';

/**
 * Every event three times, in a shuffled order that `seed` fixes (so a failure can be replayed): the
 * deliveries SQS may make of them, at least once and in any order.
 */
export const threeTimesShuffled = <T>(events: readonly T[], seed: number): T[] =>
  fc.sample(fc.shuffledSubarray([...events, ...events, ...events], { minLength: events.length * 3 }), {
    numRuns: 1,
    seed,
  })[0] as T[];
