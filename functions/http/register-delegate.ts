import { randomUUID } from 'node:crypto';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import { registrationGuards } from '../../domain/registration/invariants.js';
import { ConflictError } from '../../domain/shared/errors.js';
import { commandMetadata, toStoreGuard } from '../shared/commands/command.js';
import { AppendConflictError } from '../shared/event-store/event-store.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { eventStore, loadConference } from '../shared/event-store/stores.js';
import { hashManageToken, newManageToken } from '../shared/http/auth.js';
import { ServiceUnavailableError } from '../shared/http/errors.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { emailKeys } from '../shared/personal-data/personal-data.js';
import { registrationRequestSchema } from './api-schemas.js';

/** Whether the conference looked full at the last try here: the first guess of the next registration. */
const lastSeenFull = new Map<string, boolean>();

export const handler = httpRoute('public', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const { consent: _consent, ...delegate } = parseBody(request, registrationRequestSchema);
    const conference = await loadConference(conferenceId);
    const registrationId = randomUUID();
    const manageToken = newManageToken();
    const emailKey = await emailKeys().of(delegate.email);
    let seatAvailable = !lastSeenFull.get(conferenceId);

    // A seat guard refusal means the guess was wrong (or a seat was just taken or freed): decide again.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const metadata = commandMetadata(request);
      const events = registrationDecider.decide(
        {
          type: 'RegisterDelegate',
          registrationId,
          conferenceId,
          delegate,
          emailKey,
          manageTokenHash: hashManageToken(manageToken),
          seatAvailable,
          now: metadata.now,
        },
        registrationDecider.initialState,
      );
      const status = events[0]?.type === 'DelegateRegistered' ? 'registered' : 'waitlisted';
      const response = { status: 201, body: { registrationId, status, manageToken } };
      try {
        await eventStore().append({
          ...metadata,
          conferenceId,
          streams: [{ streamId: registrationStreamId(registrationId), expectedVersion: 0, events }],
          guards: registrationGuards({ conferenceId, registrationId }, conference.capacity, events).map(
            toStoreGuard,
          ),
          idempotency: idempotency.record(response),
        });
        lastSeenFull.set(conferenceId, !seatAvailable);
        return response;
      } catch (error) {
        if (!(error instanceof AppendConflictError) || error.idempotency) throw error;
        if (error.guard('email'))
          throw new ConflictError('This email address already has an active registration for the conference');
        if (!error.guard('seats')) throw error;
        seatAvailable = !seatAvailable;
      }
    }
    throw new ServiceUnavailableError('Seats kept changing while registering');
  }),
);
