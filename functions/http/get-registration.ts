import { registrationReadBack } from '../shared/commands/registration-read-back.js';
import { delegateRegistration } from '../shared/http/delegate-registration.js';
import { httpRoute } from '../shared/http/http.js';
import { usePersonalData, useSensitiveData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data and its sensitive answers' key (infra/definitions).
useSensitiveData();
usePersonalData();

export const handler = httpRoute('delegate', async (request) => {
  const { registration, personal, sensitive } = await delegateRegistration(request);
  return { status: 200, body: registrationReadBack(registration, personal, sensitive) };
});
