import { registrationChangeRoute } from '../shared/commands/registration-route.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export const handler = httpRoute('delegate', (request) =>
  registrationChangeRoute(request, {
    status: 'cancelled',
    authorize: (registration) => authorizeRegistrationDelegate(request.principal, registration),
    command: (now) => ({
      type: 'CancelRegistration',
      by: request.principal.kind === 'organizer' ? 'organizer' : 'delegate',
      now,
    }),
  }),
);
