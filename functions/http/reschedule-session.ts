import { slotChangeSchema } from '../../domain/agenda/events.js';
import { changeAgenda } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    const change = parseBody(request, slotChangeSchema);
    const response = { status: 200, body: { sessionId } };
    const command = changeAgenda(conferenceId, (conference) => ({
      type: 'RescheduleSession',
      sessionId,
      conference,
      change,
    }));
    await runCommand(command, {
      ...commandMetadata(request),
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
