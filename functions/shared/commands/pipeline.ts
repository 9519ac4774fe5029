import { LRUCache } from 'lru-cache';
import type { DomainEvent, EventEnvelope } from '../../../domain/events.js';
import {
  AppendConflictError,
  type Guard,
  type IdempotencyWrite,
  NOT_JSON,
  snapshotState,
  type Tip,
} from '../event-store/event-store.js';
import { eventStore, openedEventStore, personalDataCodecSupplied } from '../event-store/stores.js';
import { keyServiceAvailable } from '../personal-data/key-service-available.js';
import { retrying } from '../resilience/policy.js';
import type { StreamRef, StreamType } from './streams.js';

/** A stream the command creates (its id is new): nothing to read, it starts empty at version 0. */
export type NewStream<State, Event extends DomainEvent> = StreamRef<State, Event> & { isNew: true };

export const newStream = <State, Event extends DomainEvent>(
  ref: StreamRef<State, Event>,
): NewStream<State, Event> => ({ ...ref, isNew: true });

/** A stream as a read of it found it (loadStream): its state, its version, whether it has a tip there. */
export interface StreamRead<State> {
  state: State;
  version: number;
  tipped: boolean;
}

/**
 * A stream the caller has read already in this request (e.g. the conference a route looked at before
 * running its command): the command's first decision takes it as read instead of reading it again, so the
 * request makes one read of it, not two. A decision taken again (a stream moved on, a guard refused)
 * reads it afresh, as any other stream. It holds what a read of the command's own would: an append to
 * it, or an `unchanged` check of it, is conditioned on the version as read.
 */
export type ReadStreamRef<State, Event extends DomainEvent> = StreamRef<State, Event> & {
  read: StreamRead<State>;
};

export const alreadyRead = <State, Event extends DomainEvent>(
  ref: StreamRef<State, Event>,
  read: StreamRead<State>,
): ReadStreamRef<State, Event> => ({ ...ref, read });

// biome-ignore lint/suspicious/noExplicitAny: a command reads streams of any kind; each is typed where it is used.
type AnyStreamRef = StreamRef<any, any> & { isNew?: true; read?: StreamRead<unknown> };

/** The streams a command reads, by name; `undefined` for one it does not need this time. */
export type Reads = Record<string, AnyStreamRef | undefined>;

type StateOf<Ref> = Ref extends StreamRef<infer State, infer _Event> ? State : undefined;
type EventOf<Ref> = Ref extends StreamRef<infer _State, infer Event> ? Event : never;

/** The state of every stream read, by the same names. */
export type States<R extends Reads> = { [K in keyof R]: StateOf<R[K]> };

export type AppendTo<R extends Reads> = {
  [K in keyof R]: { to: K; events: EventOf<R[K]>[] };
}[keyof R];

/** What a command decided: the events for the streams it appends to, and what the append must hold. */
export interface Decision<R extends Reads, Result> {
  append: AppendTo<R>[];
  /** Streams read but not appended to that must still be as read when the events are written. */
  unchanged?: (keyof R)[];
  /** Guards of rules that span streams, written in the same transaction. */
  guards?: Guard[];
  /** What the caller gets back (and what the Idempotency-Key record is made from). */
  result: Result;
}

/**
 * A command in Emmett's spirit: the streams it reads and a pure decision on their states. The pipeline
 * loads, decides, appends, and decides again when a stream moved on meanwhile.
 */
export interface Command<R extends Reads, Result> {
  /** What the 503 says kept changing when deciding again never got through, e.g. "The agenda of …". */
  subject: string;
  reads: R;
  /**
   * Runs before each decision, before its streams are read: e.g. reads which seat shards have seats left,
   * or locks the items the decision will rewrite.
   */
  prepare?(): Promise<void>;
  /** Guard items the decision reads (e.g. a seat pool's shards), read with the streams' tips in one round trip. */
  guardReads?: readonly string[];
  /** Decides on the streams' states (and the guard items of `guardReads`, by key, absent when not written). */
  decide(states: States<R>, guards: ReadonlyMap<string, Record<string, unknown>>): Decision<R, Result>;
  /**
   * A guard refused the append (not a stream conflict): throw the domain's answer (e.g. email taken:
   * 409), or return 'decide-again' after changing what the next decision assumes (e.g. the seat guess).
   * Returning nothing lets the refusal through as it is.
   */
  guardRefused?(guards: string[], error: AppendConflictError): 'decide-again' | undefined;
  /** Told of the result once the events are stored. */
  committed?(result: Result): void;
  /** Run once the command is over, stored or not (e.g. to release what `prepare` locked). */
  settled?(): Promise<void>;
}

export interface CommandContext<Result> {
  conferenceId: string;
  correlationId: string;
  causationId?: string;
  actor?: string;
  now: string;
  /** The Idempotency-Key record to store with the events, made from the result. */
  idempotency?: (result: Result) => IdempotencyWrite | undefined;
}

/** Decisions of one command at most: each try after the first is one stream conflict or guard answer. */
export const DECIDE_ATTEMPTS = 10;

