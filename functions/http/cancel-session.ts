import { changeSession } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { loadConference } from '../shared/event-store/stores.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    await loadConference(conferenceId);
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
