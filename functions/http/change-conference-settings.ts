import { conferenceSettingsChangeSchema } from '../../domain/conference/events.js';
import { commandMetadata } from '../shared/commands/command.js';
import { changeConferenceSettings } from '../shared/commands/conference.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const change = parseBody(request, conferenceSettingsChangeSchema);
    const metadata = commandMetadata(request);
    const respond = (body: unknown) => ({ status: 200, body });
    const conference = await runCommand(changeConferenceSettings(conferenceId, change, metadata.now), {
      ...metadata,
      conferenceId,
      idempotency: (result) => idempotency.record(respond(result)),
    });
    return respond(conference);
  }),
);
