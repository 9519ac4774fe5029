import { loadRegistrationForm } from '../shared/commands/conference.js';
import { registrationFormBody } from '../shared/forms/registration-form.js';
import { httpRoute, pathId } from '../shared/http/http.js';

/** CONTRACT 5.2: the form in force (version 0 and no fields when none was put) and its JSON Schema. */
export const handler = httpRoute('public', async (request) => {
  const form = await loadRegistrationForm(pathId(request, 'conferenceId'));
  return { status: 200, body: registrationFormBody(form), headers: { 'cache-control': 'no-cache' } };
});
