import { personalDataOf, type Registration } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { GoneError } from '../../domain/shared/errors.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { registrationReadBack, sensitiveAnswersOf } from '../shared/commands/registration-read-back.js';
import { changeDelegateDetails, loadRegistrationWithEvents } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { authorizeRegistrationDelegate, seesSensitiveAnswers } from '../shared/http/auth.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { emailKeys, usePersonalData, useSensitiveData } from '../shared/personal-data/personal-data.js';
import { detailsChangeRequestSchema } from './api-schemas.js';

// Granted this registration's personal data and the HMAC key (infra/definitions): a new email's guard key.
// And its sensitive answers' key: new sensitive answers are sealed under it, and read back to the delegate.
useSensitiveData();
usePersonalData();

/** CONTRACT 4.3: a delegate corrects their details until `editableUntil`, an organizer always. */
const newEmailKeys = async (conferenceId: string, email: string) => {
  const { emailKey, legacyEmailKey } = await emailKeys().of(conferenceId, email);
  return { newEmailKey: emailKey, newLegacyEmailKey: legacyEmailKey };
};

export const handler = httpRoute('delegate', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const registrationId = pathId(request, 'registrationId');
    const authorize = (registration: Parameters<typeof authorizeRegistrationDelegate>[1]) =>
      authorizeRegistrationDelegate(request.principal, registration);
    const { registration, events } = await loadRegistrationWithEvents(conferenceId, registrationId);
    authorize(registration);
    const { answers, ...changes } = parseBody(request, detailsChangeRequestSchema);
    const current = personalDataOf(events);
    if (current === undefined || current === 'erased')
      throw new GoneError('The personal data of this registration was erased');
    const metadata = commandMetadata(request);
    const command = changeDelegateDetails({
      conferenceId,
      registrationId,
      by: request.principal.kind === 'organizer' ? 'organizer' : 'delegate',
      changes,
      current,
      ...(changes.email ? await newEmailKeys(conferenceId, changes.email) : {}),
      ...(answers === undefined ? {} : { answers }),
      authorize,
      now: metadata.now,
    });
    // The registration read back as GET reads it: the sensitive answers too, to whoever may see them.
    const readBack = (result: {
      registration: Registration;
      personal: Parameters<typeof registrationReadBack>[1];
      events: RegistrationEvent[];
    }) =>
      registrationReadBack(
        result.registration,
        result.personal,
        seesSensitiveAnswers(request.principal)
          ? sensitiveAnswersOf([...events, ...result.events])
          : undefined,
      );
    const changed = await runCommand(command, {
      ...metadata,
      conferenceId,
      idempotency: (result) => idempotency.record({ status: 200, body: readBack(result) }),
    });
    return { status: 200, body: readBack(changed) };
  }),
);
