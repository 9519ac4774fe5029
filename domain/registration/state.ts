import * as z from 'zod';
import type { RegistrationState } from './decider.js';
import { delegateSchema, registrationStatuses } from './events.js';

/**
 * The registration decider's state as kept in its stream's snapshot, checked when read back. It holds no
 * personal data: the email guard's HMAC and the manage token's hash are its only secrets, gone once erased.
 */
export const registrationStateSchema: z.ZodType<RegistrationState> = z.union([
  z.object({ status: z.literal('none') }),
  z.object({
    registrationId: z.string(),
    conferenceId: z.string(),
    status: z.enum(registrationStatuses),
    country: delegateSchema.shape.country,
    category: delegateSchema.shape.category,
    registeredAt: z.iso.datetime(),
    checkedInAt: z.iso.datetime().optional(),
    cancelledAt: z.iso.datetime().optional(),
    promotedAt: z.iso.datetime().optional(),
    approvedAt: z.iso.datetime().optional(),
    rejectedAt: z.iso.datetime().optional(),
    erasedAt: z.iso.datetime().optional(),
    seatShard: z.number().int().nonnegative().optional(),
    formVersion: z.number().int().min(1).optional(),
    limitedOptions: z.array(z.string()).optional(),
    sensitiveErasedAt: z.iso.datetime().optional(),
    invitationId: z.string().min(1).optional(),
    delegationId: z.string().min(1).optional(),
    secrets: z.object({ emailGuard: z.string().min(1), manageTokenHash: z.string().min(1) }).optional(),
  }),
]);
