import type { DelegateCategory } from '../registration/events.js';
import type { Decider } from '../shared/decider.js';
import { unreachable } from '../shared/decider.js';
import { ConflictError, InvalidCommandError, NotFoundError } from '../shared/errors.js';
import type { Language } from '../shared/languages.js';
import {
  type InvitationEvent,
  type InvitationStatus,
  type InviteePersonal,
  isOpenedInvitee,
} from './events.js';

/** A reminder at most this often (CONTRACT 5.3: 429 when reminded in the last 24 hours). */
export const REMINDER_INTERVAL_SECONDS = 24 * 60 * 60;

export const invitationStreamId = (invitationId: string) => `invitation-${invitationId}`;

/** Whom an invitation is for, as the organizer or the focal point wrote it. */
export interface Invitee {
  email: string;
  givenName?: string | undefined;
  familyName?: string | undefined;
  language?: Language | undefined;
}

export type InvitationCommand =
  | {
      type: 'SendInvitation';
      invitationId: string;
      conferenceId: string;
      category: DelegateCategory;
      delegationId?: string;
      skipModeration: boolean;
      expiresAt: string;
      invitee: Invitee;
      /** The conference-scoped MAC of the address (the email guard's key), made by the caller. */
      emailKey: string;
      now: string;
    }
  | { type: 'RemindInvitation'; now: string }
  | { type: 'RevokeInvitation'; now: string }
  | { type: 'DeclineInvitation'; now: string }
  | { type: 'ExpireInvitation'; now: string }
  /** The conference's retention erases the invitee's data (its key destroyed with the event). */
  | { type: 'EraseInvitee'; now: string }
  | {
      type: 'AcceptInvitation';
      registrationId: string;
      conferenceId: string;
      category: DelegateCategory;
      /** The registering address's MAC, compared with the invitation's; no address is opened. */
      emailKey: string;
      now: string;
    };

/** What decisions need of an invitation: ids, status and instants; the address only as its MAC. */
export interface Invitation {
  invitationId: string;
  conferenceId: string;
  category: DelegateCategory;
  delegationId?: string;
  skipModeration: boolean;
  status: InvitationStatus;
  sentAt: string;
  expiresAt: string;
  remindedAt?: string;
  /** When it left `sent` (accepted, declined, expired or revoked). */
  decidedAt?: string;
  /** The registration that used the code. */
  registrationId?: string;
  /** The invitee's address MAC, when the events were read opened (absent sealed or once erased). */
  emailKey?: string;
  /** When the invitee's personal data was erased (the invitation then admits no one). */
  erasedAt?: string;
}

export type InvitationState = { status: 'none' } | Invitation;

/** The reminder is refused this long more (seconds), when the last was within the interval. */
export class ReminderTooSoonError extends ConflictError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `The invitee was reminded less than 24 hours ago: the next reminder is possible in ${retryAfterSeconds} s`,
    );
  }
}

/** Why a code does not admit a registration (never told outside: every reason is the same 403). */
export type InvitationRefusal =
  | 'unknown'
  | 'other-conference'
  | 'not-pending'
  | 'expired'
  | 'other-address'
  | 'other-category'
  | 'unreadable';

/**
 * Whether an invitation admits a registration of `category` by the address whose MAC is `emailKey`, at
 * `now`: `undefined` when it does, else the reason (told to no one outside).
 */
export const invitationRefusal = (
  state: InvitationState,
  registration: { conferenceId: string; category: DelegateCategory; emailKey: string; now: string },
): InvitationRefusal | undefined => {
  if (state.status === 'none') return 'unknown';
  if (state.conferenceId !== registration.conferenceId) return 'other-conference';
  if (state.status !== 'sent') return 'not-pending';
  if (expiredAt(state, registration.now)) return 'expired';
  if (state.emailKey === undefined) return 'unreadable';
  if (state.emailKey !== registration.emailKey) return 'other-address';
  if (state.category !== registration.category) return 'other-category';
  return undefined;
};

/** Whether its `expiresAt` has passed at `now` (it then admits no one, whether or not marked expired yet). */
export const expiredAt = (invitation: Invitation, now: string): boolean =>
  Date.parse(invitation.expiresAt) <= Date.parse(now);

const existing = (state: InvitationState): Invitation => {
  if (state.status === 'none') throw new NotFoundError('No such invitation');
  return state;
};

/** A live invitation: `sent` and not past its `expiresAt`. */
const pending = (state: InvitationState, now: string): Invitation => {
  const invitation = existing(state);
  if (invitation.status !== 'sent')
    throw new ConflictError(`The invitation is not pending (status: ${invitation.status})`);
  if (expiredAt(invitation, now))
    throw new ConflictError(`The invitation is not pending: it expired at ${invitation.expiresAt}`);
  return invitation;
};

