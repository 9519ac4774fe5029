import { changeAgenda } from '../shared/commands/agenda.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const sessionId = pathId(request, 'sessionId');
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { sessionId, status: 'cancelled' } };
    const command = changeAgenda(conferenceId, () => ({
      type: 'CancelSession',
      sessionId,
      now: metadata.now,
    }));
    await runCommand(command, { ...metadata, conferenceId, idempotency: () => idempotency.record(response) });
    return response;
  }),
);
