import { loadRegistration } from '../shared/commands/registrations.js';
import { authorizeDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId } from '../shared/http/http.js';

export const handler = httpRoute('delegate', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const registration = await loadRegistration(conferenceId, registrationId);
  authorizeDelegate(request.principal, registration.manageTokenHash);
  return {
    status: 200,
    body: {
      registrationId,
      conferenceId,
      status: registration.status,
      givenName: registration.givenName,
      familyName: registration.familyName,
      email: registration.email,
      country: registration.country,
      city: registration.city,
      organization: registration.organization ?? null,
      category: registration.category,
      registeredAt: registration.registeredAt,
      ...(registration.checkedInAt ? { checkedInAt: registration.checkedInAt } : {}),
      ...(registration.cancelledAt ? { cancelledAt: registration.cancelledAt } : {}),
    },
  };
});
