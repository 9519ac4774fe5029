import type { Conference } from '../../domain/conference/decider.js';
import type { EventEnvelope } from '../../domain/events.js';
import { inviteeOf } from '../../domain/invitation/decider.js';
import { invitationNoticeOf } from '../../domain/invitation/events.js';
import {
  agendaChangeEventTypes,
  delegateEmail,
  delegateNoticeOf,
  movedAwayFrom,
  previousAddressEmail,
  type RejectionNotice,
  seatNotices,
} from '../../domain/notifications/delegate-email.js';
import { delegationEmail } from '../../domain/notifications/delegation-email.js';
import { invitationEmail } from '../../domain/notifications/invitation-email.js';
import {
  type VisaLetterDecision,
  visaLetterEmail,
  visaLetterNoticeOf,
} from '../../domain/notifications/visa-letter-email.js';
import { personalDataOf, registrationStreamId } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { conferenceLanguages, type Language } from '../../domain/shared/languages.js';
import { fullName } from '../../domain/shared/names.js';
import { visaLetterStreamId } from '../../domain/visa-letter/decider.js';
import type { VisaLetterEvent } from '../../domain/visa-letter/events.js';
import { openedVisaLetterOf } from '../../domain/visa-letter/letter.js';
import { loadConference } from '../shared/commands/conference.js';
import { loadInvitation, loadInvitationEvents } from '../shared/commands/invitations.js';
import { visaLetterDocumentOf } from '../shared/commands/visa-letters.js';
import { documentFonts } from '../shared/documents/fonts.js';
import type { VisaLetterDocument } from '../shared/documents/visa-letter.js';
import { openedEventStore } from '../shared/event-store/stores.js';
import { delegationToken } from '../shared/http/delegation-token.js';
import { invitationCodeOf } from '../shared/invitations/invitation-code.js';
import { type Attachment, composeEmail } from '../shared/notifications/mail.js';
import { notificationChannels, notificationSender } from '../shared/notifications/notification-channels.js';
import { once } from '../shared/notifications/once.js';
import { checkInCodeOf } from '../shared/personal-data/check-in-code.js';
import { eventCodec, usePersonalData } from '../shared/personal-data/personal-data.js';
import { publicApiUrl } from '../shared/runtime/config.js';
import { busConsumer, oncePerBatch } from '../shared/runtime/consumer.js';
import { logger } from '../shared/runtime/observability.js';

const agendaChanges = new Set<string>(agendaChangeEventTypes);

/** The conference as it is now, read once for all the emails of a batch (most are of one conference). */
const conferenceNow = oncePerBatch(loadConference);

/** The language a delegate is written to in: theirs (CONTRACT 5.4), else the conference's default. */
const delegateLanguage = (conference: Conference, delegate: { language?: string | undefined }): Language => {
  const { languages, defaultLanguage } = conferenceLanguages(conference);
  return languages.find((language) => language === delegate.language) ?? defaultLanguage;
};

/** The delegate's page (CONTRACT 5.6); its manage token travels only in the fragment, never in an email. */
const managePageOf = (conferenceId: string, registrationId: string) =>
  new URL(`conferences/${conferenceId}/registrations/${registrationId}/manage`, publicApiUrl()).href;

// Granted this registration's personal data (infra/definitions): its event store seals and opens it.
usePersonalData();

/** The registration's personal data now (the whole stream opened), or 'erased' / undefined. */
const delegateNow = async (registrationId: string) =>
  personalDataOf(
    (await openedEventStore().load(registrationStreamId(registrationId))) as RegistrationEvent[],
  );

/** The letter as a PDF. pdfkit and its fonts load with the first letter, not with every email (most are not). */
const printVisaLetter = async (document: VisaLetterDocument): Promise<Buffer> => {
  const { visaLetterPdf } = await import('../shared/documents/visa-letter.js');
  return visaLetterPdf(document, documentFonts());
};

/**
 * The email about a decision on a visa letter: the letter as its stream told it right after this event
 * (the PDF made from it, as GET visa-letter.pdf makes it), to the delegate as the registration is now.
 */
