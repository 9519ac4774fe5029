import { commandMetadata } from '../shared/commands/command.js';
import { changeRegistration } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('delegate', (request) =>
  idempotent(request, async (idempotency) => {
    const registrationId = pathId(request, 'registrationId');
    const response = { status: 200, body: { registrationId, status: 'cancelled' } };
    await changeRegistration({
      conferenceId: pathId(request, 'conferenceId'),
      registrationId,
      authorize: (registration) => authorizeRegistrationDelegate(request.principal, registration),
      command: (now) => ({
        type: 'CancelRegistration',
        by: request.principal.kind === 'organizer' ? 'organizer' : 'delegate',
        now,
      }),
      metadata: commandMetadata(request),
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
