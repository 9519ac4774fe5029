import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SES_SEND_RATE } from '../../infra/definitions/tables.js';

/**
 * The notifier's emails through SES (the cloud channel, SES mocked): paced by the token bucket, and a
 * refusal for SES's sending rate is waited out and tried again, never turned into a failed event.
 */
const ses = mockClient(SESv2Client);

describe('emails to SES', () => {
  beforeAll(() => {
    process.env.NOTIFICATION_SENDER = 'no-reply@example.org';
    process.env.AWS_REGION = 'eu-west-1';
  });
  afterAll(() => {
    ses.restore();
    delete process.env.NOTIFICATION_SENDER;
  });

  it('sends at SES_SEND_RATE unless told the share of this instance', async () => {
    const { emailSendRate } = await import('../../functions/shared/notifications/notification-channels.js');
    expect(emailSendRate()).toBe(SES_SEND_RATE);
    process.env.EMAIL_SEND_RATE = '2.8';
    expect(emailSendRate()).toBe(2.8);
    process.env.EMAIL_SEND_RATE = 'lots';
    expect(emailSendRate()).toBe(SES_SEND_RATE);
    delete process.env.EMAIL_SEND_RATE;
  });

  it('waits out a refusal for the sending rate and sends the email once it is accepted', async () => {
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} }))
      .resolves({ MessageId: 'sent' });
    const { notificationChannels } = await import(
      '../../functions/shared/notifications/notification-channels.js'
    );
    await expect(
      notificationChannels().sendEmail('event-1', Buffer.from('Subject: hi\r\n\r\nhello')),
    ).resolves.toBe(undefined);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('lets any other failure through at once (it is retried as the event, and dead-lettered if it lasts)', async () => {
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    const { notificationChannels } = await import(
      '../../functions/shared/notifications/notification-channels.js'
    );
    // Sent on by its SES error's name only (SES's messages quote addresses).
    await expect(notificationChannels().sendEmail('event-2', Buffer.from('x'))).rejects.toThrow(
      /MessageRejected/,
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });
});

/**
 * The local runtime's outbox (files, no SES behind them): not paced unless EMAIL_SEND_RATE is set
 * explicitly, then paced as SES is. The bucket's clock is vitest's fake one: what counts is how many
 * emails have left when the clock has moved, not how long anything took.
 */
describe('emails to a channel a runtime supplies (the local outbox)', () => {
  const sendFive = async () => {
    vi.resetModules();
    const { supplyAdapters } = await import('../../functions/shared/runtime/adapters.js');
    const sent: string[] = [];
    supplyAdapters({
      notificationChannels: {
        async sendEmail(eventId) {
          sent.push(eventId);
        },
        async publishAgendaChange() {},
      },
    });
    const { notificationChannels } = await import(
      '../../functions/shared/notifications/notification-channels.js'
    );
    const all = Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((id) => notificationChannels().sendEmail(id, Buffer.from('x'))),
    );
    return { sent, all };
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    delete process.env.EMAIL_SEND_RATE;
  });

  it('sends every email at once when EMAIL_SEND_RATE is not set', async () => {
    delete process.env.EMAIL_SEND_RATE;
    const { sent, all } = await sendFive();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    await all;
  });

  it('paces them to a tenth below EMAIL_SEND_RATE when it is set', async () => {
    // 0.9 × 10/9 = one email a second.
    process.env.EMAIL_SEND_RATE = String(10 / 9);
    const { sent, all } = await sendFive();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    await all;
  });
});
