import { agendaDecider } from '../../../domain/agenda/decider.js';
import { alreadyGranted, awardDecider, awardGuardKey } from '../../../domain/award/decider.js';
import type { AwardGrant } from '../../../domain/award/events.js';
import { existingConference } from './conference.js';
import { defineCommand, loadStream } from './pipeline.js';
import { agendaStream, awardsStream, conferenceStream } from './streams.js';

const AWARD_GUARD = 'award';

export interface NewAward {
  conferenceId: string;
  awardId: string;
  grant: AwardGrant;
  now: string;
}

/**
 * Grants an award: one grant per (award, year, city, country) at this conference (the awards stream) and
 * across conferences (the award guard: 409 when it holds). An award presented in a session reads the
 * agenda and checks in the same transaction that it is unchanged (the session not cancelled meanwhile).
 */
export const grantAward = ({ conferenceId, awardId, grant, now }: NewAward) =>
  defineCommand({
    subject: `The awards of conference ${conferenceId}`,
    reads: {
      conference: conferenceStream(conferenceId),
      awards: awardsStream(conferenceId),
      agenda: grant.sessionId === undefined ? undefined : agendaStream(conferenceId),
    },
    decide: (streams) => {
      existingConference(streams.conference, conferenceId);
      const events = awardDecider.decide(
        {
          type: 'GrantAward',
          awardId,
          conferenceId,
          grant,
          agenda: streams.agenda ?? agendaDecider.initialState,
          now,
        },
        streams.awards,
      );
      return {
        append: [{ to: 'awards', events }],
        unchanged: streams.agenda ? ['agenda'] : [],
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
