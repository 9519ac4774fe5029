import type { Decider } from '../shared/decider.js';
import { unreachable } from '../shared/decider.js';
import { ConflictError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import type { CredentialsStatus, DelegationDetails, DelegationEvent } from './events.js';

/**
 * The decider of one delegation (stream `delegation-<delegationId>`). Membership itself lives in the
 * registrations (an admitted registration names its `delegationId`) and the quota in a guard item
 * (quota.ts); the caller reads what a decision needs of them and passes it in the command.
 */

export type DelegationCommand =
  | {
      type: 'CreateDelegation';
      delegationId: string;
      conferenceId: string;
      details: DelegationDetails;
      now: string;
    }
  /** `placesHeld`: the places of the quota taken now (the guard item's counter). */
  | { type: 'ChangeQuota'; quota: number; placesHeld: number; now: string }
  /** `member`: whether the registration is an active member of this delegation (read by the caller). */
  | { type: 'NameHead'; registrationId: string; member: boolean; now: string }
  | { type: 'ChangeCredentials'; status: CredentialsStatus; now: string }
  | {
      type: 'SubstituteMember';
      registrationId: string;
      invitationId: string;
      member: boolean;
      now: string;
    }
  /** The conference's retention erases the focal point's data (the delegation's key destroyed with it). */
  | { type: 'EraseFocalPoint'; now: string };

export interface Delegation {
  status: 'active';
  delegationId: string;
  conferenceId: string;
  name: string;
  country?: string;
  organization?: string;
  quota: number;
  createdAt: string;
  headOfDelegation?: string;
  credentials: CredentialsStatus;
  substitutions: number;
  /** When the focal point's personal data was erased (its key destroyed); the delegation keeps working. */
  focalPointErasedAt?: string;
}

export type DelegationState = { status: 'none' } | Delegation;

export const delegationStreamId = (delegationId: string) => `delegation-${delegationId}`;

const existing = (state: DelegationState): Delegation => {
  if (state.status === 'none') throw new NotFoundError('No such delegation');
  return state;
};

/** A quota below the places held: 409 naming how many (CONTRACT 5.3 "Bad input"). */
export const quotaBelowMembers = (quota: number, placesHeld: number) =>
  new ConflictError(
    `The delegation holds ${placesHeld} place${placesHeld === 1 ? '' : 's'} (members and open invitations): the quota cannot be lowered to ${quota}`,
  );

const notAMember = (registrationId: string) =>
  new ConflictError(`Registration ${registrationId} is not an active member of this delegation`);

export const delegationDecider: Decider<DelegationCommand, DelegationEvent, DelegationState> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'CreateDelegation': {
        if (state.status !== 'none') throw new ConflictError('The delegation already exists');
        const { name, country, organization, quota, focalPoint } = command.details;
        return [
          {
            type: 'DelegationCreated',
            data: {
              delegationId: command.delegationId,
              conferenceId: command.conferenceId,
              name,
              ...(country === undefined ? {} : { country }),
              ...(organization === undefined ? {} : { organization }),
              quota,
              createdAt: command.now,
              personal: focalPoint,
            },
          },
        ];
      }
      case 'ChangeQuota': {
        const delegation = existing(state);
        if (command.quota < command.placesHeld) throw quotaBelowMembers(command.quota, command.placesHeld);
        if (command.quota === delegation.quota)
          throw new InvalidCommandError('The quota is already that', [
            { path: 'quota', message: `is already ${delegation.quota}` },
          ]);
        return [
          {
            type: 'DelegationQuotaChanged',
            data: {
              delegationId: delegation.delegationId,
              quota: command.quota,
              previous: delegation.quota,
              changedAt: command.now,
            },
          },
        ];
      }
      case 'NameHead': {
        const delegation = existing(state);
        if (!command.member) throw notAMember(command.registrationId);
        if (delegation.headOfDelegation === command.registrationId) return [];
        return [
          {
            type: 'HeadOfDelegationNamed',
            data: {
              delegationId: delegation.delegationId,
              registrationId: command.registrationId,
              namedAt: command.now,
            },
          },
        ];
      }
      case 'ChangeCredentials': {
        const delegation = existing(state);
        if (delegation.credentials === command.status) return [];
        return [
          {
            type: 'DelegationCredentialsChanged',
            data: { delegationId: delegation.delegationId, status: command.status, changedAt: command.now },
          },
        ];
      }
      case 'SubstituteMember': {
        const delegation = existing(state);
        if (!command.member) throw notAMember(command.registrationId);
        return [
          {
            type: 'DelegationMemberSubstituted',
            data: {
              delegationId: delegation.delegationId,
              registrationId: command.registrationId,
              invitationId: command.invitationId,
              substitutedAt: command.now,
            },
          },
        ];
      }
      case 'EraseFocalPoint': {
        const delegation = existing(state);
        // Erased once: a second run of the retention has nothing left to erase.
        if (delegation.focalPointErasedAt !== undefined) return [];
        return [
          {
            type: 'FocalPointPersonalDataErased',
            data: { delegationId: delegation.delegationId, erasedAt: command.now, erasedBy: 'retention' },
          },
        ];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DelegationCreated': {
        const { personal: _focalPoint, ...data } = event.data;
        return { status: 'active', ...data, credentials: 'pending', substitutions: 0 };
      }
      case 'DelegationQuotaChanged':
        return { ...existing(state), quota: event.data.quota };
      case 'HeadOfDelegationNamed':
        return { ...existing(state), headOfDelegation: event.data.registrationId };
      case 'DelegationCredentialsChanged':
        return { ...existing(state), credentials: event.data.status };
      case 'DelegationMemberSubstituted': {
        const delegation = existing(state);
        // A head substituted is no longer the head: the focal point names another.
        const { headOfDelegation, ...rest } = delegation;
        return {
          ...rest,
          ...(headOfDelegation === undefined || headOfDelegation === event.data.registrationId
            ? {}
            : { headOfDelegation }),
          substitutions: delegation.substitutions + 1,
        };
      }
      case 'FocalPointPersonalDataErased':
        return { ...existing(state), focalPointErasedAt: event.data.erasedAt };
      default:
        return unreachable(event);
    }
  },
};
