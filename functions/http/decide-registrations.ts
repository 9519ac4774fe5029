import {
  type RegistrationDecisions,
  registrationDecisionsSchema,
} from '../../domain/registration/decisions.js';
import { commandMetadata } from '../shared/commands/command.js';
import { loadConference } from '../shared/commands/conference.js';
import { runCommand } from '../shared/commands/pipeline.js';
import {
  type DecidedStatus,
  decideRegistration,
  mapBounded,
} from '../shared/commands/registration-decisions.js';
import { type Idempotency, idempotent } from '../shared/event-store/idempotency.js';
import { type HttpResponse, httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { type Problem, toProblem } from '../shared/http/problem.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { withFreshRetries } from '../shared/resilience/policy.js';

// A rejection's message is sealed under the registration's data key; the email guard's key is read opened.
usePersonalData();

/**
 * Decisions run at once, each its own transaction: enough to keep DynamoDB busy (each decision is two
 * round trips: the streams' tips in one BatchGetItem, then the transaction), few enough that the seat
 * shards (64) are seldom taken twice at the same moment and the function's connections are not exhausted.
 */
export const DECISIONS_AT_ONCE = 24;

type DecisionResult =
  | { registrationId: string; status: DecidedStatus }
  | { registrationId: string; problem: Problem };

/** One decision, on its own: its result, or its problem+json (an answer of the decision, never a throw). */
const decideOne = async (
  conferenceId: string,
  decision: RegistrationDecisions['decisions'][number],
  metadata: ReturnType<typeof commandMetadata>,
  idempotency: Idempotency,
): Promise<DecisionResult> => {
  const { registrationId } = decision;
  const part = idempotency.part(registrationId);
  try {
    // Each decision is dated when it is made: approvals into the waitlist wait in the order they were made.
    const now = new Date().toISOString();
    // Each decision has the retries one request has (its own allowance, as each record of a consumer's
    // batch), all under the invocation's one deadline: 500 decisions do not share 12 retries.
    const status = await withFreshRetries(() =>
      runCommand(decideRegistration(conferenceId, decision, now), {
        ...metadata,
        now,
        conferenceId,
        idempotency: (result) => part.record({ status: 200, body: { registrationId, status: result } }),
      }),
    );
    return { registrationId, status };
  } catch (error) {
    // The retry of a request that stopped halfway: this decision was made then, and is answered as then.
    const earlier = await part.stored().catch(() => undefined);
    if (earlier) return earlier.body as DecisionResult;
    const answer = toProblem(error);
    return { registrationId, problem: JSON.parse(String(answer.body)) as Problem };
  }
};

/**
 * `POST /conferences/{conferenceId}/registration-decisions` (CONTRACT 5.3): 1 to 500 decisions on pending
 * registrations, each on its own (one refused does not stop the others: its result is its problem, 409
 * for one not pending). They run DECISIONS_AT_ONCE at a time, each through the registration's command with
 * its guards (the seat shards' for an approval). Under an Idempotency-Key, each decision's answer is stored
 * with its events and the whole answer once all are done: a retry gets the same answer and decides nothing
 * twice, even after a run that stopped halfway.
 */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency): Promise<HttpResponse> => {
    const conferenceId = pathId(request, 'conferenceId');
    const { decisions } = parseBody(request, registrationDecisionsSchema);
    const earlier = await idempotency.stored();
    if (earlier) return earlier;
    await loadConference(conferenceId);
    const metadata = commandMetadata(request);
    const results = await mapBounded(decisions, DECISIONS_AT_ONCE, (decision) =>
      decideOne(conferenceId, decision, metadata, idempotency),
    );
    const response = { status: 200, body: { results } };
    // A decision the service could not make now (503: out of time or retries) is not an answer to keep:
    // a retry under the same key decides it then (the decisions made answer from their own records).
    const undecided = results.some((result) => 'problem' in result && result.problem.status >= 500);
    if (!undecided) await idempotency.store(response);
    return response;
  }),
);
