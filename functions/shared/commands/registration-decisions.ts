import { memberLeavingGuards } from '../../../domain/delegation/quota.js';
import {
  type Registration,
  type RegistrationCommand,
  registrationDecider,
} from '../../../domain/registration/decider.js';
import type { RejectionReasonCode } from '../../../domain/registration/events.js';
import {
  emailRuleApplies,
  registrationGuards,
  seatRuleApplies,
  seatRuleStamp,
} from '../../../domain/registration/invariants.js';
import { conferenceLanguages, type Translatable } from '../../../domain/shared/languages.js';
import { toStoreGuards } from './command.js';
import { existingConference } from './conference.js';
import { defineCommand } from './pipeline.js';
import { existingRegistration } from './registrations.js';
import { SeatShardChooser } from './seats.js';
import { conferenceStream, registrationStream } from './streams.js';

/** One organizer's decision on a pending registration (CONTRACT 5.3). */
export type RegistrationDecision =
  | { registrationId: string; decision: 'approve' }
  | {
      registrationId: string;
      decision: 'reject';
      reasonCode: RejectionReasonCode;
      message?: Translatable;
    };

/** What a decided registration is now. */
export type DecidedStatus = 'registered' | 'waitlisted' | 'rejected';

/**
 * Decides one pending registration. An approval takes a seat exactly as a new registration does
 * (registerDelegate): a shard of the seat pool at random, its guard written with the event; a refused take
 * tries another shard or reads the shards, and when every shard is full the approval joins the waitlist
 * (whose guard checks that every shard still is). It waits from its approval on (the waitlist's order).
 * A rejection releases the address and the limited places the registration held; it held no seat.
 */
export const decideRegistration = (conferenceId: string, decision: RegistrationDecision, now: string) => {
  const { registrationId } = decision;
  const seats = new SeatShardChooser(conferenceId);
  let seatAvailable = true;
  let decided: { shard: number | undefined; stamp: string } | undefined;
  return defineCommand({
    subject: `Registration ${registrationId}`,
    reads: { registration: registrationStream(registrationId), conference: conferenceStream(conferenceId) },
    prepare: () => seats.prepare(),
    decide: (streams) => {
      const registration: Registration = existingRegistration(
        streams.registration,
        conferenceId,
        registrationId,
      );
      let command: RegistrationCommand;
      if (decision.decision === 'approve') {
        if (seats.knownFull) seatAvailable = false;
        const seatShard = seatAvailable ? seats.choose() : undefined;
        command = {
          type: 'ApproveRegistration',
          seatAvailable,
          ...(seatShard === undefined ? {} : { seatShard }),
          now,
        };
      } else
        command = {
          type: 'RejectRegistration',
          reasonCode: decision.reasonCode,
          ...(decision.message === undefined ? {} : { message: decision.message }),
          // A plain-string message is in the conference's default language as it is now.
          defaultLanguage: conferenceLanguages(existingConference(streams.conference, conferenceId))
            .defaultLanguage,
          now,
        };
      const events = registrationDecider.decide(command, registration);
      // The email guard's key is in the personal part: a state read without it cannot release the guard.
      if (emailRuleApplies(events) && !registration.secrets)
        throw new Error(`Registration ${registrationId} was read without its personal part`);
      // A seat taken (or a wait) on the settings as read: the shards' stamp refuses it if they changed.
      const stamp = seatRuleApplies(events)
        ? seatRuleStamp(existingConference(streams.conference, conferenceId))
        : undefined;
      const approved = events.find((event) => event.type === 'RegistrationApproved');
      decided =
        stamp === undefined || approved?.type !== 'RegistrationApproved'
          ? undefined
          : { shard: approved.data.seatShard, stamp };
      const status: DecidedStatus =
        approved?.type === 'RegistrationApproved' ? approved.data.status : 'rejected';
      return {
        append: [{ to: 'registration', events }],
        guards: [
          ...registrationGuards(registration, stamp, events).flatMap(toStoreGuards),
          // A pending member of a delegation rejected gives its place of the quota back (CONTRACT 5.3).
          ...memberLeavingGuards(registration, events),
        ],
        result: status,
      };
    },
    guardRefused: (guards, error) => {
      if (!guards.includes('seats') || !decided) return undefined;
      seats.refused(decided.shard, decided.stamp, error);
      // A wait refused: a seat is free somewhere (or the settings changed); the shards are read again.
      if (decided.shard === undefined) seatAvailable = true;
      return 'decide-again';
    },
  });
};

/**
 * Runs `work` on every item with at most `limit` at once, keeping the items' order in the results. Each
 * item's failure is its own (`work` answers it): one never stops the others.
 */
export const mapBounded = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};
