import type { Registration, RegistrationCommand } from '../../../domain/registration/decider.js';
import { idempotent } from '../event-store/idempotency.js';
import { type HttpRequest, type HttpResponse, pathId } from '../http/http.js';
import { commandMetadata } from './command.js';
import { runCommand } from './pipeline.js';
import { changeRegistration } from './registrations.js';

/**
 * The whole of a route that changes one registration (cancel, check in, erase): the ids from the path, the
 * change run under the request's Idempotency-Key, and the answer `{registrationId, status}`.
 */
export const registrationChangeRoute = (
  request: HttpRequest,
  change: {
    status: string;
    command: (now: string) => RegistrationCommand;
    authorize?: (registration: Registration) => void;
  },
): Promise<HttpResponse> =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const registrationId = pathId(request, 'registrationId');
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { registrationId, status: change.status } };
    const command = changeRegistration({
      conferenceId,
      registrationId,
      command: change.command(metadata.now),
      ...(change.authorize ? { authorize: change.authorize } : {}),
    });
    await runCommand(command, { ...metadata, conferenceId, idempotency: () => idempotency.record(response) });
    return response;
  });
