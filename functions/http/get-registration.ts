import { fold } from '../../domain/shared/decider.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { authorizeDelegate } from '../shared/auth.js';
import { notFound } from '../shared/errors.js';
import { httpRoute, pathId } from '../shared/http.js';
import { eventStore } from '../shared/stores.js';

export const handler = httpRoute('delegate', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const events = (await eventStore().load(registrationStreamId(registrationId))) as RegistrationEvent[];
  const registration = fold(registrationDecider, events);
  if (registration.status === 'none' || registration.conferenceId !== conferenceId)
    throw notFound(`No registration ${registrationId} for conference ${conferenceId}`);
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
