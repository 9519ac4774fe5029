import * as z from 'zod';
import type { ConferenceState } from './decider.js';
import { conferenceEvents } from './events.js';

/** The conference decider's state as kept in its stream's snapshot, checked when read back. */
export const conferenceStateSchema: z.ZodType<ConferenceState> = z.union([
  z.object({ status: z.literal('none') }),
  conferenceEvents.ConferenceCreated.extend({ status: z.literal('created') }),
]);
