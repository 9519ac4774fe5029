import { randomUUID } from 'node:crypto';
import { sessionStreamId } from '../../domain/agenda/decider.js';
import { alreadyGranted, awardDecider, awardGuardKey, awardsStreamId } from '../../domain/award/decider.js';
import { awardGrantSchema } from '../../domain/award/events.js';
import { loadAwards, loadSession } from '../shared/commands/agenda.js';
import { commandMetadata, retryOnStreamConflict } from '../shared/commands/command.js';
import { AppendConflictError } from '../shared/event-store/event-store.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { eventStore, loadConference } from '../shared/event-store/stores.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

const AWARD_GUARD = 'award';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const grant = parseBody(request, awardGrantSchema);
    await loadConference(conferenceId);
    const awardId = randomUUID();
    const metadata = commandMetadata(request);
    const response = { status: 201, body: { awardId } };
    await retryOnStreamConflict(`The awards of conference ${conferenceId}`, async () => {
      const { sessionId } = grant;
      const [awards, session] = await Promise.all([
        loadAwards(conferenceId),
        sessionId === undefined ? undefined : loadSession(conferenceId, sessionId),
      ]);
      const events = awardDecider.decide(
        {
          type: 'GrantAward',
          awardId,
          conferenceId,
          grant,
          agenda: { sessions: session?.state ? [session.state] : [] },
          now: metadata.now,
        },
        awards.state,
      );
      try {
        await eventStore().append({
          ...metadata,
          conferenceId,
          streams: [{ streamId: awardsStreamId(conferenceId), expectedVersion: awards.version, events }],
          // The session it is presented in must still be as read: not cancelled meanwhile.
          unchanged:
            session && sessionId !== undefined
              ? [{ streamId: sessionStreamId(sessionId), version: session.version }]
              : [],
          guards: [{ op: 'claim', name: AWARD_GUARD, key: awardGuardKey(grant), owner: awardId }],
          idempotency: idempotency.record(response),
        });
      } catch (error) {
        // Granted at another conference: the guard held (a stream conflict is decided again first).
        if (error instanceof AppendConflictError && !error.stream && error.guard(AWARD_GUARD))
          throw alreadyGranted(grant);
        throw error;
      }
    });
    return response;
  }),
);
