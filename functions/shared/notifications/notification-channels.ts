import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { adapter, type NotificationChannels } from '../runtime/adapters.js';
import { logger } from '../runtime/observability.js';

/**
 * An email SES did not send, as it may be logged: the SES error's name and code only. SES's own messages
 * quote addresses (`MessageRejected` names the rejected one) and prod keeps logs a year, so neither the
 * message nor the original error (as a cause) goes on: the log line says what failed, not to whom.
 */
export class EmailNotSentError extends Error {
  override name = 'EmailNotSentError';
  readonly sesError: string;
  readonly code: string | undefined;
  readonly httpStatusCode: number | undefined;

  constructor(failure: unknown) {
    const { name, Code, code, $metadata } = (failure ?? {}) as {
      name?: unknown;
      Code?: unknown;
      code?: unknown;
      $metadata?: { httpStatusCode?: unknown };
    };
    const sesError = typeof name === 'string' ? name : 'UnknownError';
    const errorCode = [Code, code].find((value): value is string => typeof value === 'string');
    super(
      `SES did not send the email: ${sesError}${errorCode && errorCode !== sesError ? ` (${errorCode})` : ''}`,
    );
    this.sesError = sesError;
    this.code = errorCode;
    this.httpStatusCode =
      typeof $metadata?.httpStatusCode === 'number' ? $metadata.httpStatusCode : undefined;
  }
}

const cloudChannels = (): NotificationChannels => {
  const ses = new SESv2Client(awsClientSettings());
  const sns = new SNSClient(awsClientSettings());
  return {
    async sendEmail(eventId, message) {
      // A dev stage deployed without notificationSender has no SES identity to send from.
      if (!process.env[env.notificationSender]) {
        logger.warn('Email not sent: this stage has no notificationSender', { eventId });
        return;
      }
      try {
        await ses.send(new SendEmailCommand({ Content: { Raw: { Data: message } } }));
      } catch (error) {
        throw new EmailNotSentError(error);
      }
    },
    async publishAgendaChange(change) {
      await sns.send(
        new PublishCommand({
          TopicArn: process.env[env.agendaChangesTopicArn],
          Message: JSON.stringify(change),
          MessageAttributes: { type: { DataType: 'String', StringValue: String(change.type) } },
        }),
      );
    },
  };
};

let channels: NotificationChannels | undefined;

/** Amazon SES v2 and SNS in the cloud; the local runtime supplies files under DATA_DIR/outbox. */
export const notificationChannels = (): NotificationChannels => {
  channels ??= adapter('notificationChannels', cloudChannels);
  return channels;
};

export const notificationSender = (): string =>
  process.env[env.notificationSender] ?? 'no-reply@learning-cities.local';
