import { randomUUID } from 'node:crypto';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { registerDelegate } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { hashManageToken, newManageToken } from '../shared/http/auth.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { emailKeys, usePersonalData } from '../shared/personal-data/personal-data.js';
import { registrationRequestSchema } from './api-schemas.js';

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export const handler = httpRoute('public', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const { consent: _consent, ...delegate } = parseBody(request, registrationRequestSchema);
    const registrationId = randomUUID();
    const manageToken = newManageToken();
    const metadata = commandMetadata(request);
    const respond = (status: string) => ({ status: 201, body: { registrationId, status, manageToken } });
    const command = registerDelegate({
      conferenceId,
      registrationId,
      delegate,
      ...(await emailKeys().of(conferenceId, delegate.email)),
      manageTokenHash: hashManageToken(manageToken),
      now: metadata.now,
    });
    const status = await runCommand(command, {
      ...metadata,
      conferenceId,
      idempotency: (result) => idempotency.record(respond(result)),
    });
    return respond(status);
  }),
);
