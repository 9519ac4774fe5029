import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { declineVisaLetter } from '../shared/commands/visa-letters.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { visaLetterDeclineSchema } from './api-schemas.js';

// Granted this registration's personal data (infra/definitions): the reason is sealed under its key.
usePersonalData();

/** CONTRACT 4.4: an organizer declines the requested letter, giving the delegate a reason. */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const registrationId = pathId(request, 'registrationId');
    const { reason } = parseBody(request, visaLetterDeclineSchema);
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { registrationId, status: 'declined' } };
    const command = declineVisaLetter(
      { conferenceId, registrationId, now: metadata.now, authorize: () => undefined },
      reason,
    );
    await runCommand(command, { ...metadata, conferenceId, idempotency: () => idempotency.record(response) });
    return response;
  }),
);
