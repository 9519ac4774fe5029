import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { tracer } from '../runtime/observability.js';

/** Where notifications go: Amazon SES v2 and SNS in the cloud, files under DATA_DIR/outbox locally. */
export interface NotificationChannels {
  sendEmail(eventId: string, message: Buffer): Promise<void>;
  publishAgendaChange(change: Record<string, unknown>): Promise<void>;
}

const outboxChannels = (outbox: string): NotificationChannels => ({
  async sendEmail(eventId, message) {
    await mkdir(outbox, { recursive: true });
    // 'wx' refuses to overwrite: one file per event, whatever happens.
    await writeFile(join(outbox, `${eventId}.eml`), message, { flag: 'wx' });
  },
  async publishAgendaChange(change) {
    await mkdir(outbox, { recursive: true });
    await appendFile(join(outbox, 'agenda-changes.jsonl'), `${JSON.stringify(change)}\n`);
  },
});

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

export const notificationChannels = (): NotificationChannels => {
  const outbox = process.env[env.outboxDir];
  channels ??= outbox ? outboxChannels(outbox) : cloudChannels();
  return channels;
};

export const notificationSender = (): string =>
  process.env[env.notificationSender] ?? 'no-reply@learning-cities.local';
