import { slotChangeSchema } from '../../domain/agenda/events.js';
import { changeSession } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { loadConference } from '../shared/event-store/stores.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    const change = parseBody(request, slotChangeSchema);
    const conference = await loadConference(conferenceId);
    const response = { status: 200, body: { sessionId } };
    await changeSession({
      conferenceId,
      command: { type: 'RescheduleSession', sessionId, conference, change },
      metadata: commandMetadata(request),
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
