import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { changeRegistration } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export const handler = httpRoute('delegate', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const registrationId = pathId(request, 'registrationId');
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { registrationId, status: 'cancelled' } };
    const command = changeRegistration({
      conferenceId,
      registrationId,
      authorize: (registration) => authorizeRegistrationDelegate(request.principal, registration),
      command: {
        type: 'CancelRegistration',
        by: request.principal.kind === 'organizer' ? 'organizer' : 'delegate',
        now: metadata.now,
      },
    });
    await runCommand(command, { ...metadata, conferenceId, idempotency: () => idempotency.record(response) });
    return response;
  }),
);
