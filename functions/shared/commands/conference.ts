import {
  type Conference,
  type ConferenceState,
  conferenceDecider,
  type RegistrationFormState,
} from '../../../domain/conference/decider.js';
import type { ConferenceDetails, ConferenceSettingsChange } from '../../../domain/conference/events.js';
import {
  SEAT_SHARDS,
  seatRuleStamp,
  seatShardKey,
  seatShares,
  seatsGuardKey,
} from '../../../domain/registration/invariants.js';
import type { FormDefinition } from '../../../domain/registration-form/form.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import type { Guard } from '../event-store/event-store.js';
import { eventStore } from '../event-store/stores.js';
import { notFound } from '../http/errors.js';
import { SEAT_LOCKED_UNTIL, SEAT_SHARE, SEAT_STAMP, SEATS_HELD } from './command.js';
import { defineCommand, loadStream, newStream } from './pipeline.js';
import { seatShardOf } from './seats.js';
import { conferenceStream } from './streams.js';

/** The conference of a state read, or 404. */
export const existingConference = (state: ConferenceState, conferenceId: string): Conference => {
  if (state.status === 'none') throw notFound(`No conference ${conferenceId}`);
  const { status: _status, registrationForm: _form, ...conference } = state;
  return conference;
};

/** The registration form in force at a conference of a state read (undefined: it asks no questions). */
export const registrationFormOf = (
  state: ConferenceState,
  conferenceId: string,
): RegistrationFormState | undefined => {
  if (state.status === 'none') throw notFound(`No conference ${conferenceId}`);
  return state.registrationForm;
};

/** A conference's registration form in force, from its stream's tip (404 without the conference). */
export const loadRegistrationForm = async (conferenceId: string) =>
  registrationFormOf((await loadStream(conferenceStream(conferenceId))).state, conferenceId);

/** Puts a new version of the conference's registration form (CONTRACT 5.2); the result is that version. */
export const changeRegistrationForm = (conferenceId: string, definition: FormDefinition, now: string) =>
  defineCommand({
    subject: `The registration form of conference ${conferenceId}`,
    reads: { conference: conferenceStream(conferenceId) },
    decide: ({ conference }) => {
      existingConference(conference, conferenceId);
      const current = registrationFormOf(conference, conferenceId);
      if (current && JSON.stringify(current.fields) === JSON.stringify(definition.fields))
        return { append: [], result: { version: current.version, fields: current.fields } };
      const events = conferenceDecider.decide(
        { type: 'ChangeRegistrationForm', conferenceId, definition, now },
        conference,
      );
      const after = events.reduce(conferenceDecider.evolve, conference);
      const form = registrationFormOf(after, conferenceId);
      if (!form) throw new Error('A form change left no form');
      return {
        append: [{ to: 'conference', events }],
        result: { version: form.version, fields: form.fields },
      };
    },
  });

/** A conference as it stands now (its settings change), from its stream's tip. */
export const loadConference = async (conferenceId: string): Promise<Conference> =>
  existingConference((await loadStream(conferenceStream(conferenceId))).state, conferenceId);

/**
 * The seat pool's shards set to their shares of the capacity and the seat rule's stamp, each refused if
 * it holds more seats than its new share (a seat taken since the shards were read: decided again).
 */
const seatShardsSetTo = (conferenceId: string, shares: readonly number[], stamp: string): Guard[] =>
  shares.map((share, shard) => ({
    op: 'set',
    name: 'seats',
    key: seatShardKey(seatsGuardKey(conferenceId), shard),
    values: { [SEAT_SHARE]: share, [SEAT_STAMP]: stamp, [SEAT_LOCKED_UNTIL]: 0 },
    counter: SEATS_HELD,
    atMost: share,
  }));

/** How long a capacity change's lock on the seat shards holds at most (if the change never ends). */
export const SEAT_LOCK_MS = 3_000;

/** Every shard of the pool locked until `until` (epoch ms; 0 unlocks). */
const seatShardsLocked = (conferenceId: string, until: number): Guard[] =>
  Array.from({ length: SEAT_SHARDS }, (_, shard) => ({
    op: 'mark',
    name: 'seats',
    key: seatShardKey(seatsGuardKey(conferenceId), shard),
    values: { [SEAT_LOCKED_UNTIL]: until },
  }));

