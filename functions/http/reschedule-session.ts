import { slotChangeSchema } from '../../domain/agenda/events.js';
import { changeSession, loadSession } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { loadConference } from '../shared/event-store/stores.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    const change = parseBody(request, slotChangeSchema);
    // Both reads at once: one round trip of waiting, even when the conference is not cached yet.
    const [conference, loaded] = await Promise.all([
      loadConference(conferenceId),
      loadSession(conferenceId, sessionId),
    ]);
    const response = { status: 200, body: { sessionId } };
    await changeSession({
      loaded,
      conferenceId,
      command: { type: 'RescheduleSession', sessionId, conference, change },
      metadata: commandMetadata(request),
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
