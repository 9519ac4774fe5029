import { randomBytes } from 'node:crypto';
import { commandMetadata } from '../shared/commands/command.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { issueVisaLetter } from '../shared/commands/visa-letters.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): the verification code is sealed under its key.
usePersonalData();

/** 128 bits from the system's CSPRNG: a code that reveals nothing and cannot be guessed or enumerated. */
const VERIFICATION_CODE_BYTES = 16;

/** CONTRACT 4.4: an organizer issues the requested letter, signed by the conference's signatory. */
export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const registrationId = pathId(request, 'registrationId');
    const verificationCode = randomBytes(VERIFICATION_CODE_BYTES).toString('base64url');
    const metadata = commandMetadata(request);
    const response = { status: 200, body: { registrationId, status: 'issued', verificationCode } };
    const command = issueVisaLetter(
      { conferenceId, registrationId, now: metadata.now, authorize: () => undefined },
      verificationCode,
    );
    await runCommand(command, { ...metadata, conferenceId, idempotency: () => idempotency.record(response) });
    return response;
  }),
);
