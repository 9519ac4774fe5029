import { personalDataExpired } from '../../../domain/conference/decider.js';
import type { InvitationRow } from '../../../domain/projections/invitations.js';
import { eraseFocalPoint } from '../commands/delegations.js';
import { changeInvitation } from '../commands/invitations.js';
import { runCommand } from '../commands/pipeline.js';
import { catalogedConferences } from '../event-store/catalog.js';
import { parallelScan } from '../event-store/parallel-scan.js';
import { invitationsProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { dynamoDb, tableNames } from '../runtime/config.js';

export interface InvitationExpiryResult {
  /** Invitations marked expired in this run. */
  expired: number;
  /** Invitees erased in this run: of the conferences past their personal-data retention. */
  erased: number;
  /** Focal points of delegations erased in this run: of the conferences past their retention. */
  focalPointsErased: number;
  /** Ids only (no personal data), for the operators; the next run tries again. */
  failed: { conferenceId: string; invitationId?: string; delegationId?: string; error: string }[];
  stoppedEarly: boolean;
}

/**
 * Marks `expired` every pending invitation whose `expiresAt` has passed (CONTRACT 5.3), run by the same
 * daily schedule as the retention. The list's rows say which are due; the command decides on the stream
 * itself (a row behind the events, e.g. accepted meanwhile, expires nothing). An expiry frees the
 * address's guard and the delegation's quota place in its own transaction.
 */
export const expireInvitations = async (options: {
  now: string;
  correlationId: string;
  shouldStop?: () => boolean;
}): Promise<InvitationExpiryResult> => {
  const result: InvitationExpiryResult = {
    expired: 0,
    erased: 0,
    focalPointsErased: 0,
    failed: [],
    stoppedEarly: false,
  };
  const today = options.now.slice(0, 10);
  const nowMs = Date.parse(options.now);
  const conferences = await catalogedConferences();
  const pastRetention = new Set(
    conferences.filter((conference) => personalDataExpired(conference, today)).map((c) => c.conferenceId),
  );
  for (const conference of conferences) {
    const { conferenceId } = conference;
    const rows = await readModelRows<InvitationRow | null>(invitationsProjection.name, conferenceId);
    // Past the conference's retention, every invitee still listed is erased (the registered ones were
    // erased with their registration); before it, only the pending invitations past expiresAt expire.
    const retentionOver = personalDataExpired(conference, today);
    const due = rows.filter(
      (row): row is InvitationRow =>
        row !== null && (retentionOver || (row.status === 'sent' && Date.parse(row.expiresAt) <= nowMs)),
    );
    for (const row of due) {
      if (options.shouldStop?.()) {
        result.stoppedEarly = true;
        return result;
      }
      try {
        const type = retentionOver ? 'EraseInvitee' : 'ExpireInvitation';
        const { events } = await runCommand(
          changeInvitation(row.invitationId, { type, now: options.now }, conferenceId),
          {
            conferenceId,
            correlationId: options.correlationId,
            actor: 'process:retention',
            now: options.now,
          },
        );
        if (retentionOver) result.erased += events.length;
        else result.expired += events.length;
      } catch (error) {
        result.failed.push({
          conferenceId,
          invitationId: row.invitationId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  // The focal points of the delegations of the conferences past their retention (CONTRACT 4.1).
  for (const { conferenceId, delegationId } of await delegationsOf(pastRetention)) {
    if (options.shouldStop?.()) {
      result.stoppedEarly = true;
      return result;
    }
    try {
      const { events } = await runCommand(eraseFocalPoint(conferenceId, delegationId, options.now), {
        conferenceId,
        correlationId: options.correlationId,
        actor: 'process:retention',
        now: options.now,
      });
      result.focalPointsErased += events.length;
    } catch (error) {
      result.failed.push({
        conferenceId,
        delegationId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return result;
};

/**
 * The delegations of these conferences, from their DelegationCreated events (no list of delegations is
 * kept): a filtered scan of the events table, run only when a conference is past its retention. The
 * erasure decides on the stream itself, so one already erased appends nothing.
 */
const delegationsOf = async (
  conferenceIds: ReadonlySet<string>,
): Promise<{ conferenceId: string; delegationId: string }[]> => {
  if (conferenceIds.size === 0) return [];
  const found: { conferenceId: string; delegationId: string }[] = [];
  await parallelScan(
    dynamoDb(),
    {
      TableName: tableNames().events,
      ProjectionExpression: '#conferenceId, #data.#delegationId',
      FilterExpression: '#kind = :event AND #type = :created',
      ExpressionAttributeNames: {
        '#kind': 'kind',
        '#type': 'type',
        '#conferenceId': 'conferenceId',
        '#data': 'data',
        '#delegationId': 'delegationId',
      },
      ExpressionAttributeValues: { ':event': { S: 'event' }, ':created': { S: 'DelegationCreated' } },
    },
    2,
    (page) => {
      for (const item of page.Items ?? []) {
        const conferenceId = item.conferenceId?.S;
        const delegationId = item.data?.M?.delegationId?.S;
        if (conferenceId && delegationId && conferenceIds.has(conferenceId))
          found.push({ conferenceId, delegationId });
      }
    },
  );
  return found;
};
