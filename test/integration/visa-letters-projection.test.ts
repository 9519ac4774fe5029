import { randomBytes, randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, EventEnvelope } from '../../domain/events.js';
import type { VisaLetterListEntry } from '../../domain/projections/visa-letters.js';
import {
  personalDataOf,
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import {
  type VisaLetterCommand,
  visaLetterDecider,
  visaLetterStreamId,
} from '../../domain/visa-letter/decider.js';
import type { VisaLetterEvent, VisaLetterRequest } from '../../domain/visa-letter/events.js';
import { openedVisaLetterOf } from '../../domain/visa-letter/letter.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys } from '../../functions/shared/personal-data/data-keys.js';
import { keyService } from '../../functions/shared/personal-data/key-service.js';
import { visaLettersProjection } from '../../functions/shared/projections/projections.js';
import { POINTER_TTL_MS } from '../../functions/shared/projections/read-models.js';
import { rebuild } from '../../functions/shared/projections/rebuild.js';
import { delegate } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import {
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';
import { searchTables } from '../support/marker-search.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { threeTimesShuffled } from '../support/redeliveries.js';
import { appendConference } from '../support/seed.js';

/**
 * The visa letters read model on DynamoDB Local through the real consumer (functions/consumers/
 * visa-letters-projector.ts): exact whatever the order and number of deliveries, scrubbed on erasure
 * (even of a letter whose events the consumer can still open from its cached key), and rebuilt by
 * `rebuild` into the same list.
 */
let environment: HandlerEnvironment;
let sealing: EventStore;
let projector: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let queries: typeof import('../../functions/shared/projections/visa-letters.js');
const conferenceId = randomUUID();
const conferenceEndDate = '2015-09-30';
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };

interface Delegate {
  registrationId: string;
  request: VisaLetterRequest;
  letter: VisaLetterCommand['type'][];
  erased: boolean;
  verificationCode?: string;
}

const at = (minute: number) => new Date(Date.UTC(2015, 6, 1, 8, minute)).toISOString();

const markedRequest = (n: number): VisaLetterRequest => {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  return {
    passportName: `PASSNAME${tag} DELEGATE${n}`,
    passportNumber: `PN${tag}${n}X`,
    nationality: ['ET', 'MX', 'KR', 'FI'][n % 4] as string,
    dateOfBirth: '1971-03-14',
    passportExpiresOn: '2029-11-17',
    placeOfIssue: `Issueplace${tag}`,
  };
};

/** Histories of every shape: waiting, issued, declined, declined and asked again, none; some erased. */
const shapes: Array<Pick<Delegate, 'letter' | 'erased'>> = [
  { letter: ['RequestVisaLetter'], erased: false },
  { letter: ['RequestVisaLetter', 'IssueVisaLetter'], erased: false },
  { letter: ['RequestVisaLetter', 'DeclineVisaLetter'], erased: false },
  { letter: ['RequestVisaLetter', 'DeclineVisaLetter', 'RequestVisaLetter'], erased: false },
  { letter: [], erased: false },
  { letter: ['RequestVisaLetter', 'IssueVisaLetter'], erased: true },
  { letter: ['RequestVisaLetter'], erased: true },
];
const delegates: Delegate[] = Array.from({ length: 14 }, (_, n) => ({
  registrationId: randomUUID(),
  request: markedRequest(n),
  ...(shapes[n % shapes.length] as Pick<Delegate, 'letter' | 'erased'>),
}));

const append = (streamId: string, expectedVersion: number, events: DomainEvent[], minute: number) =>
  sealing.append({
    conferenceId,
    correlationId: 'visa-letters',
    now: at(minute),
    streams: [{ streamId, expectedVersion, events }],
  });

const writeRegistration = async (d: Delegate, n: number) => {
  const command: RegistrationCommand = {
    type: 'RegisterDelegate',
    registrationId: d.registrationId,
    conferenceId,
    delegate: {
      ...delegate,
      givenName: `Given${n}`,
      familyName: `Family${n}`,
      email: `v${n}-${d.registrationId}@example.org`,
    },
    emailKey: testEmailKey(`v${n}-${d.registrationId}@example.org`),
    manageTokenHash: 'h',
    seatAvailable: true,
    now: at(n),
  };
  await append(
    registrationStreamId(d.registrationId),
    0,
    registrationDecider.decide(command, registrationDecider.initialState),
    n,
  );
};

const writeLetter = async (d: Delegate, n: number) => {
  const history: VisaLetterEvent[] = [];
  const context = { seatHolder: true, conferenceEndDate, signatory };
  for (const [step, type] of d.letter.entries()) {
    const now = at(20 + n + step);
    const command: VisaLetterCommand =
      type === 'RequestVisaLetter'
        ? { type, registrationId: d.registrationId, request: d.request, context, now }
        : type === 'IssueVisaLetter'
          ? { type, context, verificationCode: randomBytes(16).toString('base64url'), now }
          : { type, reason: `Reason ${n}`, now };
    if (command.type === 'IssueVisaLetter') d.verificationCode = command.verificationCode;
    const events = visaLetterDecider.decide(command, fold(visaLetterDecider, history));
    await append(visaLetterStreamId(d.registrationId), history.length, events, 20 + n + step);
    history.push(...events);
  }
};

const writeErasure = async (d: Delegate, minute: number) => {
  const stream = (await sealing.load(registrationStreamId(d.registrationId))) as RegistrationEvent[];
  const events = registrationDecider.decide(
    { type: 'ErasePersonalData', by: 'delegate', now: at(minute) },
    fold(registrationDecider, stream),
  );
  await append(registrationStreamId(d.registrationId), stream.length, events, minute);
};

/** Every event of the conference as stored and published (personal parts sealed). */
const allEvents = async (): Promise<EventEnvelope[]> => {
  const events: EventEnvelope[] = [];
  for (const d of delegates) {
    events.push(...(await sealing.load(registrationStreamId(d.registrationId))));
    events.push(...(await sealing.load(visaLetterStreamId(d.registrationId))));
  }
  return events;
};

let messages = 0;
const deliver = async (events: readonly EventEnvelope[]) => {
  const response = await projector(
    {
      Records: events.map((event) => {
        messages++;
        return sqsRecord(event, `m${messages}`, { queue: 'VisaLettersProjector', sentAt: 0 });
      }),
    },
    lambdaContext(),
  );
  expect(response.batchItemFailures).toEqual([]);
};

/** The list as the event store tells it, computed here from the opened streams. */
const expectedList = async (
  statuses = ['requested', 'issued', 'declined'],
): Promise<VisaLetterListEntry[]> => {
  const opened = storeWithCodec(environment.tables.client, environment.tables, { open: true });
  const entries: VisaLetterListEntry[] = [];
  for (const d of delegates) {
    const person = personalDataOf(
      (await opened.load(registrationStreamId(d.registrationId))) as RegistrationEvent[],
    );
    const letter = openedVisaLetterOf(
      (await opened.load(visaLetterStreamId(d.registrationId))) as VisaLetterEvent[],
    );
    if (person === 'erased' || person === undefined || letter === undefined || 'unavailable' in letter)
      continue;
    if (!statuses.includes(letter.status)) continue;
    entries.push({
      registrationId: d.registrationId,
      givenName: person.givenName,
      familyName: person.familyName,
      nationality: letter.request.nationality,
      status: letter.status,
      requestedAt: letter.requestedAt,
      ...(letter.decidedAt ? { decidedAt: letter.decidedAt } : {}),
    });
  }
  return entries.sort(
    (a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.registrationId.localeCompare(b.registrationId),
  );
};

const markersOf = (d: Delegate) => [
  d.request.passportName,
  d.request.passportNumber.slice(0, -4),
  d.request.placeOfIssue ?? '',
];

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('visa-letters-projection', {
    logLevel: 'SILENT',
    env: { POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  sealing = storeWithCodec(environment.tables.client, environment.tables);
  await appendConference(sealing, conferenceId, { now: at(0) });
  for (const [n, d] of delegates.entries()) {
    await writeRegistration(d, n);
    await writeLetter(d, n);
  }
  projector = await importHandler<typeof projector>('functions/consumers/visa-letters-projector.ts');
  queries = await import('../../functions/shared/projections/visa-letters.js');
});

afterAll(async () => {
  await environment?.dispose();
});

describe('Visa letters read model (DynamoDB Local, the real consumer)', () => {
  it('an erased letter stays gone when its events are delivered again from a consumer that still holds the key', async () => {
    const [first] = delegates.filter((d) => d.erased && d.verificationCode);
    if (!first?.verificationCode) throw new Error('no erased issued letter in the fixture');
    // Delivered before the erasure: the consumer opens them, and caches the registration's data key.
    await deliver(await sealing.load(registrationStreamId(first.registrationId)));
    await deliver(await sealing.load(visaLetterStreamId(first.registrationId)));
    expect(await queries.letterVerifiedBy(first.verificationCode)).toMatchObject({ status: 'issued' });

    await writeErasure(first, 50);
    const erasure = (await sealing.load(registrationStreamId(first.registrationId))).at(-1) as EventEnvelope;
    expect(erasure.type).toBe('PersonalDataErased');
    await deliver([erasure]);
    // Delivered again: the key is still in the consumer's cache (it would open them), the row is closed.
    await deliver(await sealing.load(visaLetterStreamId(first.registrationId)));
    expect(await queries.letterVerifiedBy(first.verificationCode)).toBeUndefined();
    expect(
      (await queries.visaLettersOf(conferenceId, ['requested', 'issued', 'declined'])).map(
        (e) => e.registrationId,
      ),
    ).not.toContain(first.registrationId);
    expect(
      await searchTables(environment.tables.client, markersOf(first), [
        environment.tables.readModels,
        environment.tables.personalReadModels,
      ]),
    ).toEqual([]);
  });

  it('gives the list of the event store when every event arrives three times, shuffled and concurrently', async () => {
    for (const [n, d] of delegates.entries()) {
      const alreadyErased = (await sealing.load(registrationStreamId(d.registrationId))).some(
        (e) => e.type === 'PersonalDataErased',
      );
      if (d.erased && !alreadyErased) await writeErasure(d, 60 + n);
    }
    const history = await allEvents();
    const deliveries = threeTimesShuffled(history, 2015);
    for (let i = 0; i < deliveries.length; i += 12)
      await Promise.all([0, 1, 2].map((k) => deliver(deliveries.slice(i + k * 4, i + k * 4 + 4))));

    const expected = await expectedList();
    expect(expected.map((e) => e.status).sort()).toEqual(
      'requested,issued,declined,requested,requested,issued,declined,requested'.split(',').sort(),
    );
    expect(await queries.visaLettersOf(conferenceId, ['requested', 'issued', 'declined'])).toEqual(expected);
    expect(await queries.visaLettersOf(conferenceId, ['issued', 'declined'])).toEqual(
      await expectedList(['issued', 'declined']),
    );

    for (const d of delegates.filter((d) => d.verificationCode)) {
      const found = await queries.letterVerifiedBy(d.verificationCode as string);
      if (d.erased) expect(found).toBeUndefined();
      else
        expect(found).toMatchObject({
          status: 'issued',
          conferenceId,
          passportName: d.request.passportName,
          nationality: d.request.nationality,
          passportNumberLast4: d.request.passportNumber.slice(-4),
        });
    }
    expect(await queries.letterVerifiedBy(randomBytes(16).toString('base64url'))).toBeUndefined();
    const erasedMarkers = delegates.filter((d) => d.erased).flatMap(markersOf);
    expect(
      await searchTables(environment.tables.client, erasedMarkers, [
        environment.tables.readModels,
        environment.tables.personalReadModels,
      ]),
    ).toEqual([]);
    // The search finds what is there: the passport names of the others are in the read model.
    const kept = delegates.filter((d) => !d.erased && d.letter.length > 0).map((d) => d.request.passportName);
    expect(
      (
        await searchTables(environment.tables.client, kept, [
          environment.tables.readModels,
          environment.tables.personalReadModels,
        ])
      ).length,
    ).toBeGreaterThan(0);
    const codes = delegates.flatMap((d) => (d.verificationCode ? [d.verificationCode] : []));
    const { events, streamState, readModels, dataKeys, personalReadModels } = environment.tables;
    expect(
      await searchTables(environment.tables.client, codes, [
        events,
        streamState,
        readModels,
        dataKeys,
        personalReadModels,
      ]),
    ).toEqual([]);
  });

  it('is rebuilt from the event store (opened) into the same list and verifications', async () => {
    const before = await queries.visaLettersOf(conferenceId, ['requested', 'issued', 'declined']);
    const { client } = environment.tables;
    const lookupItems = async (generation: number) =>
      (
        await environment.tables.client.send(
          new ScanCommand({
            TableName: environment.tables.personalReadModels,
            FilterExpression: 'begins_with(pk, :lookup)',
            ExpressionAttributeValues: marshall({ ':lookup': `visa-letters#g${generation}#lookup#` }),
          }),
        )
      ).Items?.map((item) => unmarshall(item)) ?? [];
    const result = await rebuild({
      client,
      tables: environment.tables,
      projections: [visaLettersProjection],
      codec: personalDataCodec({
        dataKeys: new DataKeys({
          client,
          tableName: environment.tables.dataKeys,
          keyService: () => keyService(),
        }),
        open: true,
      }),
      pointerSettleMs: 0,
    });
    expect(result.changes).toEqual([{ projection: 'visa-letters', previous: 1, generation: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, POINTER_TTL_MS + 100)); // the queries' cached pointer
    expect(await queries.visaLettersOf(conferenceId, ['requested', 'issued', 'declined'])).toEqual(before);
    for (const d of delegates.filter((d) => d.verificationCode))
      expect((await queries.letterVerifiedBy(d.verificationCode as string))?.status).toBe(
        d.erased ? undefined : 'issued',
      );
    // A lookup item holds the row's key and a copy of its state, nothing else, live and rebuilt alike.
    const issuedAlive = delegates.filter((d) => d.verificationCode && !d.erased).length;
    for (const generation of [1, 2]) {
      const items = await lookupItems(generation);
      expect(items).toHaveLength(issuedAlive);
      for (const item of items) {
        expect(Object.keys(item).sort()).toEqual(['pk', 'row', 'sk', 'state']);
        expect(Object.keys(item.row).sort()).toEqual(['pk', 'sk']);
        expect(item.state).toMatchObject({ kind: 'letter', status: 'issued' });
      }
    }
    await expect(
      rebuild({
        client,
        tables: {
          events: environment.tables.events,
          readModels: environment.tables.readModels,
          personalReadModels: environment.tables.personalReadModels,
        },
        projections: [visaLettersProjection],
        pointerSettleMs: 0,
      }),
    ).rejects.toThrow(/needs personal data opened/);
  });
});
