import { changeSession } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    // No conference read: a session of this conference's is found in its own stream, or it is 404.
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { sessionId, status: 'cancelled' } };
    await changeSession({
      conferenceId,
      command: { type: 'CancelSession', sessionId, now: metadata.now },
      metadata,
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
