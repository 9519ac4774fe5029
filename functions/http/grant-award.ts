import { randomUUID } from 'node:crypto';
import { awardGrantSchema } from '../../domain/award/events.js';
import { grantAward } from '../shared/commands/awards.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const grant = parseBody(request, awardGrantSchema);
    const awardId = randomUUID();
    const metadata = commandMetadata(request);
    const response = { status: 201, body: { awardId } };
    await runCommand(grantAward({ conferenceId, awardId, grant, now: metadata.now }), {
      ...metadata,
      conferenceId,
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
