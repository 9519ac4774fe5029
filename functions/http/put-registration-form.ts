import { formDefinitionSchema } from '../../domain/registration-form/form.js';
import { commandMetadata } from '../shared/commands/command.js';
import { changeRegistrationForm } from '../shared/commands/conference.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

/**
 * CONTRACT 5.2: a new version of the conference's registration form. A PUT: the same form put again is
 * the version in force, unchanged (no new version), so a retry is harmless without an Idempotency-Key.
 */
export const handler = httpRoute('organizer', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const definition = parseBody(request, formDefinitionSchema);
  const metadata = commandMetadata(request);
  const form = await runCommand(changeRegistrationForm(conferenceId, definition, metadata.now), {
    ...metadata,
    conferenceId,
  });
  return { status: 200, body: form };
});
