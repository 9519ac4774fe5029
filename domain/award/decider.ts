import { type AgendaState, findSession } from '../agenda/decider.js';
import type { Decider } from '../shared/decider.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { comparableName } from '../shared/values.js';
import type { AwardEvent, AwardGrant, GrantedAward } from './events.js';

export type AwardCommand = {
  type: 'GrantAward';
  awardId: string;
  conferenceId: string;
  grant: AwardGrant;
  /** The conference's agenda, to check the session the award is presented in. */
  agenda: AgendaState;
  now: string;
};

/** The awards granted at one conference (stream `awards-<conferenceId>`), in the order granted. */
export interface AwardsState {
  awards: GrantedAward[];
}

export const awardsStreamId = (conferenceId: string) => `awards-${conferenceId}`;

/**
 * One grant per (award, year, city, country) across all conferences: the guard item claimed with the
 * AwardGranted event, in the same transaction.
 */
export const awardGuardKey = (grant: Pick<AwardGrant, 'award' | 'year' | 'city' | 'country'>) =>
  `guard#award#${comparableName(grant.award)}#${grant.year}#${comparableName(grant.city)}#${grant.country}`;

export const alreadyGranted = (grant: AwardGrant) =>
  new ConflictError(
    `The ${grant.award} ${grant.year} is already granted to ${grant.city} (${grant.country})`,
  );

export const awardDecider: Decider<AwardCommand, AwardEvent, AwardsState> = {
  initialState: { awards: [] },

  decide({ awardId, conferenceId, grant, agenda, now }, state) {
    if (grant.sessionId !== undefined) {
      const session = findSession(agenda, grant.sessionId);
      if (!session) throw new NotFoundError(`No session ${grant.sessionId} in the agenda of this conference`);
      if (session.status === 'cancelled') throw new ConflictError(`Session ${grant.sessionId} is cancelled`);
    }
    if (state.awards.some((granted) => awardGuardKey(granted) === awardGuardKey(grant)))
      throw alreadyGranted(grant);
    return [{ type: 'AwardGranted', data: { awardId, conferenceId, ...grant, grantedAt: now } }];
  },

  evolve(state, event) {
    return { awards: [...state.awards, event.data] };
  },
};
