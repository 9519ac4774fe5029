import { SEAT_SHARDS, seatShardKey, seatsGuardKey } from '../../../domain/registration/invariants.js';
import type { AppendConflictError } from '../event-store/event-store.js';
import { eventStore } from '../event-store/stores.js';
import { SEAT_LOCKED_UNTIL, SEAT_SHARE, SEAT_STAMP, SEATS_HELD, WAITLIST_JOINED } from './command.js';

/** One shard of a conference's seat pool as stored. */
export interface SeatShard {
  shard: number;
  held: number;
  share: number;
  stamp: string | undefined;
}

const counter = (item: Record<string, unknown> | undefined, name: string): number =>
  typeof item?.[name] === 'number' ? (item[name] as number) : 0;

/** A seat shard as stored (one not written yet holds nothing). */
export const seatShardOf = (shard: number, item: Record<string, unknown> | undefined): SeatShard => {
  const stamp = item?.[SEAT_STAMP];
  return {
    shard,
    held: counter(item, SEATS_HELD),
    share: counter(item, SEAT_SHARE),
    stamp: typeof stamp === 'string' ? stamp : undefined,
  };
};

/** The shards of a conference's seat pool, read consistently. */
export const readSeatShards = async (conferenceId: string): Promise<SeatShard[]> => {
  const pool = seatsGuardKey(conferenceId);
  const keys = Array.from({ length: SEAT_SHARDS }, (_, shard) => seatShardKey(pool, shard));
  const items = await eventStore().guardItems(keys);
  return keys.map((key, shard) => seatShardOf(shard, items.get(key)));
};

/**
 * The seats held at a conference now (the sum over its shards), and how many registrations ever joined
 * its waitlist, as the seat guards count them (read consistently), with the shards they were summed from.
 */
export const seatGuardCounts = async (
  conferenceId: string,
): Promise<{ seatsHeld: number; waitlistJoined: number; shards: SeatShard[] }> => {
  const pool = seatsGuardKey(conferenceId);
  const [shards, items] = await Promise.all([readSeatShards(conferenceId), eventStore().guardItems([pool])]);
  return {
    seatsHeld: shards.reduce((sum, shard) => sum + shard.held, 0),
    waitlistJoined: counter(items.get(pool), WAITLIST_JOINED),
    shards,
  };
};

/** Shards tried at random before the shards are read to see which have seats left. */
export const RANDOM_SHARD_TRIES = 1;

/**
 * Which shard of the seat pool a command takes its seat from. While seats are plentiful: a shard at
 * random (reading nothing), another one if it was full; after RANDOM_SHARD_TRIES refusals, or once one
 * read as free was taken meanwhile, the shards are read (consistently, outside the transaction, so no
 * item is shared) and a shard with a seat left is chosen. `prepare` does the reading before a decision.
 */
export class SeatShardChooser {
  private readonly tried = new Set<number>();
  /** The shards with a seat left at the last read; undefined while none was read. */
  private free: number[] | undefined;
  private readBeforeNext = false;

  /**
   * `readFirst`: read the shards before the first choice too (a promotion: it follows a seat freed, when
   * seats are few, and a guess at random would mostly meet full shards). `free`: the shards the caller
   * read as having a seat left, taken as this chooser's own first read (no read before the first choice).
   */
  constructor(
    private readonly conferenceId: string,
    {
      readFirst = false,
      free,
      random = Math.random,
    }: { readFirst?: boolean; free?: readonly number[]; random?: () => number } = {},
  ) {
    this.readBeforeNext = readFirst && free === undefined;
    this.free = free === undefined ? undefined : [...free];
    this.random = random;
  }

  private readonly random: () => number;

  /** Reads the shards when the next choice needs them. */
  async prepare(): Promise<void> {
    if (!this.readBeforeNext) return;
    this.readBeforeNext = false;
    const shards = await readSeatShards(this.conferenceId);
    this.free = shards.filter((shard) => shard.held < shard.share).map((shard) => shard.shard);
    this.tried.clear();
  }

  /** Whether the last read found every shard full (so a seat is not worth trying). */
  get knownFull(): boolean {
    return this.free !== undefined && this.free.length === 0;
  }

  /** The shard to take a seat from next: one not refused since the last read (any shard when none is left). */
  choose(): number {
    const candidates = (this.free ?? Array.from({ length: SEAT_SHARDS }, (_, shard) => shard)).filter(
      (shard) => !this.tried.has(shard),
    );
    const from =
      candidates.length > 0 ? candidates : Array.from({ length: SEAT_SHARDS }, (_, shard) => shard);
    return from[Math.floor(this.random() * from.length)] as number;
  }

  /**
   * A seat guard refused the append. A refused take on a shard whose stamp is the one decided on means
   * the shard was full: another is tried, or the shards are read. A refused wait means a seat is free
   * somewhere: the shards are read. A stamp other than decided on means the settings changed: the
   * pipeline reads the conference again, and the shards too.
   */
  refused(shard: number | undefined, stamp: string, error: AppendConflictError): 'decide-again' | 'full' {
    const stored = error.refusedGuards('seats').map((conflict) => conflict.stored);
    // Settings changed, or changing (the shards locked by a capacity change): no shard is full for that.
    const settingsMoved = stored.some(
      (item) =>
        item !== undefined &&
        (item[SEAT_STAMP] !== stamp || Number(item[SEAT_LOCKED_UNTIL] ?? 0) >= Date.now()),
    );
    // A take tried though the last read found every shard full (a promotion has no other answer): full.
    if (shard !== undefined && !settingsMoved && this.knownFull) return 'full';
    if (shard !== undefined && !settingsMoved) this.tried.add(shard);
    if (
      settingsMoved ||
      shard === undefined ||
      this.free !== undefined ||
      this.tried.size >= RANDOM_SHARD_TRIES
    )
      this.readBeforeNext = true;
    return 'decide-again';
  }
}