export const invitationDecider: Decider<InvitationCommand, InvitationEvent, InvitationState> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'SendInvitation': {
        if (state.status !== 'none') throw new ConflictError('The invitation already exists');
        if (Date.parse(command.expiresAt) <= Date.parse(command.now))
          throw new InvalidCommandError('The invitation would expire before it is sent', [
            { path: 'expiresAt', message: 'must be in the future' },
          ]);
        const { email, givenName, familyName, language } = command.invitee;
        const personal: InviteePersonal = {
          email,
          ...(givenName === undefined ? {} : { givenName }),
          ...(familyName === undefined ? {} : { familyName }),
          ...(language === undefined ? {} : { language }),
          emailKey: command.emailKey,
        };
        return [
          {
            type: 'InvitationSent',
            data: {
              invitationId: command.invitationId,
              conferenceId: command.conferenceId,
              category: command.category,
              ...(command.delegationId === undefined ? {} : { delegationId: command.delegationId }),
              skipModeration: command.skipModeration,
              sentAt: command.now,
              expiresAt: command.expiresAt,
              personal,
            },
          },
        ];
      }
      case 'RemindInvitation': {
        const invitation = pending(state, command.now);
        if (invitation.remindedAt) {
          const next = Date.parse(invitation.remindedAt) + REMINDER_INTERVAL_SECONDS * 1000;
          const wait = Math.ceil((next - Date.parse(command.now)) / 1000);
          if (wait > 0) throw new ReminderTooSoonError(wait);
        }
        return [
          {
            type: 'InvitationReminded',
            data: { invitationId: invitation.invitationId, remindedAt: command.now },
          },
        ];
      }
      case 'RevokeInvitation': {
        const invitation = pending(state, command.now);
        return [
          {
            type: 'InvitationRevoked',
            data: { invitationId: invitation.invitationId, revokedAt: command.now },
          },
        ];
      }
      case 'DeclineInvitation': {
        const invitation = existing(state);
        // Only a live invitation can be declined; any other code is as unknown (404 outside).
        if (invitation.status !== 'sent' || expiredAt(invitation, command.now))
          throw new NotFoundError('No pending invitation has this code');
        return [
          {
            type: 'InvitationDeclined',
            data: { invitationId: invitation.invitationId, declinedAt: command.now },
          },
        ];
      }
      case 'ExpireInvitation': {
        const invitation = existing(state);
        if (invitation.status !== 'sent' || !expiredAt(invitation, command.now)) return [];
        return [
          {
            type: 'InvitationExpired',
            data: { invitationId: invitation.invitationId, expiredAt: command.now },
          },
        ];
      }
      case 'EraseInvitee': {
        const invitation = existing(state);
        if (invitation.erasedAt) return [];
        return [
          {
            type: 'InviteePersonalDataErased',
            data: { invitationId: invitation.invitationId, erasedAt: command.now, erasedBy: 'retention' },
          },
        ];
      }
      case 'AcceptInvitation': {
        const refusal = invitationRefusal(state, command);
        if (refusal) throw new ConflictError(`The invitation does not admit this registration (${refusal})`);
        const invitation = existing(state);
        return [
          {
            type: 'InvitationAccepted',
            data: {
              invitationId: invitation.invitationId,
              registrationId: command.registrationId,
              acceptedAt: command.now,
            },
          },
        ];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'InvitationSent': {
        const { personal, ...data } = event.data;
        return {
          ...data,
          status: 'sent',
          ...(isOpenedInvitee(personal) ? { emailKey: personal.emailKey } : {}),
        };
      }
      case 'InvitationReminded':
        return { ...existing(state), remindedAt: event.data.remindedAt };
      case 'InvitationAccepted':
        return {
          ...existing(state),
          status: 'accepted',
          decidedAt: event.data.acceptedAt,
          registrationId: event.data.registrationId,
        };
      case 'InvitationDeclined':
        return { ...existing(state), status: 'declined', decidedAt: event.data.declinedAt };
      case 'InvitationExpired':
        return { ...existing(state), status: 'expired', decidedAt: event.data.expiredAt };
      case 'InvitationRevoked':
        return { ...existing(state), status: 'revoked', decidedAt: event.data.revokedAt };
      case 'InviteePersonalDataErased': {
        const { emailKey: _emailKey, ...invitation } = existing(state);
        return { ...invitation, erasedAt: event.data.erasedAt };
      }
      default:
        return unreachable(event);
    }
  },
};

/** The invitee's personal data as the events tell it (read opened), `erased`, or undefined for none. */
export const inviteeOf = (events: readonly InvitationEvent[]): InviteePersonal | 'erased' | undefined => {
  const sent = events.find((event) => event.type === 'InvitationSent');
  if (sent?.type !== 'InvitationSent') return undefined;
  const part = sent.data.personal;
  if (isOpenedInvitee(part)) return part;
  if (typeof part === 'object') return 'erased';
  throw new Error('The personal part of an invitation was read sealed');
};
