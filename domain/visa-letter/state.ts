import * as z from 'zod';
import type { VisaLetterState } from './decider.js';

/** The visa letter decider's state as kept in its stream's snapshot: ids, status and instants only. */
export const visaLetterStateSchema: z.ZodType<VisaLetterState> = z.union([
  z.object({ status: z.literal('none') }),
  z.object({
    registrationId: z.string(),
    status: z.enum(['requested', 'issued', 'declined']),
    requestedAt: z.iso.datetime(),
    decidedAt: z.iso.datetime().optional(),
  }),
]);
