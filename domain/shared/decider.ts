/**
 * Business logic per consistency boundary, in Emmett's shape: `decide` turns a command and the current
 * state into new events (or throws a DomainError); `evolve` folds an event into the state.
 */
export interface Decider<Command, Event, State> {
  initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

export const fold = <Event, State>(
  decider: Pick<Decider<never, Event, State>, 'evolve' | 'initialState'>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState);

/** Makes a `switch` over a union exhaustive: a new member that is not handled fails to compile. */
export const unreachable = (value: never): never => {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
};
