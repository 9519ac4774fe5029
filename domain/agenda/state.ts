import * as z from 'zod';
import type { AgendaState } from './decider.js';
import { sessionDetailsSchema } from './events.js';

/** The agenda decider's state as kept in its stream's snapshot, checked when read back. */
export const agendaStateSchema: z.ZodType<AgendaState> = z.object({
  sessions: z.array(
    sessionDetailsSchema.extend({
      sessionId: z.string(),
      status: z.enum(['scheduled', 'cancelled']),
      sequence: z.number().int().min(0),
      cancelledAt: z.iso.datetime().optional(),
    }),
  ),
});
