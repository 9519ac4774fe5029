import { commandMetadata } from '../shared/commands/command.js';
import { changeRegistration } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const registrationId = pathId(request, 'registrationId');
    const response = { status: 200, body: { registrationId, status: 'checked-in' } };
    await changeRegistration({
      conferenceId: pathId(request, 'conferenceId'),
      registrationId,
      command: (now) => ({ type: 'CheckInDelegate', now }),
      personal: 'sealed',
      metadata: commandMetadata(request),
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