/** The guards that set up a new conference's seat pool: SEAT_SHARDS shards sharing its capacity. */
export const newSeatPool = (conferenceId: string, conference: Conference): Guard[] =>
  seatShardsSetTo(
    conferenceId,
    seatShares(
      conference.capacity,
      Array.from({ length: SEAT_SHARDS }, () => 0),
    ) ?? [],
    seatRuleStamp(conference),
  );

/** A conference is created with its seat pool. */
export const createConference = (conferenceId: string, details: ConferenceDetails) =>
  defineCommand({
    subject: `Conference ${conferenceId}`,
    reads: { conference: newStream(conferenceStream(conferenceId)) },
    decide: ({ conference }) => {
      const events = conferenceDecider.decide(
        { type: 'CreateConference', conferenceId, details },
        conference,
      );
      const created = existingConference(events.reduce(conferenceDecider.evolve, conference), conferenceId);
      return {
        append: [{ to: 'conference', events }],
        guards: newSeatPool(conferenceId, created),
        result: conferenceId,
      };
    },
  });

/**
 * Changes settings of a conference (CONTRACT section 4.2); the result is the conference as changed. When
 * the capacity or the registration window changes, the seat pool's shards are rewritten in the same
 * transaction as the event, with the new stamp (seatRuleStamp) and shares: a raise adds the new seats to
 * the shares as read (each shard keeps what it had: no seat taken meanwhile can refuse it); a lowering
 * gives each shard the seats it holds and spreads what is left, and is refused (409, saying how many) when
 * the seats held are more than the new capacity. A seat taken in a shard beyond its new share since the
 * shards were read refuses the lowering's transaction: it is decided again with the shards locked, so
 * that no seat is taken between its read and its write (a lock left behind expires after SEAT_LOCK_MS).
 * A registration decided on the old settings is in turn refused by its shard's stamp and decided again,
 * so neither overtakes the other.
 */
export const changeConferenceSettings = (
  conferenceId: string,
  change: ConferenceSettingsChange,
  now: string,
) => {
  let lockNext = false;
  let locked = false;
  const pool = seatsGuardKey(conferenceId);
  const shardKeys = Array.from({ length: SEAT_SHARDS }, (_, shard) => seatShardKey(pool, shard));
  return defineCommand({
    subject: `The settings of conference ${conferenceId}`,
    reads: { conference: conferenceStream(conferenceId) },
    guardReads: shardKeys,
    prepare: async () => {
      if (!lockNext) return;
      await eventStore().writeGuards(seatShardsLocked(conferenceId, Date.now() + SEAT_LOCK_MS));
      locked = true;
    },
    decide: ({ conference }, guards) => {
      const current = existingConference(conference, conferenceId);
      const shards = shardKeys.map((key, shard) => seatShardOf(shard, guards.get(key)));
      const events = conferenceDecider.decide(
        { type: 'ChangeConferenceSettings', conferenceId, change, now },
        conference,
      );
      const changed = existingConference(events.reduce(conferenceDecider.evolve, conference), conferenceId);
      const stamp = seatRuleStamp(changed);
      if (stamp === seatRuleStamp(current))
        return { append: [{ to: 'conference', events }], result: changed };
      const lowering = changed.capacity < current.capacity;
      const shares = lowering
        ? seatShares(
            changed.capacity,
            shards.map((shard) => shard.held),
          )
        : seatShares(
            changed.capacity - current.capacity,
            shards.map(() => 0),
          )?.map((added, shard) => added + (shards[shard]?.share ?? 0));
      if (!shares) {
        const seatsHeld = shards.reduce((sum, shard) => sum + shard.held, 0);
        throw new ConflictError(
          `The capacity cannot be lowered to ${changed.capacity}: ${seatsHeld} seats are held now ` +
            `(cancel registrations first, or keep the capacity at ${seatsHeld} or more)`,
        );
      }
      return {
        append: [{ to: 'conference', events }],
        guards: seatShardsSetTo(conferenceId, shares, stamp),
        result: changed,
      };
    },
    // A seat taken since the shards were read: decided again on the shards locked and read again.
    guardRefused: (guards) => {
      if (!guards.includes('seats')) return undefined;
      lockNext = true;
      return 'decide-again';
    },
    // The shares written lift the lock (they set it to 0); a change refused or left unwritten lifts it here.
    committed: () => {
      locked = false;
    },
    settled: async () => {
      if (locked) await eventStore().writeGuards(seatShardsLocked(conferenceId, 0));
    },
  });
};
