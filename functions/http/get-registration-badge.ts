import { personalDataOf } from '../../domain/registration/decider.js';
import { GoneError } from '../../domain/shared/errors.js';
import { loadConference } from '../shared/commands/conference.js';
import { loadRegistrationWithEvents } from '../shared/commands/registrations.js';
import { badgeOf, badgesDocument, pdfResponse } from '../shared/documents/badge-documents.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted the personal data (names on the badge) and the HMAC key (the check-in code is a MAC).
usePersonalData();

/** CONTRACT 4.3: one seat holder's badge, for the delegate (X-Manage-Token) or an organizer. */
export const handler = httpRoute('delegate', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const { registration, events } = await loadRegistrationWithEvents(conferenceId, registrationId);
  authorizeRegistrationDelegate(request.principal, registration);
  const personal = personalDataOf(events);
  if (personal === undefined || personal === 'erased')
    throw new GoneError('The personal data of this registration was erased');
  const badge = await badgeOf({ ...registration, ...personal });
  const conference = await loadConference(conferenceId);
  return pdfResponse(request, await badgesDocument(conference, [badge]), `badge-${registrationId}.pdf`);
});
