import { delegationPlaceGuards } from '../../../domain/delegation/quota.js';
import {
  type Invitation,
  type InvitationCommand,
  type InvitationState,
  type Invitee,
  invitationDecider,
  invitationStreamId,
} from '../../../domain/invitation/decider.js';
import type { InvitationEvent } from '../../../domain/invitation/events.js';
import type { DelegateCategory } from '../../../domain/registration/events.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import type { Guard } from '../event-store/event-store.js';
import { openedEventStore } from '../event-store/stores.js';
import { notFound } from '../http/errors.js';
import { existingConference } from './conference.js';
import { delegationOf } from './delegations.js';
import { defineCommand, loadStream, newStream } from './pipeline.js';
import { conferenceStream, delegationStream, invitationStream } from './streams.js';

/**
 * The guard of "one live invitation per address and conference" (CONTRACT 5.3: 409 already invited): a
 * claim keyed by the address's conference-scoped MAC (the email guard's key), never by the address.
 */
export const invitedGuardKey = (conferenceId: string, emailKey: string) =>
  `guard#invited#${conferenceId}#${emailKey}`;

/**
 * The guards that take a place of the delegation's quota with an invitation for it, and give it back when
 * the invitation is declined, revoked or expires (domain/delegation/quota.ts). A refused guard named
 * `delegation…` is the 409 "quota full".
 */
export const delegationGuards = (delegationId: string | undefined, change: 'take' | 'release'): Guard[] =>
  delegationId === undefined ? [] : delegationPlaceGuards(delegationId, change);

/** The guards that go with an invitation's end (declined, revoked, expired): its address and quota place. */
const endingGuards = (invitation: Invitation, events: readonly InvitationEvent[]): Guard[] => {
  const ends = events.some(
    (event) =>
      event.type === 'InvitationDeclined' ||
      event.type === 'InvitationRevoked' ||
      event.type === 'InvitationExpired' ||
      // A pending invitation whose invitee is erased admits no one any more: it ends too.
      (event.type === 'InviteePersonalDataErased' && invitation.status === 'sent'),
  );
  if (!ends) return [];
  return [...invitedRelease(invitation), ...delegationGuards(invitation.delegationId, 'release')];
};

/** Frees the address for another invitation (absent when the address's MAC is unknown: read erased). */
export const invitedRelease = (invitation: Invitation): Guard[] =>
  invitation.emailKey === undefined
    ? []
    : [
        {
          op: 'release',
          name: 'invited',
          key: invitedGuardKey(invitation.conferenceId, invitation.emailKey),
          owner: invitation.invitationId,
        },
      ];

export interface NewInvitation {
  conferenceId: string;
  invitationId: string;
  category: DelegateCategory;
  delegationId?: string;
  skipModeration: boolean;
  expiresAt: string;
  invitee: Invitee;
  emailKey: string;
  now: string;
}

/**
 * Sends an invitation: its first event, the claim of the address (a second live invitation of the address
 * in the conference is refused, however many are sent at once) and the delegation's quota place, in one
 * transaction.
 */
export const sendInvitation = (invitation: NewInvitation) => {
  const { conferenceId, invitationId } = invitation;
  return defineCommand({
    subject: `Invitation ${invitationId}`,
    reads: {
      conference: conferenceStream(conferenceId),
      invitation: newStream(invitationStream(invitationId)),
      delegation:
        invitation.delegationId === undefined ? undefined : delegationStream(invitation.delegationId),
    },
    decide: (streams) => {
      existingConference(streams.conference, conferenceId);
      // A delegation of this conference (404 otherwise): its quota's guard item takes the place.
      if (invitation.delegationId !== undefined && streams.delegation !== undefined)
        delegationOf(streams.delegation, conferenceId, invitation.delegationId);
      const events = invitationDecider.decide({ type: 'SendInvitation', ...invitation }, streams.invitation);
      return {
        append: [{ to: 'invitation', events }],
        guards: [
          {
            op: 'claim',
            name: 'invited',
            key: invitedGuardKey(conferenceId, invitation.emailKey),
            owner: invitationId,
          },
          ...delegationGuards(invitation.delegationId, 'take'),
        ],
        result: { invitationId, status: 'sent' as const },
      };
    },
    guardRefused: (guards) => {
      if (guards.includes('invited'))
        throw new ConflictError('This address already has a pending invitation to the conference');
      if (guards.some((name) => name.startsWith('delegation')))
        throw new ConflictError('The delegation’s quota is full: no place is left for another invitation');
      return undefined;
    },
  });
};

/** An invitation of a state read, if it is of the conference (any conference when none is given), or 404. */
export const existingInvitation = (
  state: InvitationState,
  invitationId: string,
  conferenceId?: string,
): Invitation => {
  if (state.status === 'none' || (conferenceId !== undefined && state.conferenceId !== conferenceId))
    throw notFound(`No invitation ${invitationId}${conferenceId ? ` for conference ${conferenceId}` : ''}`);
  return state;
};

/** An invitation as it stands (404 when there is none, or it is of another conference). */
export const loadInvitation = async (invitationId: string, conferenceId?: string): Promise<Invitation> =>
  existingInvitation((await loadStream(invitationStream(invitationId))).state, invitationId, conferenceId);

/** An invitation's events, read opened (the invitee's personal part, or the erased marker). */
export const loadInvitationEvents = async (invitationId: string): Promise<InvitationEvent[]> =>
  (await openedEventStore().load(invitationStreamId(invitationId))) as InvitationEvent[];

/**
 * A change to an invitation (remind, revoke, decline, expire), with the guards its end frees. The result
 * is the invitation after it, and the events (none: nothing to do, e.g. not yet expired).
 */
export const changeInvitation = (invitationId: string, command: InvitationCommand, conferenceId?: string) =>
  defineCommand({
    subject: `Invitation ${invitationId}`,
    reads: { invitation: invitationStream(invitationId) },
    decide: (streams) => {
      const invitation = existingInvitation(streams.invitation, invitationId, conferenceId);
      const events = invitationDecider.decide(command, invitation);
      return {
        append: [{ to: 'invitation', events }],
        guards: endingGuards(invitation, events),
        result: {
          invitation: events.reduce(invitationDecider.evolve, invitation as InvitationState),
          events,
        },
      };
    },
  });