interface Loaded {
  ref: AnyStreamRef;
  // biome-ignore lint/suspicious/noExplicitAny: the state of a stream of any kind, typed by States<R>.
  state: any;
  version: number;
  /** Whether the stream has a tip at `version`. */
  tipped: boolean;
  /** Read without a tip and not folded: taken to be new, which the append's conditions then prove. */
  assumedNew: boolean;
}

class DecideAgain extends Error {}

const foldEvents = <State, Event extends DomainEvent>(
  type: StreamType<State, Event>,
  state: State,
  events: readonly EventEnvelope[],
): State =>
  events.reduce((folded, event) => {
    if (!type.isEvent(event))
      throw new Error(`Stream ${event.streamId} holds a ${event.type}, which is no ${type.snapshot} event`);
    return type.evolve(folded, event);
  }, state);

/** Freezes a parsed state through and through: it is shared by every read of the same snapshot. */
const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

/**
 * The snapshots this execution environment has validated, by stream: the snapshot as stored (its JSON)
 * and the state its schema parsed from it. A tip read again with the very same snapshot (the conference a
 * rush of registrations reads, whose form of 60 fields costs about a millisecond to parse) gives that
 * state again, frozen; a snapshot that differs in any byte is parsed and checked as the first time.
 */
const validatedSnapshots = new LRUCache<string, { schema: string; json: string; state: unknown }>({
  max: 500,
});

/** The snapshot of a tip if it is of the stream type's format and passes its schema; else none. */
const usableSnapshot = (type: StreamType<unknown, DomainEvent>, tip: Tip) => {
  const snapshot = tip.snapshot;
  if (!snapshot || snapshot.schema !== type.snapshot || snapshot.version > tip.version) return undefined;
  const json = snapshot.json ?? JSON.stringify(snapshot.state);
  const known = validatedSnapshots.get(tip.streamId);
  // The very same text as validated before: its state, without parsing the text again.
  if (known && known.schema === snapshot.schema && known.json === json)
    return { state: known.state, version: snapshot.version };
  const stored = snapshotState(snapshot);
  if (stored === NOT_JSON) return undefined;
  const parsed = type.stateSchema.safeParse(stored);
  if (!parsed.success) return undefined;
  const state = deepFreeze(parsed.data);
  validatedSnapshots.set(tip.streamId, { schema: snapshot.schema, json, state });
  return { state, version: snapshot.version };
};

/**
 * One stream from its tip: the snapshot and the few events after it, if any. Without a tip the stream is
 * either new or older than tips: `fold` says to read its events (else it is taken to be new for now).
 */
const loadOne = async (ref: AnyStreamRef, tip: Tip | undefined, fold: boolean): Promise<Loaded> => {
  const type: StreamType<unknown, DomainEvent> = ref.type;
  // Folded without a snapshot, a stream with personal parts gives what its decisions need of them only
  // opened; a function granted no data key folds it sealed (its decisions need none).
  const store =
    type.personalData && personalDataCodecSupplied() && keyServiceAvailable()
      ? openedEventStore()
      : eventStore();
  if (ref.isNew) return { ref, state: type.initialState, version: 0, tipped: false, assumedNew: false };
  if (!tip) {
    if (!fold) return { ref, state: type.initialState, version: 0, tipped: false, assumedNew: true };
    const events = await store.load(ref.streamId);
    return {
      ref,
      state: foldEvents(type, type.initialState, events),
      version: events.length,
      tipped: false,
      assumedNew: false,
    };
  }
  const from = usableSnapshot(type, tip) ?? { state: type.initialState, version: 0 };
  const events =
    from.version < tip.version
      ? await store.load(ref.streamId, { afterVersion: from.version, toVersion: tip.version })
      : [];
  if (events.length !== tip.version - from.version)
    throw new Error(`Stream ${ref.streamId} has no events up to its tip's version ${tip.version}`);
  return {
    ref,
    state: foldEvents(type, from.state, events),
    version: tip.version,
    tipped: true,
    assumedNew: false,
  };
};

/**
 * Every stream of `reads` (their tips in one BatchGetItem), by the same names. `givenReads`: the streams
 * read already (alreadyRead) are taken as read, not read again (the first decision only).
 */
const loadStreams = async <R extends Reads>(
  reads: R,
  fold: ReadonlySet<string>,
  guardKeys: readonly string[] = [],
  givenReads = false,
) => {
  const refs = Object.entries(reads).flatMap(([name, ref]) => (ref ? [[name, ref] as const] : []));
  const given = (ref: AnyStreamRef) => givenReads && ref.read !== undefined && !ref.isNew;
  const { tips, guards } = await eventStore().readTipsWith(
    refs.filter(([, ref]) => !ref.isNew && !given(ref)).map(([, ref]) => ref.streamId),
    guardKeys,
  );
  const loaded = new Map<keyof R, Loaded>();
  await Promise.all(
    refs.map(async ([name, ref]) => {
      const read = given(ref) ? ref.read : undefined;
      loaded.set(
        name,
        read
          ? { ref, ...read, assumedNew: false }
          : await loadOne(ref, tips.get(ref.streamId), fold.has(ref.streamId)),
      );
    }),
  );
  return { loaded, guards };
};

