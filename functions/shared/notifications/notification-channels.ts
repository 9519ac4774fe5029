import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { RateLimiter } from 'limiter';
import { env, SES_SEND_RATE } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { timeLeft } from '../resilience/policy.js';
import { type NotificationChannels, suppliedAdapter } from '../runtime/adapters.js';
import { DeliverAgainLater } from '../runtime/consumer.js';
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

/** The rate EMAIL_SEND_RATE sets (a positive number of emails a second), if it sets one. */
const rateSet = (): number | undefined => {
  const set = Number(process.env[env.emailSendRate]);
  return Number.isFinite(set) && set > 0 ? set : undefined;
};

/** Emails a second this process may send: EMAIL_SEND_RATE when set, else all of SES's rate. */
export const emailSendRate = (): number => rateSet() ?? SES_SEND_RATE;

/** The share of the sending rate the token bucket paces to. */
const PACE = 0.9;

/** SES refused for its sending rate (429): waited for and tried again, never dead-lettered for it. */
const isThrottled = (error: unknown): boolean => {
  // SES's error as sent on (EmailNotSentError keeps its name and status), or as SES threw it.
  const { name, httpStatusCode } =
    error instanceof EmailNotSentError
      ? { name: error.sesError, httpStatusCode: error.httpStatusCode }
      : {
          name: (error as { name?: string } | undefined)?.name,
          httpStatusCode: (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
            ?.httpStatusCode,
        };
  return (
    name === 'TooManyRequestsException' ||
    name === 'ThrottlingException' ||
    name === 'Throttling' ||
    httpStatusCode === 429
  );
};

/**
 * Emails paced to the sending rate by a token bucket (limiter's RateLimiter: one token every 1/(0.9 × rate) s,
 * waiters served in order), shared by everything this process sends: the notifier throttles itself and
 * SES never has to. Should SES still refuse for its rate (another sender on the account), the email
 * waits a second and is tried again while the invocation has time; past that, its event is handed back
 * to be delivered again later (DeliverAgainLater), as for any transient cause.
 */
const paced = (channels: NotificationChannels, rate: number): NotificationChannels => {
  // A tenth below the rate: an email leaves a moment after its token (composing, the request), and
  // that jitter must not put a fifteenth email into one of SES's seconds (the load proof counts them).
  const limiter = new RateLimiter({ tokensPerInterval: 1, interval: 1000 / (rate * PACE) });
  return {
    ...channels,
    async sendEmail(eventId, message) {
      for (;;) {
        await limiter.removeTokens(1);
        try {
          return await channels.sendEmail(eventId, message);
        } catch (error) {
          if (!isThrottled(error)) throw error;
          if (timeLeft() < 5_000) throw new DeliverAgainLater('SES refused for its sending rate');
          logger.warn('SES refused for its sending rate: waiting', { eventId });
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    },
  };
};

let channels: NotificationChannels | undefined;

/**
 * Amazon SES v2 and SNS in the cloud, whose emails leave at most at `emailSendRate()` a second. The local
 * runtime supplies files under DATA_DIR/outbox: no SES is behind them, so they are paced only when
 * EMAIL_SEND_RATE is set explicitly (the load proof sets it to SES's rate, to prove the pacing on them).
 */
export const notificationChannels = (): NotificationChannels => {
  if (!channels) {
    const supplied = suppliedAdapter('notificationChannels');
    const rate = rateSet();
    channels =
      supplied && rate === undefined ? supplied : paced(supplied ?? cloudChannels(), rate ?? SES_SEND_RATE);
  }
  return channels;
};

export const notificationSender = (): string =>
  process.env[env.notificationSender] ?? 'no-reply@learning-cities.local';
