import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../domain/events.js';
import { registrationDecider, registrationStreamId } from '../../domain/registration/decider.js';
import { personalDataErased, type RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { visaLetterDecider, visaLetterStreamId } from '../../domain/visa-letter/decider.js';
import type { VisaLetterEvent, VisaLetterRequest } from '../../domain/visa-letter/events.js';
import { openedVisaLetterOf } from '../../domain/visa-letter/letter.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import type { BusEvent } from '../../local/event-bus.js';
import { silentLogger } from '../../local/log.js';
import { type StreamPoller, startStreamPoller } from '../../local/stream-poller.js';
import { delegate } from '../domain/fixtures.js';
import { searchTables, searchTexts } from '../support/marker-search.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { createTestTables, type TestTables } from '../support/tables.js';

/**
 * CONTRACT 4.1 for visa letters: every field of a request is personal data, so the stored events, their
 * tips' snapshots and the events published from the table's stream (the real enrichment of the Pipe) hold
 * none of it in plaintext; read opened they give it back exactly; after erasure they open as the marker.
 */
let tables: TestTables;
let dataDir: string;
let poller: StreamPoller;
const published: BusEvent[] = [];

beforeAll(async () => {
  tables = await createTestTables('visa-letter-events');
  dataDir = await mkdtemp(join(tmpdir(), 'visa-letter-events-'));
  poller = await startStreamPoller({
    endpoint: tables.endpoint,
    tableName: tables.events,
    publish: (event) => {
      published.push(event);
    },
    deadLetterDir: join(dataDir, 'dead-letters'),
    logger: silentLogger,
  });
});

afterAll(async () => {
  await poller?.stop();
  tables?.client.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

const now = '2015-07-01T10:00:00.000Z';
const conferenceEndDate = '2015-09-30';
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };
const context = { conferenceId: 'c-visa', correlationId: 'visa-letter-events', now };

/** A request whose every field is a marker that can only come from it. */
const markedRequest = (): VisaLetterRequest => {
  const tag = randomBytes(4).toString('hex').toUpperCase();
  return {
    passportName: `PASSNAME${tag} MARKER`,
    passportNumber: `PN${tag}X`,
    nationality: 'ET',
    dateOfBirth: '1971-03-14',
    passportExpiresOn: '2029-11-17',
    placeOfIssue: `Issueplace${tag}`,
  };
};

/** The markers of a request: the free-text fields whole, the rare dates as written. */
const markersOf = (request: VisaLetterRequest, extra: string[] = []) => [
  request.passportName,
  request.passportNumber,
  request.placeOfIssue ?? '',
  request.dateOfBirth,
  request.passportExpiresOn,
  ...extra,
];

const append = async (
  store: EventStore,
  streamId: string,
  expectedVersion: number,
  events: DomainEvent[],
  snapshot?: { schema: string; state: unknown },
) =>
  store.append({
    ...context,
    streams: [{ streamId, expectedVersion, events, ...(snapshot ? { snapshot } : {}) }],
  });

const register = async (store: EventStore, registrationId: string) => {
  const events = registrationDecider.decide(
    {
      type: 'RegisterDelegate',
      registrationId,
      conferenceId: context.conferenceId,
      delegate: { ...delegate, email: `${registrationId}@example.org` },
      emailKey: testEmailKey(`${registrationId}@example.org`),
      manageTokenHash: 'a'.repeat(64),
      seatAvailable: true,
      now,
    },
    registrationDecider.initialState,
  );
  await append(store, registrationStreamId(registrationId), 0, events);
};

/** Request, decline, request again, issue: every visa letter event, each appended as the pipeline does. */
const letterHistory = async (store: EventStore, registrationId: string, request: VisaLetterRequest) => {
  const streamId = visaLetterStreamId(registrationId);
  const verificationCode = randomBytes(16).toString('base64url');
  const reason = `Declinereason${randomBytes(4).toString('hex')}`;
  const ctx = { seatHolder: true, conferenceEndDate, signatory };
  const commands = [
    { type: 'RequestVisaLetter' as const, registrationId, request, context: ctx, now },
    { type: 'DeclineVisaLetter' as const, reason, now },
    { type: 'RequestVisaLetter' as const, registrationId, request, context: ctx, now },
    { type: 'IssueVisaLetter' as const, context: ctx, verificationCode, now },
  ];
  const history: VisaLetterEvent[] = [];
  for (const command of commands) {
    const state = fold(visaLetterDecider, history);
    const events = visaLetterDecider.decide(command, state);
    await append(store, streamId, history.length, events, {
      schema: 'visa-letter.v1',
      state: events.reduce(visaLetterDecider.evolve, state),
    });
    history.push(...events);
  }
  return { streamId, verificationCode, reason, history };
};

const publishedOf = (streamId: string) =>
  published.filter((event) => (event.detail as { streamId?: string }).streamId === streamId);

describe('visa letter events in the event store and on the bus', () => {
  it('hold no field of the request, the code or the reason in plaintext, and open exactly as requested', async () => {
    const registrationId = randomUUID();
    const sealing = storeWithCodec(tables.client, tables);
    await register(sealing, registrationId);
    const request = markedRequest();
    const { streamId, verificationCode, reason } = await letterHistory(sealing, registrationId, request);
    await poller.caughtUp();

    const markers = markersOf(request, [verificationCode, reason]);
    expect(await searchTables(tables.client, markers, [tables.events, tables.streamState])).toEqual([]);
    const onTheBus = publishedOf(streamId);
    expect(onTheBus.map((event) => event['detail-type'])).toEqual([
      'VisaLetterRequested',
      'VisaLetterDeclined',
      'VisaLetterRequested',
      'VisaLetterIssued',
    ]);
    expect(
      searchTexts(
        onTheBus.map((event, i) => [`bus event ${i}`, JSON.stringify(event)]),
        markers,
      ),
    ).toEqual([]);
    for (const event of onTheBus) {
      const data = (event.detail as { data: { personal: unknown; registrationId: string } }).data;
      expect(data.personal).toEqual(expect.stringMatching(/^pd1\.1\./));
      expect(data.registrationId).toBe(registrationId);
    }
    expect((onTheBus[3]?.detail as { data: { signatory: unknown } } | undefined)?.data.signatory).toEqual(
      signatory,
    );

    // A reader not granted the data key gets the sealed parts only.
    const sealed = (await sealing.load(streamId)) as VisaLetterEvent[];
    expect(sealed.every((event) => typeof event.data.personal === 'string')).toBe(true);
    expect(fold(visaLetterDecider, sealed)).toMatchObject({ status: 'issued' });

    const opened = (await storeWithCodec(tables.client, tables, { open: true }).load(
      streamId,
    )) as VisaLetterEvent[];
    expect(opened[0]?.data.personal).toEqual(request);
    expect(opened[1]?.data.personal).toEqual({ reason });
    expect(openedVisaLetterOf(opened)).toEqual({
      registrationId,
      status: 'issued',
      request,
      requestedAt: now,
      decidedAt: now,
      signatory,
      verificationCode,
    });
  });

  it('a part sealed for one registration does not open as another registration’s', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const store = storeWithCodec(tables.client, tables);
    await register(store, first);
    await register(store, second);
    await letterHistory(store, first, markedRequest());
    const [original] = await store.load(visaLetterStreamId(first));
    const forged = { ...(original as VisaLetterEvent) };
    forged.data = { ...forged.data, registrationId: second };
    await append(store, visaLetterStreamId(second), 0, [
      { type: forged.type, data: forged.data } as DomainEvent,
    ]);
    await expect(
      storeWithCodec(tables.client, tables, { open: true }).load(visaLetterStreamId(second)),
    ).rejects.toThrow(/does not open/);
  });

  it('open as the erased marker once the registration is erased, and tell no letter any more', async () => {
    const registrationId = randomUUID();
    const store = storeWithCodec(tables.client, tables, { open: true });
    await register(store, registrationId);
    const request = markedRequest();
    const { streamId } = await letterHistory(store, registrationId, request);

    const registration = fold(
      registrationDecider,
      (await store.load(registrationStreamId(registrationId))) as RegistrationEvent[],
    );
    const erasure = registrationDecider.decide(
      { type: 'ErasePersonalData', by: 'delegate', now },
      registration,
    );
    await append(store, registrationStreamId(registrationId), 1, erasure);

    for (const open of [true, false]) {
      const events = (await storeWithCodec(tables.client, tables, { open }).load(
        streamId,
      )) as VisaLetterEvent[];
      expect(events).toHaveLength(4);
      if (open) {
        expect(events.map((event) => event.data.personal)).toEqual(Array(4).fill(personalDataErased));
        expect(openedVisaLetterOf(events)).toEqual(personalDataErased);
      } else expect(events.every((event) => typeof event.data.personal === 'string')).toBe(true);
    }
    // Nothing new can be sealed for it: its key is gone.
    await expect(
      append(
        store,
        streamId,
        4,
        visaLetterDecider.decide(
          {
            type: 'RequestVisaLetter',
            registrationId,
            request,
            context: { seatHolder: true, conferenceEndDate },
            now,
          },
          { status: 'declined', registrationId, requestedAt: now, decidedAt: now },
        ),
      ),
    ).rejects.toThrow(/erased/);
  });
});
