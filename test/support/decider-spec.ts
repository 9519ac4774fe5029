import { expect } from 'vitest';
import { type Decider, fold } from '../../domain/shared/decider.js';

/** given(events).when(command).then(events) / .thenThrows(ErrorClass, message) over a pure decider. */
export const deciderSpec =
  <C, E, S>(decider: Decider<C, E, S>) =>
  (...given: E[]) => ({
    when: (command: C) => ({
      // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; this object is never awaited
      then: (...expected: E[]) => expect(decider.decide(command, fold(decider, given))).toEqual(expected),
      thenThrows: (errorClass: new (...args: never[]) => Error, message?: RegExp) => {
        let thrown: unknown;
        try {
          decider.decide(command, fold(decider, given));
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(errorClass);
        if (message) expect((thrown as Error).message).toMatch(message);
        return thrown;
      },
    }),
  });
