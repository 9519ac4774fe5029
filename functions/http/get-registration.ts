import { registrationReadBack } from '../shared/commands/registration-read-back.js';
import { delegateRegistration } from '../shared/http/delegate-registration.js';
import { httpRoute } from '../shared/http/http.js';
import { checkInCodeOf } from '../shared/personal-data/check-in-code.js';
import { usePersonalData, useSensitiveData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data and its sensitive answers' key (infra/definitions).
useSensitiveData();
usePersonalData();

/** Holds a seat: has a check-in code, which the delegate's page shows as a QR code (CONTRACT 5.6). */
const SEAT_HOLDERS = new Set(['registered', 'checked-in']);

export const handler = httpRoute('delegate', async (request) => {
  const { registration, personal, sensitive } = await delegateRegistration(request);
  const readBack = registrationReadBack(registration, personal, sensitive);
  // The delegate's own page shows it; an organizer reads the registration as the list has it.
  const checkInCode =
    request.principal.kind === 'manage-token' && SEAT_HOLDERS.has(readBack.status)
      ? await checkInCodeOf(registration.registrationId)
      : undefined;
  return { status: 200, body: { ...readBack, ...(checkInCode ? { checkInCode } : {}) } };
});
