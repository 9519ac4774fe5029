import * as z from 'zod';
import type { AwardsState } from './decider.js';
import { awardEvents } from './events.js';

/** The awards decider's state as kept in its stream's snapshot, checked when read back. */
export const awardsStateSchema: z.ZodType<AwardsState> = z.object({
  awards: z.array(awardEvents.AwardGranted),
});
