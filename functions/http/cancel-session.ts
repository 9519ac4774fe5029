import { changeAgenda } from '../shared/agenda.js';
import { commandMetadata } from '../shared/command.js';
import { httpRoute, pathId } from '../shared/http.js';
import { idempotent } from '../shared/idempotency.js';
import { loadConference } from '../shared/stores.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    await loadConference(conferenceId);
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { sessionId, status: 'cancelled' } };
    await changeAgenda({
      conferenceId,
      command: { type: 'CancelSession', sessionId, now: metadata.now },
      metadata,
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
