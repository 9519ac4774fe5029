import { commandMetadata } from '../shared/command.js';
import { httpRoute, pathId } from '../shared/http.js';
import { idempotent } from '../shared/idempotency.js';
import { changeRegistration } from '../shared/registrations.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const registrationId = pathId(request, 'registrationId');
    const response = { status: 200, body: { registrationId, status: 'checked-in' } };
    await changeRegistration({
      conferenceId: pathId(request, 'conferenceId'),
      registrationId,
      command: (now) => ({ type: 'CheckInDelegate', now }),
      metadata: commandMetadata(request),
      idempotency: () => idempotency.record(response),
    });
    return response;
  }),
);
