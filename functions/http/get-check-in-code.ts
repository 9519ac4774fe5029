import { ConflictError } from '../../domain/shared/errors.js';
import { delegateRegistration } from '../shared/http/delegate-registration.js';
import { httpRoute } from '../shared/http/http.js';
import { checkInCodeOf } from '../shared/personal-data/check-in-code.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Reads the registration opened (its manage token's hash is in its personal part) and makes its code's MAC.
usePersonalData();

/** Holds a seat: has a check-in code. */
const SEAT_HOLDERS = new Set(['registered', 'checked-in']);

/**
 * `GET .../registrations/{registrationId}/check-in-code`: a seat holder's check-in code, the one its badge
 * prints, for the delegate's page to show as a QR code (CONTRACT 5.6); 409 without a seat, 410 once erased.
 */
export const handler = httpRoute('delegate', async (request) => {
  const { registration } = await delegateRegistration(request);
  if (!SEAT_HOLDERS.has(registration.status))
    throw new ConflictError(
      `Registration ${registration.registrationId} holds no seat: it has no check-in code`,
    );
  return {
    status: 200,
    body: {
      registrationId: registration.registrationId,
      checkInCode: await checkInCodeOf(registration.registrationId),
    },
    headers: { 'cache-control': 'no-store' },
  };
});