const notifyVisaLetterDecision = async (envelope: EventEnvelope, notice: 'issued' | 'declined') => {
  const registrationId = String((envelope.data as { registrationId: string }).registrationId);
  const delegate = await delegateNow(registrationId);
  const stream = (await openedEventStore().load(visaLetterStreamId(registrationId))) as VisaLetterEvent[];
  const history = stream.slice(0, envelope.version);
  if (history.length < envelope.version) throw new Error(`Visa letter of ${registrationId} not found`);
  const letter = openedVisaLetterOf(history);
  if (delegate === 'erased' || delegate === undefined || letter === undefined || 'unavailable' in letter) {
    logger.info('Delegate not notified: personal data erased', { notice, registrationId });
    return;
  }
  const conference = await conferenceNow(envelope.conferenceId);
  let decision: VisaLetterDecision;
  const attachments: Attachment[] = [];
  if (notice === 'issued') {
    if (letter.status !== 'issued')
      throw new Error(`Visa letter of ${registrationId} is not issued at version ${envelope.version}`);
    // The same letter as GET visa-letter.pdf prints, at the API's configured address.
    const document = visaLetterDocumentOf(conference, { ...letter, status: 'issued' }, publicApiUrl());
    const filename = `visa-letter-${conference.acronym}.pdf`;
    attachments.push({
      filename,
      contentType: 'application/pdf',
      content: await printVisaLetter(document),
    });
    decision = {
      notice,
      verificationCode: document.verificationCode,
      verificationUrl: document.verificationUrl,
      attachment: filename,
    };
  } else {
    decision = { notice, reason: letter.declineReason ?? '' };
  }
  const message = await composeEmail(
    visaLetterEmail(
      decision,
      { registrationId, ...delegate },
      conference,
      delegateLanguage(conference, delegate),
    ),
    `${conference.acronym} <${notificationSender()}>`,
    { name: fullName(delegate), address: delegate.email },
    `<${envelope.eventId}@learning-cities>`,
    attachments,
  );
  const outcome = await once(`email#${envelope.eventId}`, () =>
    notificationChannels().sendEmail(envelope.eventId, message),
  );
  logger.info('Delegate notified', { notice, outcome, registrationId });
};

/**
 * A correction that moved the registration to another address: the previous one is told too, first, so
 * that it is told even when the new address cannot be reached.
 */
const notifyPreviousAddress = async (
  envelope: EventEnvelope,
  registrationId: string,
  history: RegistrationEvent[],
  conference: Conference,
) => {
  const before = movedAwayFrom(history);
  if (!before) return;
  const messageId = `${envelope.eventId}-previous-address`;
  const message = await composeEmail(
    previousAddressEmail({ registrationId, ...before }, conference, delegateLanguage(conference, before)),
    `${conference.acronym} <${notificationSender()}>`,
    { name: fullName(before), address: before.email },
    `<${messageId}@learning-cities>`,
  );
  const outcome = await once(`email#${messageId}`, () =>
    notificationChannels().sendEmail(messageId, message),
  );
  logger.info('Delegate notified', { notice: 'previous-address', outcome, registrationId });
};

/**
 * The invitee's link: the conference's register page with the code in its query (`invitation=…`, CONTRACT
 * 5.3), which the page carries into the registration; the same page with `decline=1` to decline. The code
 * is made again from the invitation's id (a MAC): it is stored nowhere, not even in the event.
 */
const invitationLinksOf = async (conferenceId: string, invitationId: string) => {
  const page = new URL(`conferences/${conferenceId}/register`, publicApiUrl());
  page.searchParams.set('invitation', await invitationCodeOf(invitationId));
  const decline = new URL(page);
  decline.searchParams.set('decline', '1');
  return { register: page.href, decline: decline.href };
};

/**
 * An invitation or its reminder, to the invitee as the invitation now stands: none once its data is
 * erased, or when it is no longer pending (a reminder delivered after a revocation, say).
 */
