import type { EventEnvelope } from '../events.js';
import {
  type InvitationStatus,
  invitationEventTypes,
  invitationStatuses,
  isOpenedInvitee,
} from '../invitation/events.js';

/**
 * The invitations of a conference for the organizer's list (CONTRACT 5.3): a row per invitation stream,
 * with the invitee's address (plaintext: a deletable read model of personal data, CONTRACT 4.1). An
 * invitation whose personal part opens erased leaves no row; the erasure of the registration made from it
 * closes its row (functions/consumers/invitations-projector.ts).
 */
export interface InvitationRow {
  invitationId: string;
  email: string;
  category: string;
  delegationId?: string;
  status: InvitationStatus;
  sentAt: string;
  remindedAt?: string;
  expiresAt: string;
  /** The registration that accepted it: its erasure (re-applied after a restore too) scrubs this row. */
  registrationId?: string;
}

export const invitationsEventTypes = [...invitationEventTypes] as const;

export const evolveInvitationRow = (
  row: InvitationRow | undefined,
  event: EventEnvelope,
): InvitationRow | undefined => {
  switch (event.type) {
    case 'InvitationSent': {
      const { personal, invitationId, category, delegationId, sentAt, expiresAt } = event.data;
      if (!isOpenedInvitee(personal)) return undefined;
      return {
        invitationId,
        email: personal.email,
        category,
        ...(delegationId === undefined ? {} : { delegationId }),
        status: 'sent',
        sentAt,
        expiresAt,
      };
    }
    case 'InvitationReminded':
      return row && { ...row, remindedAt: event.data.remindedAt };
    case 'InvitationAccepted':
      return row && { ...row, status: 'accepted', registrationId: event.data.registrationId };
    case 'InvitationDeclined':
      return row && { ...row, status: 'declined' };
    case 'InvitationExpired':
      return row && { ...row, status: 'expired' };
    case 'InvitationRevoked':
      return row && { ...row, status: 'revoked' };
    case 'InviteePersonalDataErased':
      return undefined;
    default:
      return row;
  }
};

/** The `?status=` filter: every status when absent, else the comma-separated ones, or those unknown. */
export const parseInvitationStatusFilter = (
  value: string | undefined,
): { statuses: InvitationStatus[] } | { unknown: string[] } => {
  if (value === undefined) return { statuses: [...invitationStatuses] };
  const named = value.split(',').map((part) => part.trim());
  const unknown = named.filter((part) => !(invitationStatuses as readonly string[]).includes(part));
  if (unknown.length > 0) return { unknown };
  return { statuses: [...new Set(named)] as InvitationStatus[] };
};

/** The list as the route answers it: the statuses asked, oldest sent first. */
export const invitationList = (rows: readonly InvitationRow[], statuses: readonly InvitationStatus[]) =>
  rows
    .filter((row) => statuses.includes(row.status))
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.invitationId.localeCompare(b.invitationId))
    .map(({ invitationId, email, category, delegationId, status, sentAt, remindedAt }) => ({
      invitationId,
      email,
      category,
      ...(delegationId === undefined ? {} : { delegationId }),
      status,
      sentAt,
      ...(remindedAt === undefined ? {} : { remindedAt }),
    }));
