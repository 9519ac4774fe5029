import { alreadyGranted, awardDecider, awardGuardKey } from '../../../domain/award/decider.js';
import type { AwardGrant } from '../../../domain/award/events.js';
import { sessionOf } from './agenda.js';
import { existingConference } from './conference.js';
import { defineCommand, loadStream } from './pipeline.js';
import { awardsStream, conferenceStream, sessionStream } from './streams.js';

const AWARD_GUARD = 'award';

export interface NewAward {
  conferenceId: string;
  awardId: string;
  grant: AwardGrant;
  now: string;
}

/**
 * Grants an award: one grant per (award, year, city, country) at this conference (the awards stream) and
 * across conferences (the award guard: 409 when it holds). An award presented in a session reads that
 * session's stream and checks in the same transaction that it is unchanged (not cancelled meanwhile).
 */
export const grantAward = ({ conferenceId, awardId, grant, now }: NewAward) =>
  defineCommand({
    subject: `The awards of conference ${conferenceId}`,
    reads: {
      conference: conferenceStream(conferenceId),
      awards: awardsStream(conferenceId),
      session: grant.sessionId === undefined ? undefined : sessionStream(grant.sessionId),
    },
    decide: (streams) => {
      existingConference(streams.conference, conferenceId);
      const events = awardDecider.decide(
        {
          type: 'GrantAward',
          awardId,
          conferenceId,
          grant,
          agenda: { sessions: [sessionOf(streams.session ?? null, conferenceId) ?? []].flat() },
          now,
        },
        streams.awards,
      );
      return {
        append: [{ to: 'awards', events }],
        unchanged: grant.sessionId === undefined ? [] : ['session'],
        guards: [{ op: 'claim', name: AWARD_GUARD, key: awardGuardKey(grant), owner: awardId }],
        result: awardId,
      };
    },
    guardRefused: (guards) => {
      if (guards.includes(AWARD_GUARD)) throw alreadyGranted(grant);
      return undefined;
    },
  });

/** The awards granted at a conference, in the order granted. */
export const loadAwards = async (conferenceId: string) =>
  (await loadStream(awardsStream(conferenceId))).state;
