import * as z from 'zod';
import type { SessionState } from './decider.js';
import { sessionDetailsSchema } from './events.js';

const agendaSessionSchema = sessionDetailsSchema.extend({
  sessionId: z.string(),
  status: z.enum(['scheduled', 'cancelled']),
  sequence: z.number().int().min(0),
  cancelledAt: z.iso.datetime().optional(),
});

/** One session's stream state as kept in its tip's snapshot, checked when read back. */
export const sessionStateSchema: z.ZodType<SessionState> = agendaSessionSchema
  .extend({ conferenceId: z.string() })
  .nullable();
