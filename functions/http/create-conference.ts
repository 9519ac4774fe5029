import { randomUUID } from 'node:crypto';
import { conferenceDecider, conferenceStreamId } from '../../domain/conference/decider.js';
import { conferenceDetailsSchema } from '../../domain/conference/events.js';
import { commandMetadata } from '../shared/commands/command.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { eventStore } from '../shared/event-store/stores.js';
import { httpRoute, parseBody } from '../shared/http/http.js';

export const handler = httpRoute('organizer', (request) =>
  idempotent(request, async (idempotency) => {
    const details = parseBody(request, conferenceDetailsSchema);
    const conferenceId = randomUUID();
    const events = conferenceDecider.decide(
      { type: 'CreateConference', conferenceId, details },
      conferenceDecider.initialState,
    );
    const response = {
      status: 201,
      body: { conferenceId },
      headers: { location: `/conferences/${conferenceId}` },
    };
    await eventStore().append({
      ...commandMetadata(request),
      conferenceId,
      streams: [{ streamId: conferenceStreamId(conferenceId), expectedVersion: 0, events }],
      idempotency: idempotency.record(response),
    });
    return response;
  }),
);
