import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { adapter, type NotificationChannels } from '../runtime/adapters.js';
import { tracer } from '../runtime/observability.js';

const cloudChannels = (): NotificationChannels => {
  const ses = tracer.captureAWSv3Client(new SESv2Client(awsClientSettings()));
  const sns = tracer.captureAWSv3Client(new SNSClient(awsClientSettings()));
  return {
    async sendEmail(_eventId, message) {
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
