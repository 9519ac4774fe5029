import { randomUUID } from 'node:crypto';
import { sessionDetailsSchema } from '../../domain/agenda/events.js';
import { changeAgenda } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const session = parseBody(request, sessionDetailsSchema);
    const sessionId = randomUUID();
    const response = {
      status: 201,
      body: { sessionId },
      headers: { location: `/conferences/${conferenceId}/agenda` },
    };
    const command = changeAgenda(conferenceId, (conference) => ({
      type: 'ScheduleSession',
      sessionId,
      conference,
      session,
    }));
    await runCommand(command, {
      ...commandMetadata(request),
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
