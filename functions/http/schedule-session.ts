import { randomUUID } from 'node:crypto';
import { sessionDetailsSchema } from '../../domain/agenda/events.js';
import { changeAgenda } from '../shared/agenda.js';
import { commandMetadata } from '../shared/command.js';
import { httpRoute, parseBody, pathId } from '../shared/http.js';
import { idempotent } from '../shared/idempotency.js';
import { loadConference } from '../shared/stores.js';

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
    await changeAgenda({
      conferenceId,
      command: { type: 'ScheduleSession', sessionId, conference, session },
      metadata: commandMetadata(request),
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
