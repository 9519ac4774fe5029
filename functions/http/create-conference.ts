import { randomUUID } from 'node:crypto';
import { conferenceDetailsSchema } from '../../domain/conference/events.js';
import { commandMetadata } from '../shared/commands/command.js';
import { createConference } from '../shared/commands/conference.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const details = parseBody(request, conferenceDetailsSchema);
    const conferenceId = randomUUID();
    const response = {
      status: 201,
      body: { conferenceId },
      headers: { location: `/conferences/${conferenceId}` },
    };
    await runCommand(createConference(conferenceId, details), {
      ...commandMetadata(request),
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