const loadedOf = <R extends Reads>(loaded: Map<keyof R, Loaded>, name: keyof R): Loaded => {
  const stream = loaded.get(name);
  if (!stream) throw new Error(`The command did not read ${String(name)}`);
  return stream;
};

/**
 * Runs a command: reads the tips of its streams in one round trip, decides, appends the events with the
 * tips' new versions and snapshots, the guards and the Idempotency-Key record in one transaction, and
 * decides again (within the retry budget) when a stream moved on or a guard asks for it.
 */
export const runCommand = async <R extends Reads, Result>(
  command: Command<R, Result>,
  context: CommandContext<Result>,
): Promise<Result> => {
  try {
    return await runDecisions(command, context);
  } finally {
    await command.settled?.();
  }
};

const runDecisions = async <R extends Reads, Result>(
  command: Command<R, Result>,
  context: CommandContext<Result>,
): Promise<Result> => {
  const fold = new Set<string>();
  const result = await retrying(
    {
      exhausted: `${command.subject} kept changing`,
      attempts: DECIDE_ATTEMPTS,
      retryOn: (error) => error instanceof DecideAgain,
      initialDelayMs: 10,
      maxDelayMs: 500,
    },
    async (attempt) => {
      await command.prepare?.();
      const { loaded, guards } = await loadStreams(command.reads, fold, command.guardReads, attempt === 1);
      const assumedNew = [...loaded.values()].filter((stream) => stream.assumedNew);
      /** A decision on a stream taken to be new holds only if it is appended; else read its events first. */
      const verifyAssumptions = () => {
        for (const stream of assumedNew) fold.add(stream.ref.streamId);
        return new DecideAgain();
      };

      const states = Object.fromEntries(
        Object.keys(command.reads).map((name) => [name, loaded.get(name)?.state]),
      ) as States<R>;
      let decision: Decision<R, Result>;
      try {
        decision = command.decide(states, guards);
      } catch (error) {
        if (assumedNew.length > 0) throw verifyAssumptions();
        throw error;
      }
      const appends = decision.append.filter(({ events }) => events.length > 0);
      if (appends.length === 0) {
        if (assumedNew.length > 0) throw verifyAssumptions();
        return decision.result;
      }

      try {
        await eventStore().append({
          conferenceId: context.conferenceId,
          correlationId: context.correlationId,
          causationId: context.causationId,
          actor: context.actor,
          now: context.now,
          streams: appends.map(({ to, events }) => {
            const stream = loadedOf(loaded, to);
            const type: StreamType<unknown, DomainEvent> = stream.ref.type;
            return {
              streamId: stream.ref.streamId,
              expectedVersion: stream.version,
              tipped: stream.tipped,
              events,
              snapshot: { schema: type.snapshot, state: events.reduce(type.evolve, stream.state) },
            };
          }),
          unchanged: (decision.unchanged ?? []).map((name) => {
            const stream = loadedOf(loaded, name);
            return { streamId: stream.ref.streamId, version: stream.version, tipped: stream.tipped };
          }),
          guards: decision.guards ?? [],
          idempotency: context.idempotency?.(decision.result),
        });
      } catch (error) {
        if (!(error instanceof AppendConflictError) || error.idempotency) throw error;
        if (error.stream) {
          const moved = new Set(error.streams);
          for (const stream of assumedNew) if (moved.has(stream.ref.streamId)) fold.add(stream.ref.streamId);
          throw new DecideAgain();
        }
        if (command.guardRefused?.(error.guards, error) === 'decide-again') throw new DecideAgain();
        throw error;
      }
      return decision.result;
    },
  );
  command.committed?.(result);
  return result;
};

/**
 * The current state of one stream, for a query: from its tip, or folded from its events without one. A
 * command may take it as read (alreadyRead) rather than read it again.
 */
export const loadStream = async <State, Event extends DomainEvent>(
  ref: StreamRef<State, Event>,
): Promise<StreamRead<State>> => {
  const tips = await eventStore().readTips([ref.streamId]);
  const loaded = await loadOne(ref, tips.get(ref.streamId), true);
  return { state: loaded.state, version: loaded.version, tipped: loaded.tipped };
};

/**
 * loadStream, with guard items (by key) read in the same consistent round trip: e.g. the guards a request
 * checks right after reading the stream. A guard not written is absent.
 */
export const loadStreamWith = async <State, Event extends DomainEvent>(
  ref: StreamRef<State, Event>,
  guardKeys: readonly string[],
): Promise<{ read: StreamRead<State>; guards: ReadonlyMap<string, Record<string, unknown>> }> => {
  const { tips, guards } = await eventStore().readTipsWith([ref.streamId], guardKeys);
  const loaded = await loadOne(ref, tips.get(ref.streamId), true);
  return { read: { state: loaded.state, version: loaded.version, tipped: loaded.tipped }, guards };
};

/** Types a command from the streams it reads (the decision's states and appends follow from them). */
export const defineCommand = <R extends Reads, Result>(command: Command<R, Result>): Command<R, Result> =>
  command;
