import { personalDataOf } from '../../domain/registration/decider.js';
import { GoneError } from '../../domain/shared/errors.js';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { changeRegistration, loadRegistrationWithEvents } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { badRequest, notFound } from '../shared/http/errors.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import {
  isWellFormedCheckInCode,
  registrationIdOfCheckInCode,
} from '../shared/personal-data/check-in-code.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { checkInRequestSchema } from './api-schemas.js';

// Granted the personal data (the desk is told who arrived) and the HMAC key (the code is checked by its MAC).
usePersonalData();

/**
 * CONTRACT 4.3: the desk scans a check-in code and is told who arrived, or why not (409 with when they
 * already arrived). Two desks scanning one code at once: the append at the stream's version lets one
 * through; the other decides again and finds the delegate checked in.
 */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const { code } = parseBody(request, checkInRequestSchema);
    if (!isWellFormedCheckInCode(code))
      throw badRequest('The check-in code is malformed', [
        { path: 'code', message: 'is not a check-in code (<registrationId>.<22 characters>)' },
      ]);
    const registrationId = await registrationIdOfCheckInCode(code);
    if (!registrationId) throw notFound('No registration has this check-in code');
    const { registration, events } = await loadRegistrationWithEvents(conferenceId, registrationId);
    const personal = personalDataOf(events);
    if (registration.status === 'erased' || personal === undefined || personal === 'erased')
      throw new GoneError('The personal data of this registration was erased');
    const metadata = commandMetadata(request);
    const respond = (checkedInAt: string) => ({
      status: 200,
      body: {
        registrationId,
        status: 'checked-in',
        checkedInAt,
        givenName: personal.givenName,
        familyName: personal.familyName,
        organization: personal.organization ?? null,
        country: registration.country,
        category: registration.category,
      },
    });
    const command = changeRegistration({
      conferenceId,
      registrationId,
      command: { type: 'CheckInDelegate', now: metadata.now },
    });
    await runCommand(command, {
      ...metadata,
      conferenceId,
      idempotency: () => idempotency.record(respond(metadata.now)),
    });
    return respond(metadata.now);
  }),
);
