import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import { supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { localKeyService } from '../../local/personal-data-keys.js';
import { delegate } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { appendConference } from '../support/seed.js';
import { createTestTables } from '../support/tables.js';

/**
 * Issue 16, 4(c): SES's own error messages quote addresses (`MessageRejected` names the rejected one) and
 * prod keeps logs a year, so the notifier logs an SES failure by its name and code only. The real error
 * path: the notifier's cloud channel (no local outbox supplied) sends through an SESv2 client mocked to
 * refuse with a MessageRejected that quotes the delegate's address, a marker; the Powertools logger's
 * output is captured, and the marker must not be in it. Positive controls: the captured logs do hold the
 * failure (its name) and a marker logged on purpose, and SES was asked to send the marked address.
 */
const ses = mockClient(SESv2Client);
const marker = `marker-${randomUUID().slice(0, 8)}@example.org`;
const context = { conferenceId: 'c1', correlationId: 'ses-errors', now: '2015-09-01T10:00:00.000Z' };

let handler: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let registered: EventEnvelope;
let logger: { console: Console; info(message: string, extra?: object): void };

/** Everything the Powertools logger prints, at any level, while `run` runs. */
const captureLogs = async (run: () => Promise<unknown>): Promise<string> => {
  const printed: string[] = [];
  for (const level of ['debug', 'info', 'log', 'warn', 'error'] as const)
    vi.spyOn(logger.console, level).mockImplementation((...parts: unknown[]) => {
      printed.push(parts.map(String).join(' '));
    });
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return printed.join('\n');
};

beforeAll(async () => {
  const tables = await createTestTables('notifier-ses-errors');
  const dataDir = mkdtempSync(join(tmpdir(), 'notifier-ses-errors-'));
  // Only the key service is supplied: the notifier sends through its cloud channel, SES v2.
  supplyAdapters({ keyService: await localKeyService(dataDir) });
  Object.assign(process.env, {
    EVENTS_TABLE: tables.events,
    STREAM_STATE_TABLE: tables.streamState,
    READ_MODELS_TABLE: tables.readModels,
    DATA_KEYS_TABLE: tables.dataKeys,
    DYNAMODB_ENDPOINT: tables.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    NOTIFICATION_SENDER: 'registration@learning-cities.example',
    // The links of the emails (the manage page's), as the stack gives every consumer (infra/constructs/consumers.ts).
    PUBLIC_API_URL: 'https://api.example.org/',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  const store = storeWithCodec(tables.client, tables);
  await appendConference(store, 'c1', context);
  const markedDelegate = { ...delegate, email: marker };
  [registered] = (await store.append({
    ...context,
    streams: [
      {
        streamId: registrationStreamId('r1'),
        expectedVersion: 0,
        events: registrationDecider.decide(
          {
            type: 'RegisterDelegate',
            registrationId: 'r1',
            conferenceId: 'c1',
            delegate: markedDelegate,
            emailKey: testEmailKey(marker),
            manageTokenHash: 'h',
            seatAvailable: true,
            now: context.now,
          },
          { status: 'none' },
        ),
      },
    ],
  })) as [EventEnvelope];
  const module = (await import('../../functions/consumers/notifier.js')) as unknown as {
    handler: typeof handler;
  };
  handler = module.handler;
  logger = (await import('../../functions/shared/runtime/observability.js'))
    .logger as unknown as typeof logger;
});

afterEach(() => {
  vi.restoreAllMocks();
  ses.reset();
});

const deliver = (messageId: string) =>
  handler(
    {
      Records: [sqsRecord(registered, messageId, { queue: 'Notifier', receiptHandle: messageId, sentAt: 0 })],
    },
    lambdaContext(),
  );

describe('Notifier, when SES refuses an email', () => {
  it('logs the SES error by name and code, never the address SES quotes', async () => {
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message: `Email address is not verified. The following identities failed the check in region EU-WEST-1: ${marker}`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    let thrown: unknown;
    const logged = await captureLogs(async () => {
      // The positive control of the capture: a marker logged on purpose, through the same logger.
      logger.info('capture control', { control: `${marker}-control` });
      thrown = await deliver('m1').then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    // A batch whose every record failed is thrown (Powertools' FullBatchFailureError): the Lambda runtime
    // logs what the handler throws, so that error, with its record errors, counts as logged too.
    expect(thrown).toBeInstanceOf(Error);
    const logs = `${logged}\n${inspect(thrown, { depth: 6 })}`;

    // The real error path ran: SES was asked to send to the marked address, and refused.
    const sent = ses.commandCalls(SendEmailCommand);
    expect(sent.length).toBeGreaterThan(0);
    const raw = Buffer.from(sent[0]?.args[0].input.Content?.Raw?.Data ?? new Uint8Array()).toString('utf8');
    expect(raw).toContain(marker);

    // The capture sees the logger's lines: the control marker and the failure, by its name.
    expect(logs).toContain(`${marker}-control`);
    expect(logs).toContain('MessageRejected');
    // And nothing else of the marker: the address SES quoted is not logged.
    expect(logs.replaceAll(`${marker}-control`, '')).not.toContain(marker);
    expect(logs.replaceAll(`${marker}-control`, '')).not.toContain(marker.split('@')[0]);
  });
});
