/**
 * The command pipeline on DynamoDB Local, through the handlers: a command reads its streams' tips in one
 * request (never the events, while the tip has a usable snapshot), decides on the snapshot, writes the
 * tip with the events; a stale or broken snapshot is refolded from the events; a stream stored before
 * tips existed still works and gets its tip with its next append; and the twelve UNESCO awards granted
 * at once all get in.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStreamId } from '../../domain/agenda/decider.js';
import { conferenceStreamId } from '../../domain/conference/decider.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { emailGuardKey } from '../../domain/registration/invariants.js';
import { EventStore } from '../../functions/shared/event-store/event-store.js';
import { hashManageToken } from '../../functions/shared/http/auth.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { type Answer, type Harness, invoke, prepareProofEnvironment, routeNamed } from '../proof/harness.js';
import { type Handler, importRouteHandlers } from '../support/handler-environment.js';

let harness: Harness;
let http: Record<string, Handler>;
let store: EventStore;
/** The commands the handlers' DynamoDB client sent, by name, since the last reset. */
const sent: string[] = [];

const call = (name: string, params: Record<string, string>, body?: unknown): Promise<Answer> =>
  invoke(http[name] as Handler, routeNamed(name), params, {
    body,
    headers: { authorization: `Bearer ${harness.organizerToken}` },
  });

const created = (answer: Answer, field: string): string => {
  expect(answer.status, answer.text).toBe(201);
  return String(answer.json[field]);
};

