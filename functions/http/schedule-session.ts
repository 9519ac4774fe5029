import { randomUUID } from 'node:crypto';
import { sessionDetailsSchema } from '../../domain/agenda/events.js';
import { changeSession } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { loadConference } from '../shared/event-store/stores.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const session = parseBody(request, sessionDetailsSchema);
    const conference = await loadConference(conferenceId);
    const sessionId = randomUUID();
    const response = {
      status: 201,
      body: { sessionId },
      headers: { location: `/conferences/${conferenceId}/agenda` },
    };
    await changeSession({
      conferenceId,
      command: { type: 'ScheduleSession', sessionId, conference, session },
      metadata: commandMetadata(request),
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
