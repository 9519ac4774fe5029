import { registrationChangeRoute } from '../shared/commands/registration-route.js';
import { httpRoute } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  registrationChangeRoute(request, {
    status: 'checked-in',
    command: (now) => ({ type: 'CheckInDelegate', now }),
  }),
);
