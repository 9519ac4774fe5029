import * as z from 'zod';
import { delegateCategories } from '../registration/events.js';
import type { InvitationState } from './decider.js';
import { invitationStatuses } from './events.js';

/**
 * The invitation decider's state as kept in its stream's snapshot: ids, status, instants, and the
 * address's MAC (a secret of the same kind as a registration's email guard), never the address.
 */
export const invitationStateSchema: z.ZodType<InvitationState> = z.union([
  z.object({ status: z.literal('none') }),
  z.object({
    invitationId: z.string(),
    conferenceId: z.string(),
    category: z.enum(delegateCategories),
    delegationId: z.string().min(1).optional(),
    skipModeration: z.boolean(),
    status: z.enum(invitationStatuses),
    sentAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    remindedAt: z.iso.datetime().optional(),
    decidedAt: z.iso.datetime().optional(),
    registrationId: z.string().optional(),
    emailKey: z.string().min(1).optional(),
    erasedAt: z.iso.datetime().optional(),
  }),
]);
