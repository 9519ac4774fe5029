import { visaLetterRequestSchema } from '../../domain/visa-letter/events.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { requestVisaLetter } from '../shared/commands/visa-letters.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): the request is sealed under its key.
usePersonalData();

/** CONTRACT 4.4: a delegate holding a seat asks for a letter of invitation; 202 until an organizer decides. */
export const handler = httpRoute('delegate', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const registrationId = pathId(request, 'registrationId');
    const metadata = commandMetadata(request);
    const response = { status: 202, body: { registrationId, status: 'requested' } };
    const command = requestVisaLetter(
      {
        conferenceId,
        registrationId,
        now: metadata.now,
        authorize: (registration) => authorizeRegistrationDelegate(request.principal, registration),
      },
      () => parseBody(request, visaLetterRequestSchema),
    );
    await runCommand(command, { ...metadata, conferenceId, idempotency: () => idempotency.record(response) });
    return response;
  }),
);
