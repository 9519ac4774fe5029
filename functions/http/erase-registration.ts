import { registrationChangeRoute } from '../shared/commands/registration-route.js';
import { deleteConferenceExports } from '../shared/exports/export-files.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

/**
 * CONTRACT section 4.1: cancels an active registration and erases its personal data in one append; the
 * data key is destroyed in the same transaction, so nothing can read the personal parts afterwards. Then
 * the exports and badge PDFs stored for the conference's 303 links go too (any may hold the delegate's
 * name); a failure there fails the request (the function's error alarm), the erasure itself stands.
 */
export const handler = httpRoute('delegate', async (request) => {
  const response = await registrationChangeRoute(request, {
    status: 'erased',
    authorize: (registration) => authorizeRegistrationDelegate(request.principal, registration),
    command: (now) => ({
      type: 'ErasePersonalData',
      by: request.principal.kind === 'organizer' ? 'organizer' : 'delegate',
      now,
    }),
  });
  await deleteConferenceExports(pathId(request, 'conferenceId'));
  return response;
});
