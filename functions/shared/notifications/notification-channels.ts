import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { adapter, type NotificationChannels } from '../runtime/adapters.js';
import { logger } from '../runtime/observability.js';

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
      await ses.send(new SendEmailCommand({ Content: { Raw: { Data: message } } }));
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
