import { loadConference } from '../shared/commands/conference.js';
import { badgeOf, badgesDocument, pdfResponse } from '../shared/documents/badge-documents.js';
import { delegateRegistration } from '../shared/http/delegate-registration.js';
import { httpRoute } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted the personal data (names on the badge) and the HMAC key (the check-in code is a MAC).
usePersonalData();

/** CONTRACT 4.3: one seat holder's badge, for the delegate (X-Manage-Token) or an organizer. */
export const handler = httpRoute('delegate', async (request) => {
  const { conferenceId, registrationId, registration, personal } = await delegateRegistration(request);
  const badge = await badgeOf({ ...registration, ...personal });
  const conference = await loadConference(conferenceId);
  return pdfResponse(request, await badgesDocument(conference, [badge]), `badge-${registrationId}.pdf`);
});
