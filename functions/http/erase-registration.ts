import { registrationChangeRoute } from '../shared/commands/registration-route.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

/**
 * CONTRACT section 4.1: cancels an active registration and erases its personal data in one append; the
 * data key is destroyed in the same transaction, so nothing can read the personal parts afterwards.
 */
export const handler = httpRoute('delegate', (request) =>
  registrationChangeRoute(request, {
    status: 'erased',
    authorize: (registration) => authorizeRegistrationDelegate(request.principal, registration),
    command: (now) => ({
      type: 'ErasePersonalData',
      by: request.principal.kind === 'organizer' ? 'organizer' : 'delegate',
      now,
    }),
  }),
);