const newConference = async () => created(await call('CreateConference', {}, iclc2015), 'conferenceId');
const newRegistration = async (conferenceId: string) =>
  created(
    await call(
      'RegisterDelegate',
      { conferenceId },
      { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
    ),
    'registrationId',
  );

const tipOf = async (streamId: string) => {
  const { Item } = await harness.tables.client.send(
    new GetItemCommand({
      TableName: harness.tables.streamState,
      Key: marshall({ pk: streamId, sk: 0 }),
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  const tip = unmarshall(Item);
  // The snapshot is stored as JSON text (one string attribute); a tip of old holds it as a map.
  return typeof tip.snapshot === 'string' ? { ...tip, snapshot: JSON.parse(tip.snapshot) } : tip;
};

const setSnapshot = (streamId: string, schema: string, snapshot: unknown) =>
  harness.tables.client.send(
    new UpdateItemCommand({
      TableName: harness.tables.streamState,
      Key: marshall({ pk: streamId, sk: 0 }),
      UpdateExpression: 'SET #snapshot = :snapshot, #schema = :schema',
      ExpressionAttributeNames: { '#snapshot': 'snapshot', '#schema': 'snapshotSchema' },
      ExpressionAttributeValues: marshall({ ':snapshot': snapshot, ':schema': schema }),
    }),
  );

/** An event item as appends before stream tips wrote it: no tip, nothing in the stream-state table. */
const putLegacyEvent = (
  streamId: string,
  version: number,
  conferenceId: string,
  type: string,
  data: object,
) =>
  harness.tables.client.send(
    new PutItemCommand({
      TableName: harness.tables.events,
      Item: marshall(
        {
          pk: streamId,
          sk: version,
          kind: 'event',
          eventId: randomUUID(),
          type,
          streamId,
          version,
          conferenceId,
          occurredAt: '2015-06-01T00:00:00.000Z',
          data,
          // Version 1 of every event type: what was written before personal data was sealed.
          metadata: { correlationId: 'legacy', schemaVersion: 1 },
          ...(type === 'ConferenceCreated' ? { catalog: 'conference' } : {}),
        },
        { removeUndefinedValues: true },
      ),
    }),
  );

const legacyConference = async () => {
  const conferenceId = randomUUID();
  await putLegacyEvent(conferenceStreamId(conferenceId), 1, conferenceId, 'ConferenceCreated', {
    conferenceId,
    ...iclc2015,
  });
  return conferenceId;
};

beforeAll(async () => {
  harness = await prepareProofEnvironment('command-pipeline');
  const { dynamoDb } = await import('../../functions/shared/runtime/config.js');
  dynamoDb().middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  store = new EventStore({
    client: harness.tables.client,
    tableName: harness.tables.events,
    stateTableName: harness.tables.streamState,
  });
  http = await importRouteHandlers();
});

afterAll(async () => {
  await harness?.dispose();
});

describe('stream tips', () => {
  it('are written with the events and read in one request instead of the stream', async () => {
    const conferenceId = await newConference();
    const registrationId = await newRegistration(conferenceId);
    expect(await tipOf(registrationStreamId(registrationId))).toMatchObject({
      kind: 'tip',
      version: 1,
      snapshotVersion: 1,
      snapshotSchema: 'registration.v2',
      snapshot: { status: 'registered', registrationId, conferenceId },
    });

    // Stored as JSON text: one string attribute rather than a nested map of the state's every field.
    const { Item } = await harness.tables.client.send(
      new GetItemCommand({
        TableName: harness.tables.streamState,
        Key: marshall({ pk: registrationStreamId(registrationId), sk: 0 }),
        ConsistentRead: true,
      }),
    );
    expect(Item?.snapshot?.S).toBeTypeOf('string');

    sent.length = 0;
    expect((await call('CheckInDelegate', { conferenceId, registrationId })).status).toBe(200);
    expect(sent).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(await tipOf(registrationStreamId(registrationId))).toMatchObject({
      version: 2,
      snapshotVersion: 2,
      snapshot: { status: 'checked-in' },
    });
    expect((await store.load(registrationStreamId(registrationId))).map((event) => event.type)).toEqual([
      'DelegateRegistered',
      'DelegateCheckedIn',
    ]);
  });

  it('decide on the snapshot they hold (the events are not read while it is usable)', async () => {
    const conferenceId = await newConference();
    const registrationId = await newRegistration(conferenceId);
    const tip = await tipOf(registrationStreamId(registrationId));
    // A snapshot that says more than the events: the command can only know it from the tip.
    await setSnapshot(registrationStreamId(registrationId), 'registration.v2', {
      ...tip?.snapshot,
      status: 'checked-in',
      checkedInAt: '2015-09-28T08:00:00.000Z',
    });
    const answer = await call('CheckInDelegate', { conferenceId, registrationId });
    expect(answer.status).toBe(409);
    expect(String(answer.json.detail)).toContain('already checked in');
  });

  it('are folded from the events when the snapshot is of an old format or does not pass its schema', async () => {
    const conferenceId = await newConference();
    const stale = await newRegistration(conferenceId);
    const broken = await newRegistration(conferenceId);
    const garbled = await newRegistration(conferenceId);
    const tip = await tipOf(registrationStreamId(stale));
    await setSnapshot(registrationStreamId(stale), 'registration.v0', {
      ...tip?.snapshot,
      status: 'checked-in',
    });
    await setSnapshot(registrationStreamId(broken), 'registration.v2', { status: 'no such status' });
    // Snapshot text that is not JSON at all.
    await setSnapshot(registrationStreamId(garbled), 'registration.v2', '{"status": "checked-in"');

    for (const registrationId of [stale, broken, garbled]) {
      sent.length = 0;
      expect((await call('CheckInDelegate', { conferenceId, registrationId })).status).toBe(200);
      expect(sent).toEqual(['BatchGetItemCommand', 'QueryCommand', 'TransactWriteItemsCommand']);
      // The next append wrote a snapshot of the current format.
      expect(await tipOf(registrationStreamId(registrationId))).toMatchObject({
        version: 2,
        snapshotSchema: 'registration.v2',
        snapshot: { status: 'checked-in' },
      });
    }
  });
});

describe('the conference a registration decides on', () => {
  it('is read once: the route reads it (for emailConfirmation) and the command decides on that read', async () => {
    const conferenceId = await newConference();
    await newRegistration(conferenceId);
    sent.length = 0;
    await newRegistration(conferenceId);
    expect(sent).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('is decided again on a fresh read when the read it was handed is refused', async () => {
    const conferenceId = await newConference();
    await newRegistration(conferenceId);
    // The settings change between the route's read and the transaction: a raise of capacity rewrites the
    // seat shards' stamp, which refuses a seat taken on the settings as read.
    const { loadStream } = await import('../../functions/shared/commands/pipeline.js');
    const { conferenceStream } = await import('../../functions/shared/commands/streams.js');
    const read = await loadStream(conferenceStream(conferenceId));
    expect(
      (await call('ChangeConferenceSettings', { conferenceId }, { capacity: iclc2015.capacity + 10 })).status,
    ).toBe(200);
    const { registerDelegate } = await import('../../functions/shared/commands/registrations.js');
    const { runCommand } = await import('../../functions/shared/commands/pipeline.js');
    const registrationId = randomUUID();
    sent.length = 0;
    const status = await runCommand(
      registerDelegate({
        conferenceId,
        registrationId,
        delegate: { ...delegate, email: `${randomUUID()}@example.org` },
        emailKey: randomUUID(),
        manageTokenHash: hashManageToken(randomUUID()),
        now: new Date().toISOString(),
        conferenceRead: read,
      }),
      { conferenceId, correlationId: randomUUID(), now: new Date().toISOString() },
    );
    expect(status).toBe('registered');
    // The handed read's decision refused by the stamp, the second decision on the tip read afresh.
    expect(sent.filter((name) => name === 'TransactWriteItemsCommand')).toHaveLength(2);
    expect(sent).toContain('BatchGetItemCommand');
  });

  it('is parsed and checked again whenever its snapshot differs from the one validated before', async () => {
    const conferenceId = await newConference();
    await newRegistration(conferenceId);
    const streamId = conferenceStreamId(conferenceId);
    const tip = await tipOf(streamId);
    // The same version, another snapshot (a window that closed): the decision sees it, not the one before.
    await setSnapshot(streamId, 'conference.v1', {
      ...tip?.snapshot,
      registrationClosesAt: '2015-01-01T00:00:00.000Z',
    });
    const closed = await call(
      'RegisterDelegate',
      { conferenceId },
      { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
    );
    expect(closed.status, closed.text).toBe(409);
    expect(String(closed.json.detail)).toContain('closed');
    // A snapshot that no longer passes its schema is refused as ever: the state is folded from the events.
    await setSnapshot(streamId, 'conference.v1', { ...tip?.snapshot, capacity: 'many' });
    sent.length = 0;
    await newRegistration(conferenceId);
    expect(sent).toContain('QueryCommand');
  });

  it('is one frozen state for every read of the same snapshot', async () => {
    const conferenceId = await newConference();
    const { loadStream } = await import('../../functions/shared/commands/pipeline.js');
    const { conferenceStream } = await import('../../functions/shared/commands/streams.js');
    await newRegistration(conferenceId);
    const first = await loadStream(conferenceStream(conferenceId));
    const second = await loadStream(conferenceStream(conferenceId));
    expect(second.state).toBe(first.state);
    expect(Object.isFrozen(first.state)).toBe(true);
    expect(() => {
      (first.state as { capacity?: number }).capacity = 1;
    }).toThrow(TypeError);
  });
});

describe('streams stored before tips', () => {
  it('are folded once; the next append writes their tip, and appends stay gap-free', async () => {
    const conferenceId = await legacyConference();
    const registrationId = randomUUID();
    const email = `${registrationId}@example.org`;
    await putLegacyEvent(registrationStreamId(registrationId), 1, conferenceId, 'DelegateWaitlisted', {
      ...delegate,
      email,
      registrationId,
      conferenceId,
      manageTokenHash: hashManageToken('legacy-token'),
      registeredAt: '2015-06-01T00:00:00.000Z',
    });
    // Its email guard, as it stands in the stream-state table once guards moved there.
    await harness.tables.client.send(
      new PutItemCommand({
        TableName: harness.tables.streamState,
        Item: marshall({
          pk: emailGuardKey(conferenceId, email),
          sk: 0,
          kind: 'guard',
          owner: registrationId,
        }),
      }),
    );
    expect(await tipOf(registrationStreamId(registrationId))).toBeUndefined();

    const answer = await call('CancelRegistration', { conferenceId, registrationId });
    expect(answer.status, answer.text).toBe(200);
    expect(await tipOf(registrationStreamId(registrationId))).toMatchObject({
      version: 2,
      snapshot: { status: 'cancelled' },
    });
    expect((await store.load(registrationStreamId(registrationId))).map((event) => event.version)).toEqual([
      1, 2,
    ]);
    expect((await call('CancelRegistration', { conferenceId, registrationId })).status).toBe(409);
  });

  it('are never taken for new: a session stored before tips is found, and holds its room once moved', async () => {
    const conferenceId = await legacyConference();
    const sessionId = randomUUID();
    const slot = { date: '2015-09-28', start: '10:00', end: '11:00', room: 'Sala Principal' };
    await putLegacyEvent(sessionStreamId(sessionId), 1, conferenceId, 'SessionScheduled', {
      sessionId,
      conferenceId,
      title: 'Opening plenary',
      type: 'plenary',
      ...slot,
      speakers: [{ name: 'Irina Bokova' }],
    });
    const moved = await call(
      'RescheduleSession',
      { conferenceId, sessionId },
      { start: '12:00', end: '13:00' },
    );
    expect(moved.status, moved.text).toBe(200);
    const clash = await call(
      'ScheduleSession',
      { conferenceId },
      { title: 'Workshop', type: 'workshop', ...slot, start: '12:30', end: '13:30', speakers: [] },
    );
    expect(clash.status, clash.text).toBe(409);
    expect(String(clash.json.detail)).toContain(sessionId);
    const cancel = await call('CancelSession', { conferenceId, sessionId });
    expect(cancel.status, cancel.text).toBe(200);
    expect((await store.load(sessionStreamId(sessionId))).map((event) => event.type)).toEqual([
      'SessionScheduled',
      'SessionRescheduled',
      'SessionCancelled',
    ]);
    expect(await tipOf(sessionStreamId(sessionId))).toMatchObject({ version: 3 });
  });
});

describe('awards', () => {
  const laureates2015 = [
    ['Melton', 'AU'],
    ['Sorocaba', 'BR'],
    ['Beijing', 'CN'],
    ['Bahir Dar', 'ET'],
    ['Espoo', 'FI'],
    ['Cork', 'IE'],
    ['Amman', 'JO'],
    ['Mexico City', 'MX'],
    ['Ybycuí', 'PY'],
    ['Balanga', 'PH'],
    ['Namyangju', 'KR'],
    ['Swansea', 'GB'],
  ] as const;

  it('the twelve UNESCO Learning City Awards granted at once all succeed, each once', async () => {
    const conferenceId = await newConference();
    const award = `UNESCO Learning City Award ${randomUUID().slice(0, 8)}`;
    const answers = await Promise.all(
      laureates2015.map(([city, country]) =>
        call('GrantAward', { conferenceId }, { award, year: 2015, city, country }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(laureates2015.map(() => 201));
    const listed = await call('ListAwards', { conferenceId });
    const awards = listed.json.awards as Array<{ city: string; awardId: string }>;
    expect(awards.map((granted) => granted.city).sort()).toEqual(laureates2015.map(([city]) => city).sort());
    expect(new Set(awards.map((granted) => granted.awardId))).toHaveProperty('size', 12);
    expect(await store.load(`awards-${conferenceId}`)).toHaveLength(12);
  });
});
