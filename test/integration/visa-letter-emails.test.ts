import { randomBytes, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, EventEnvelope } from '../../domain/events.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import {
  type VisaLetterCommand,
  visaLetterDecider,
  visaLetterStreamId,
} from '../../domain/visa-letter/decider.js';
import type { VisaLetterEvent, VisaLetterRequest } from '../../domain/visa-letter/events.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import {
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';
import { outboxMailsTo } from '../support/outbox.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { appendConference } from '../support/seed.js';
import { visaLetterFields } from '../support/visa-letter-fields.js';

/**
 * The Notifier emails a delegate once per decision on their visa letter: the issued letter as a PDF
 * attachment (read back by mailparser and pdf.js, its QR code by jsQR), the reason of a declined one; no
 * email once the registration is erased. The .eml files are those the local outbox adapter writes.
 */
const API = 'https://api.learning-cities.example/';
const conferenceId = randomUUID();
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };
let environment: HandlerEnvironment;
let store: EventStore;
let notifier: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;

const now = '2015-07-01T10:00:00.000Z';
const request = (tag: string): VisaLetterRequest => ({
  passportName: `KEBEDE ALEMU ${tag}`,
  passportNumber: `EP${tag}7`,
  nationality: 'ET',
  dateOfBirth: '1971-03-14',
  passportExpiresOn: '2029-11-17',
  placeOfIssue: 'Addis Ababa',
});

const append = (streamId: string, expectedVersion: number, events: DomainEvent[]) =>
  store.append({
    conferenceId,
    correlationId: 'visa-emails',
    now,
    streams: [{ streamId, expectedVersion, events }],
  });

const registered = async (n: number) => {
  const registrationId = randomUUID();
  const email = `visa${n}-${registrationId.slice(0, 6)}@example.org`;
  await append(
    registrationStreamId(registrationId),
    0,
    registrationDecider.decide(
      {
        type: 'RegisterDelegate',
        registrationId,
        conferenceId,
        delegate: { ...delegate, givenName: 'Tsehay', familyName: `Kebede${n}`, email },
        emailKey: testEmailKey(email),
        manageTokenHash: 'h',
        seatAvailable: true,
        now,
      },
      registrationDecider.initialState,
    ),
  );
  return { registrationId, email };
};

/** Runs visa letter commands on the registration's letter stream; returns the events written, sealed. */
const decide = async (registrationId: string, commands: VisaLetterCommand[]): Promise<EventEnvelope[]> => {
  const streamId = visaLetterStreamId(registrationId);
  for (const command of commands) {
    const history = (await store.load(streamId)) as VisaLetterEvent[];
    await append(
      streamId,
      history.length,
      visaLetterDecider.decide(command, fold(visaLetterDecider, history)),
    );
  }
  return store.load(streamId);
};

const context = { seatHolder: true, conferenceEndDate: iclc2015.endDate, signatory };

let messages = 0;
const deliver = async (event: EventEnvelope) => {
  messages++;
  const response = await notifier(
    { Records: [sqsRecord(event, `n${messages}`, { queue: 'Notifier', sentAt: 0 })] },
    lambdaContext(),
  );
  expect(response.batchItemFailures).toEqual([]);
};

const mailsTo = (address: string) => outboxMailsTo(environment.outbox, address);

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('visa-letter-emails', {
    logLevel: 'SILENT',
    env: { PUBLIC_API_URL: API, POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  store = storeWithCodec(environment.tables.client, environment.tables);
  await appendConference(store, conferenceId, {
    now,
    details: { ...iclc2015, visaLetterSignatory: signatory },
  });
  notifier = await importHandler<typeof notifier>('functions/consumers/notifier.ts');
});

describe('Notifier: visa letter emails', () => {
  it('sends the issued letter once, as a PDF an independent reader finds everything in, QR to the verification URL', async () => {
    const { registrationId, email } = await registered(1);
    const tag = randomBytes(3).toString('hex').toUpperCase();
    const asked = request(tag);
    const verificationCode = randomBytes(16).toString('base64url');
    const events = await decide(registrationId, [
      { type: 'RequestVisaLetter', registrationId, request: asked, context, now },
      { type: 'IssueVisaLetter', context, verificationCode, now: '2015-07-03T09:00:00.000Z' },
    ]);
    const issued = events.at(-1) as EventEnvelope;
    expect(issued.type).toBe('VisaLetterIssued');
    await deliver(events[0] as EventEnvelope); // a request is no email
    await deliver(issued);
    await deliver(issued);
    await deliver(issued);

    const mails = await mailsTo(email);
    expect(mails.map((m) => m.file)).toEqual([`${issued.eventId}.eml`]);
    const { mail } = mails[0] as (typeof mails)[number];
    expect(mail.subject).toBe('ICLC2015: Your letter of invitation for the visa application');
    const url = `${API}visa-letters/${verificationCode}`;
    expect(mail.text).toContain(url);
    expect(mail.text).toContain('Dear Tsehay Kebede1,');
    expect(mail.attachments).toHaveLength(1);
    const [pdf] = mail.attachments;
    expect(pdf?.contentType).toBe('application/pdf');
    expect(pdf?.filename).toBe('visa-letter-ICLC2015.pdf');
    const bytes = new Uint8Array(pdf?.content ?? []);
    expect(bytes.length).toBeLessThan(1_000_000);
    const [text = ''] = await pdfPagesText(bytes);
    const fields = visaLetterFields({
      conference: iclc2015,
      request: asked,
      nationality: 'Ethiopia (ET)',
      signatory,
      verificationCode,
    });
    for (const field of [...fields, 'as a registered delegate']) expect(text, field).toContain(field);
    expect(await decodeQrOnPage(bytes, 1)).toBe(url);
  });

  it('tells the reason of a decline, with no attachment', async () => {
    const { registrationId, email } = await registered(2);
    const reason = `The passport scan is unreadable ${randomBytes(2).toString('hex')}`;
    const events = await decide(registrationId, [
      { type: 'RequestVisaLetter', registrationId, request: request('D2'), context, now },
      { type: 'DeclineVisaLetter', reason, now },
    ]);
    await deliver(events.at(-1) as EventEnvelope);
    await deliver(events.at(-1) as EventEnvelope);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.mail.subject).toBe('ICLC2015: Your visa letter request was declined');
    expect(mails[0]?.mail.text).toContain(reason);
    expect(mails[0]?.mail.attachments).toEqual([]);
  });

  it('sends nothing once the registration is erased, however late the decision is delivered', async () => {
    const { registrationId, email } = await registered(3);
    const events = await decide(registrationId, [
      { type: 'RequestVisaLetter', registrationId, request: request('E3'), context, now },
      { type: 'IssueVisaLetter', context, verificationCode: randomBytes(16).toString('base64url'), now },
    ]);
    const stream = (await store.load(registrationStreamId(registrationId))) as RegistrationEvent[];
    await append(
      registrationStreamId(registrationId),
      stream.length,
      registrationDecider.decide(
        { type: 'ErasePersonalData', by: 'delegate', now },
        fold(registrationDecider, stream),
      ),
    );
    await deliver(events.at(-1) as EventEnvelope);
    expect(await mailsTo(email)).toEqual([]);
  });
});
