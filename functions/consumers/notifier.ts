import {
  agendaChangeEventTypes,
  delegateEmail,
  noticeOf,
} from '../../domain/notifications/delegate-email.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { loadConference } from '../shared/commands/conference.js';
import { eventStore } from '../shared/event-store/stores.js';
import { composeEmail } from '../shared/notifications/mail.js';
import { notificationChannels, notificationSender } from '../shared/notifications/notification-channels.js';
import { once } from '../shared/notifications/once.js';
import { busConsumer } from '../shared/runtime/consumer.js';
import { logger } from '../shared/runtime/observability.js';

const agendaChanges = new Set<string>(agendaChangeEventTypes);

export const handler = busConsumer(async (envelope) => {
  const notice = noticeOf[envelope.type];
  if (notice) {
    // The registration as it was right after this event, so a late delivery still tells what happened then.
    const history = (await eventStore().load(
      registrationStreamId(String((envelope.data as { registrationId: string }).registrationId)),
      {
        toVersion: envelope.version,
      },
    )) as RegistrationEvent[];
    const registration = fold(registrationDecider, history);
    if (registration.status === 'none') throw new Error(`Registration of ${envelope.streamId} not found`);
    const conference = await loadConference(envelope.conferenceId);
    const message = await composeEmail(
      delegateEmail(notice, registration, conference),
      `${conference.acronym} <${notificationSender()}>`,
      { name: `${registration.givenName} ${registration.familyName}`, address: registration.email },
      `<${envelope.eventId}@learning-cities>`,
    );
    const outcome = await once(`email#${envelope.eventId}`, () =>
      notificationChannels().sendEmail(envelope.eventId, message),
    );
    logger.info('Delegate notified', { notice, outcome, registrationId: registration.registrationId });
    return;
  }
  if (agendaChanges.has(envelope.type)) {
    await once(`agenda-change#${envelope.eventId}`, () =>
      notificationChannels().publishAgendaChange({
        type: envelope.type,
        eventId: envelope.eventId,
        conferenceId: envelope.conferenceId,
        occurredAt: envelope.occurredAt,
        ...(envelope.data as object),
      }),
    );
  }
});