const notifyInvitee = async (envelope: EventEnvelope, notice: 'invitation' | 'reminder') => {
  const invitationId = String((envelope.data as { invitationId: string }).invitationId);
  const invitee = inviteeOf(await loadInvitationEvents(invitationId));
  if (invitee === undefined || invitee === 'erased') {
    logger.info('Invitee not notified: personal data erased', { notice, invitationId });
    return;
  }
  const invitation = await loadInvitation(invitationId);
  if (invitation.status !== 'sent') {
    logger.info('Invitee not notified: the invitation is no longer pending', { notice, invitationId });
    return;
  }
  const conference = await conferenceNow(envelope.conferenceId);
  const message = await composeEmail(
    invitationEmail(
      notice,
      invitee,
      invitation,
      conference,
      delegateLanguage(conference, invitee),
      await invitationLinksOf(conference.conferenceId, invitationId),
    ),
    `${conference.acronym} <${notificationSender()}>`,
    {
      name:
        invitee.givenName !== undefined && invitee.familyName !== undefined
          ? fullName({ givenName: invitee.givenName, familyName: invitee.familyName })
          : '',
      address: invitee.email,
    },
    `<${envelope.eventId}@learning-cities>`,
  );
  const outcome = await once(`email#${envelope.eventId}`, () =>
    notificationChannels().sendEmail(envelope.eventId, message),
  );
  logger.info('Invitee notified', { notice, outcome, invitationId });
};

/** The rejection a history ends with, its message opened (the event's sealed personal part). */
const rejectionOf = (history: readonly RegistrationEvent[]): RejectionNotice | undefined => {
  const last = history.at(-1);
  if (last?.type !== 'RegistrationRejected') return undefined;
  const { reasonCode, personal } = last.data;
  const message = typeof personal === 'object' && 'message' in personal ? personal.message : undefined;
  return { reasonCode, ...(message === undefined ? {} : { message }) };
};

/**
 * The focal point of a new delegation gets its delegation link (CONTRACT 5.3): the token in the link's
 * fragment as `delegation=…`, made from the server's secret now (no event carries it), once per event.
 */
const notifyFocalPoint = async (envelope: EventEnvelope) => {
  const opened = await eventCodec(true).open(envelope);
  if (opened.type !== 'DelegationCreated') return;
  const { delegationId, name, quota, personal } = opened.data;
  if (typeof personal !== 'object' || 'unavailable' in personal) {
    logger.info('Focal point not notified: personal data erased', { delegationId });
    return;
  }
  const conference = await conferenceNow(envelope.conferenceId);
  const token = await delegationToken(envelope.conferenceId, delegationId);
  const link = new URL(
    `conferences/${envelope.conferenceId}/delegations/${delegationId}#delegation=${token}`,
    publicApiUrl(),
  ).href;
  const message = await composeEmail(
    delegationEmail({ name, quota }, personal, conference, delegateLanguage(conference, personal), link),
    `${conference.acronym} <${notificationSender()}>`,
    { name: fullName(personal), address: personal.email },
    `<${envelope.eventId}@learning-cities>`,
  );
  const outcome = await once(`email#${envelope.eventId}`, () =>
    notificationChannels().sendEmail(envelope.eventId, message),
  );
  logger.info('Focal point notified', { outcome, delegationId });
};

export const handler = busConsumer(
  async (envelope) => {
    if (envelope.type === 'DelegationCreated') return notifyFocalPoint(envelope);
    const invitationNotice = invitationNoticeOf[envelope.type];
    if (invitationNotice) return notifyInvitee(envelope, invitationNotice);
    const visaNotice = visaLetterNoticeOf[envelope.type];
    if (visaNotice) return notifyVisaLetterDecision(envelope, visaNotice);
    const notice = delegateNoticeOf(envelope);
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
      const conference = await conferenceNow(envelope.conferenceId);
      if (notice === 'details-changed')
        await notifyPreviousAddress(envelope, registrationId, history, conference);
      const checkInCode = seatNotices.includes(notice) ? await checkInCodeOf(registrationId) : undefined;
      const message = await composeEmail(
        delegateEmail(
          notice,
          { registrationId, ...then },
          conference,
          {
            language: delegateLanguage(conference, then),
            managePage: managePageOf(conference.conferenceId, registrationId),
          },
          checkInCode,
          notice === 'rejected' ? rejectionOf(history) : undefined,
        ),
        `${conference.acronym} <${notificationSender()}>`,
        { name: fullName(then), address: then.email },
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
  },
  // Emails of different streams do not wait for one another: a batch's reads and claims overlap (each
  // stream's own emails still in order); the pacing is shared, so the rate holds.
  { concurrentStreams: 5 },
);
