import * as z from 'zod';
import { countryCode } from '../shared/values.js';
import type { DelegationState } from './decider.js';
import { credentialsStatuses } from './events.js';

/** The delegation decider's state as kept in its stream's snapshot: no personal data (the focal point stays sealed). */
export const delegationStateSchema: z.ZodType<DelegationState> = z.union([
  z.object({ status: z.literal('none') }),
  z.object({
    status: z.literal('active'),
    delegationId: z.string(),
    conferenceId: z.string(),
    name: z.string(),
    country: countryCode.optional(),
    organization: z.string().optional(),
    quota: z.number().int().min(1),
    createdAt: z.iso.datetime(),
    headOfDelegation: z.string().optional(),
    credentials: z.enum(credentialsStatuses),
    substitutions: z.number().int().min(0),
    focalPointErasedAt: z.iso.datetime().optional(),
  }),
]);
