import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { expireInvitations } from '../shared/invitations/expiry.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { eraseExpiredRegistrations } from '../shared/personal-data/retention.js';
import { withinBudget } from '../shared/resilience/policy.js';
import { logger } from '../shared/runtime/observability.js';

/** Time kept back from the function's timeout: a registration being erased then still finishes. */
const RESERVE_MS = 30_000;

/**
 * Daily (a scheduled rule): erases every registration of the conferences past their retention. What the
 * time budget leaves undone, and what failed, is done on the next run; failures fail the invocation, so
 * its error alarm tells the operators.
 */
const eraseExpired = async (event: ScheduledEvent, context: Context) => {
  const today = (event.time ? new Date(event.time) : new Date()).toISOString().slice(0, 10);
  const result = await withinBudget(context, () =>
    eraseExpiredRegistrations({
      today,
      correlationId: `retention-${today}-${context.awsRequestId}`,
      shouldStop: () => context.getRemainingTimeInMillis() < RESERVE_MS,
    }),
  );
  // What was erased and why (the conference, the count, the retention that applied): never silently.
  for (const conference of result.conferences)
    logger.info('Registrations erased for retention', { ...conference });
  logger.info('Expired personal data erased', {
    today,
    conferencesDue: result.conferencesDue,
    erased: result.erased,
    alreadyErased: result.alreadyErased,
    failed: result.failed.length,
    stoppedEarly: result.stoppedEarly,
  });
  // The invitations past their expiresAt expire on the same schedule (CONTRACT 5.3).
  const invitations = await withinBudget(context, () =>
    expireInvitations({
      now: new Date().toISOString(),
      correlationId: `invitation-expiry-${today}-${context.awsRequestId}`,
      shouldStop: () => context.getRemainingTimeInMillis() < RESERVE_MS,
    }),
  );
  logger.info('Invitations expired', {
    expired: invitations.expired,
    inviteesErased: invitations.erased,
    focalPointsErased: invitations.focalPointsErased,
    failed: invitations.failed.length,
    stoppedEarly: invitations.stoppedEarly,
  });
  for (const failure of invitations.failed) logger.error('Invitation not expired', failure);
  if (invitations.failed.length > 0 && result.failed.length === 0)
    throw new Error(
      `${invitations.failed.length} invitations could not be expired; the next run tries again`,
      {
        cause: result,
      },
    );
  if (result.failed.length > 0) {
    for (const failure of result.failed) logger.error('Registration not erased', failure);
    // The result rides along, so that what was erased in this run is still reported.
    throw new Error(`${result.failed.length} registrations could not be erased; the next run tries again`, {
      cause: result,
    });
  }
  return result;
};

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export const handler = middy<ScheduledEvent, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(eraseExpired);
