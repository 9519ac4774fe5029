import { randomUUID } from 'node:crypto';
import type { Conference } from '../../../domain/conference/decider.js';
import type { EmailContent } from '../../../domain/notifications/delegate-email.js';
import { composeEmail } from '../notifications/mail.js';
import { notificationChannels, notificationSender } from '../notifications/notification-channels.js';
import { logger } from '../runtime/observability.js';
import { takeEmailSlot } from './email-rate.js';

/**
 * Sends one email of a registration request or a manage link (CONTRACT 5.1) if the address's rate allows
 * it (email-rate.ts); past the rate, nothing is sent and the caller answers the same. The function answering
 * the request sends it itself: the email carries a secret (a request token, a manage token) that no event
 * may carry (CONTRACT 4.1), so the notifier never sees it. Logs name the kind of email, never the address.
 */
export const sendRateLimited = async (
  conference: Conference,
  emailKey: string,
  to: { name: string; address: string },
  kind: string,
  /** The email; undefined when, after all, there is nothing to send (the slot then stays taken). */
  content: () => Promise<EmailContent | undefined> | EmailContent,
  now: Date,
): Promise<boolean> => {
  if (!(await takeEmailSlot(conference.conferenceId, emailKey, now))) {
    logger.info('Email left out: the address had its emails of the hour', { kind });
    return false;
  }
  const email = await content();
  if (!email) return false;
  const messageId = randomUUID();
  const message = await composeEmail(
    email,
    `${conference.acronym} <${notificationSender()}>`,
    to,
    `<${messageId}@learning-cities>`,
  );
  await notificationChannels().sendEmail(messageId, message);
  logger.info('Email sent', { kind });
  return true;
};
