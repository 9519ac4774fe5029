import { delegationDecider } from '../../../domain/delegation/decider.js';
import { invitationDecider } from '../../../domain/invitation/decider.js';
import { registrationDecider } from '../../../domain/registration/decider.js';
import { emailRuleApplies, registrationGuards } from '../../../domain/registration/invariants.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import { toStoreGuards } from './command.js';
import { delegationOf, isActiveMember } from './delegations.js';
import { invitedGuardKey, type NewInvitation } from './invitations.js';
import { defineCommand, newStream } from './pipeline.js';
import { existingRegistration } from './registrations.js';
import { delegationStream, invitationStream, registrationStream } from './streams.js';

export interface Substitution {
  conferenceId: string;
  delegationId: string;
  /** The member substituted: an active member of the delegation (409 otherwise). */
  registrationId: string;
  /** The substitute's invitation, as `POST .../invitations` sends one, into this delegation. */
  invitation: Omit<NewInvitation, 'conferenceId' | 'delegationId'>;
  now: string;
}

/**
 * Substitutes a member (CONTRACT 5.3): the member's registration cancelled (its seat and address freed as
 * any cancellation's), the substitute invited (the address claimed), and DelegationMemberSubstituted, in
 * one transaction. The place of the quota passes from the member to the substitute: neither taken nor
 * given back, so the quota holds however the two race with other invitations.
 */
export const substituteMember = ({
  conferenceId,
  delegationId,
  registrationId,
  invitation,
  now,
}: Substitution) =>
  defineCommand({
    subject: `The delegation ${delegationId}`,
    reads: {
      delegation: delegationStream(delegationId),
      registration: registrationStream(registrationId),
      invitation: newStream(invitationStream(invitation.invitationId)),
    },
    decide: (streams) => {
      delegationOf(streams.delegation, conferenceId, delegationId);
      const member = streams.registration;
      const substituted = delegationDecider.decide(
        {
          type: 'SubstituteMember',
          registrationId,
          invitationId: invitation.invitationId,
          member: isActiveMember(member, delegationId),
          now,
        },
        streams.delegation,
      );
      const registration = existingRegistration(member, conferenceId, registrationId);
      const cancelled = registrationDecider.decide(
        { type: 'CancelRegistration', by: 'organizer', now },
        registration,
      );
      // The email guard's key is in the personal part: a state read without it cannot release the guard.
      if (emailRuleApplies(cancelled) && !registration.secrets)
        throw new Error(`Registration ${registrationId} was read without its personal part`);
      const invited = invitationDecider.decide(
        { type: 'SendInvitation', conferenceId, delegationId, ...invitation, now },
        streams.invitation,
      );
      return {
        append: [
          { to: 'delegation', events: substituted },
          { to: 'registration', events: cancelled },
          { to: 'invitation', events: invited },
        ],
        guards: [
          ...registrationGuards(registration, undefined, cancelled).flatMap(toStoreGuards),
          {
            op: 'claim',
            name: 'invited',
            key: invitedGuardKey(conferenceId, invitation.emailKey),
            owner: invitation.invitationId,
          },
        ],
        result: { invitationId: invitation.invitationId, status: 'sent' as const },
      };
    },
    guardRefused: (guards) => {
      if (guards.includes('invited'))
        throw new ConflictError('This address already has a pending invitation to the conference');
      return undefined;
    },
  });
