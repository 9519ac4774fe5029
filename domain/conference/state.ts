import * as z from 'zod';
import { fieldSchema, fieldTypes } from '../registration-form/form.js';
import type { ConferenceState } from './decider.js';
import { conferenceEvents } from './events.js';

/** The form in force and the type every field id ever had (a field keeps its type across versions). */
export const formStateSchema = z.object({
  version: z.number().int().min(1),
  fields: z.array(fieldSchema),
  fieldTypes: z.record(z.string(), z.enum(fieldTypes)),
});

/** The conference decider's state as kept in its stream's snapshot, checked when read back. */
export const conferenceStateSchema: z.ZodType<ConferenceState> = z.union([
  z.object({ status: z.literal('none') }),
  conferenceEvents.ConferenceCreated.extend({
    status: z.literal('created'),
    registrationForm: formStateSchema.optional(),
  }),
]);
