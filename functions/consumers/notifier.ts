import {
  agendaChangeEventTypes,
  delegateEmail,
  noticeOf,
  seatNotices,
} from '../../domain/notifications/delegate-email.js';
import { personalDataOf, registrationStreamId } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { loadConference } from '../shared/commands/conference.js';
import { openedEventStore } from '../shared/event-store/stores.js';
import { composeEmail } from '../shared/notifications/mail.js';
import { notificationChannels, notificationSender } from '../shared/notifications/notification-channels.js';
import { once } from '../shared/notifications/once.js';
import { checkInCodeOf } from '../shared/personal-data/check-in-code.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import { busConsumer } from '../shared/runtime/consumer.js';
import { logger } from '../shared/runtime/observability.js';

const agendaChanges = new Set<string>(agendaChangeEventTypes);

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

export const handler = busConsumer(async (envelope) => {
  const notice = noticeOf[envelope.type];
  if (notice) {
    const registrationId = String((envelope.data as { registrationId: string }).registrationId);
    // The whole stream, opened: an erased registration gets no email, however late or often its events
    // are delivered; the registration as it was right after this event tells what happened then.
    const stream = (await openedEventStore().load(
      registrationStreamId(registrationId),
    )) as RegistrationEvent[];
    const history = stream.slice(0, envelope.version);
    if (history.length < envelope.version) throw new Error(`Registration ${registrationId} not found`);
    const now = personalDataOf(stream);
    const then = personalDataOf(history);
    if (now === 'erased' || then === 'erased' || then === undefined) {
      logger.info('Delegate not notified: personal data erased', { notice, registrationId });
      return;
    }
    const conference = await loadConference(envelope.conferenceId);
    const checkInCode = seatNotices.includes(notice) ? await checkInCodeOf(registrationId) : undefined;
    const message = await composeEmail(
      delegateEmail(notice, { registrationId, ...then }, conference, checkInCode),
      `${conference.acronym} <${notificationSender()}>`,
      { name: `${then.givenName} ${then.familyName}`, address: then.email },
      `<${envelope.eventId}@learning-cities>`,
    );
    const outcome = await once(`email#${envelope.eventId}`, () =>
      notificationChannels().sendEmail(envelope.eventId, message),
    );
    logger.info('Delegate notified', { notice, outcome, registrationId });
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
