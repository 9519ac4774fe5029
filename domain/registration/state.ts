import * as z from 'zod';
import type { RegistrationState } from './decider.js';
import { delegateSchema, registrationStatuses } from './events.js';

/** The registration decider's state as kept in its stream's snapshot, checked when read back. */
export const registrationStateSchema: z.ZodType<RegistrationState> = z.union([
  z.object({ status: z.literal('none') }),
  delegateSchema.extend({
    registrationId: z.string(),
    conferenceId: z.string(),
    status: z.enum(registrationStatuses),
    manageTokenHash: z.string(),
    registeredAt: z.iso.datetime(),
    checkedInAt: z.iso.datetime().optional(),
    cancelledAt: z.iso.datetime().optional(),
    promotedAt: z.iso.datetime().optional(),
  }),
]);
