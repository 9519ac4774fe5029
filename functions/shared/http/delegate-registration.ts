import { personalDataOf } from '../../../domain/registration/decider.js';
import { GoneError } from '../../../domain/shared/errors.js';
import { sensitiveAnswersOf } from '../commands/registration-read-back.js';
import { loadRegistrationWithEvents } from '../commands/registrations.js';
import { authorizeRegistrationDelegate, seesSensitiveAnswers } from './auth.js';
import { type HttpRequest, pathId } from './http.js';

/**
 * The registration a delegate route reads, read opened: the caller authorized for it (an organizer, or
 * its manage token's holder), and its personal data as the events tell it now (410 once erased).
 */
export const delegateRegistration = async (request: HttpRequest) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const { registration, events } = await loadRegistrationWithEvents(conferenceId, registrationId);
  authorizeRegistrationDelegate(request.principal, registration);
  const personal = personalDataOf(events);
  if (personal === undefined || personal === 'erased')
    throw new GoneError('The personal data of this registration was erased');
  const sensitive = seesSensitiveAnswers(request.principal) ? sensitiveAnswersOf(events) : undefined;
  return { conferenceId, registrationId, registration, personal, sensitive };
};
