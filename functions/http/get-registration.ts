import { personalDataOf } from '../../domain/registration/decider.js';
import { GoneError } from '../../domain/shared/errors.js';
import { registrationReadBack } from '../shared/commands/registration-read-back.js';
import { loadRegistrationWithEvents } from '../shared/commands/registrations.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export const handler = httpRoute('delegate', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const { registration, events } = await loadRegistrationWithEvents(conferenceId, registrationId);
  authorizeRegistrationDelegate(request.principal, registration);
  const personal = personalDataOf(events);
  if (personal === undefined || personal === 'erased')
    throw new GoneError('The personal data of this registration was erased');
  return { status: 200, body: registrationReadBack(registration, personal) };
});
