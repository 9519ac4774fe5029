import * as z from 'zod';
import { translatable } from '../shared/languages.js';
import { rejectionReasonCodes } from './events.js';

/** At most this many decisions in one request (CONTRACT 5.3): a secretariat's batch, within one invocation. */
export const MAX_DECISIONS = 500;

const approval = z
  .object({ registrationId: z.string().min(1).max(100), decision: z.literal('approve') })
  .strict();

const rejection = z
  .object({
    registrationId: z.string().min(1).max(100),
    decision: z.literal('reject'),
    reasonCode: z.enum(rejectionReasonCodes, {
      message: `must be one of ${rejectionReasonCodes.join(', ')}`,
    }),
    /** To the delegate, in their language when given per language (CONTRACT 5.4). */
    message: translatable(2000).optional(),
  })
  .strict();

/**
 * The body of `POST /conferences/{conferenceId}/registration-decisions` (CONTRACT 5.3): 1 to 500 decisions,
 * each registration at most once (two decisions on one registration in one request contradict or repeat).
 */
export const registrationDecisionsSchema = z
  .object({
    decisions: z
      .array(z.discriminatedUnion('decision', [approval, rejection]))
      .min(1, 'must hold at least one decision')
      .max(MAX_DECISIONS, `must hold at most ${MAX_DECISIONS} decisions`),
  })
  .strict()
  .superRefine((body, context) => {
    const seen = new Set<string>();
    body.decisions.forEach((decision, index) => {
      if (seen.has(decision.registrationId))
        context.addIssue({
          code: 'custom',
          path: ['decisions', index, 'registrationId'],
          message: 'is decided twice in this request: each registration at most once',
        });
      seen.add(decision.registrationId);
    });
  });

export type RegistrationDecisions = z.infer<typeof registrationDecisionsSchema>;
