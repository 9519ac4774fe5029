import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DynamoDBClient,
  ScanCommand,
  type ScanCommandOutput,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EventEnvelope, parseEnvelope } from '../../domain/events.js';
import { toDelegateCounts } from '../../domain/projections/delegate-counts.js';
import {
  type RegistrationCommand,
  registrationDecider,
  registrationStreamId,
} from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { type EventCodec, personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys } from '../../functions/shared/personal-data/data-keys.js';
import { keyService } from '../../functions/shared/personal-data/key-service.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { delegateCountsProjection } from '../../functions/shared/projections/projections.js';
import {
  beginGeneration,
  deleteOldGenerations,
  PointerChangedError,
  RebuildInProgressError,
  type RebuildProgress,
  readPointer,
  rebuild,
  rebuildableProjections,
  rebuildTableOf,
  switchGeneration,
} from '../../functions/shared/projections/rebuild.js';
import { rules } from '../../infra/definitions/rules.js';
import { localClientConfig } from '../../local/aws-config.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { silentLogger } from '../../local/log.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { storeWithCodec, testEmailKey } from '../support/personal-data.js';
import { appendConference } from '../support/seed.js';

/**
 * The rebuild of read models on a running local stack (real projectors, bus and stream poller) over the
 * run's DynamoDB Local: the new generation equals the live one, the pointer switches only at the end,
 * and events that arrive while the rebuild runs are in the new generation exactly once.
 */

let dataDir: string;
let stack: LocalStack;
let client: DynamoDBClient;
let store: EventStore;
/** Opens personal parts, for the projections that read them (the registrant list). */
let codec: EventCodec;
const conferenceId = randomUUID();
const registrations: string[] = [];
let minute = 0;
const now = () => new Date(Date.UTC(2015, 8, 1, 8, minute++)).toISOString();

const projectors = new Set([
  'DelegateCountsProjector',
  'AgendaProjector',
  'WaitlistProcess',
  'VisaLettersProjector',
  'RegistrantListProjector',
  'AnswersSummaryProjector',
]);

const append = async (streamId: string, expectedVersion: number, events: RegistrationEvent[]) =>
  store.append({
    conferenceId,
    correlationId: 'rebuild-test',
    now: now(),
    streams: [{ streamId, expectedVersion, events }],
  });

const registrationEvents = async (registrationId: string) =>
  (await store.load(registrationStreamId(registrationId))) as EventEnvelope<RegistrationEvent>[];

/** Runs a command on a registration stream, by its deciders, at the stream's version. */
const change = async (registrationId: string, command: RegistrationCommand) => {
  const history = await registrationEvents(registrationId);
  const state = fold(registrationDecider, history);
  await append(
    registrationStreamId(registrationId),
    history.length,
    registrationDecider.decide(command, state),
  );
};

const register = async (index: number, seatAvailable = true) => {
  const registrationId = randomUUID();
  registrations.push(registrationId);
  await change(registrationId, {
    type: 'RegisterDelegate',
    registrationId,
    conferenceId,
    delegate: {
      ...delegate,
      email: `rebuild.${index}@example.org`,
      country: ['MX', 'FI', 'KR', 'GB', 'JO', 'PY'][index % 6] as string,
      category: (['mayor', 'academic', 'civil-society'] as const)[index % 3] ?? 'other',
    },
    emailKey: testEmailKey(`rebuild.${index}@example.org`),
    manageTokenHash: 'h',
    seatAvailable,
    now: now(),
  });
  return registrationId;
};

/** 1 conference and 36 registrations: seated, waitlisted then promoted or cancelled, checked in, cancelled. */
const writeHistory = async () => {
  await appendConference(store, conferenceId, { now: now(), correlationId: 'rebuild-test' });
  for (let i = 0; i < 36; i++) {
    // Nobody stays waitlisted, so that the waitlist process issues no promotions of its own.
    const id = await register(i, i % 4 !== 0);
    if (i % 4 === 0)
      await change(
        id,
        i % 8 === 0
          ? { type: 'PromoteWaitlistedDelegate', now: now() }
          : { type: 'CancelRegistration', by: 'delegate', now: now() },
      );
    if (i % 3 === 0 && i % 8 !== 4) await change(id, { type: 'CheckInDelegate', now: now() });
    if (i % 5 === 0 && i % 8 !== 4)
      await change(id, { type: 'CancelRegistration', by: 'organizer', now: now() });
  }
};

/** Every item of a generation of a projection, by `conferenceId sk`, zero counters left out. */
const generationItems = async (projection: string, generation: number) => {
  const items = new Map<string, unknown>();
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({
        TableName: rebuildTableOf(stack.tables, projection),
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: marshall({ ':prefix': `${projection}#g${generation}#` }),
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const { pk, sk, ...item } = unmarshall(raw);
      const conference = String(pk).slice(`${projection}#g${generation}#`.length);
      items.set(`${conference} ${sk}`, Object.fromEntries(Object.entries(item).filter(([, v]) => v !== 0)));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const countsOf = async (generation: number) => {
  const items = await generationItems(delegateCountsProjection.name, generation);
  return toDelegateCounts(
    conferenceId,
    iclc2015.capacity,
    (items.get(`${conferenceId} summary`) ?? {}) as never,
  );
};

const expectGenerationsEqual = async (a: number, b: number) => {
  for (const projection of rebuildableProjections) {
    const left = await generationItems(projection.name, a);
    const right = await generationItems(projection.name, b);
    expect(right.size, projection.name).toBe(left.size);
    expect(right, projection.name).toEqual(left);
  }
  expect(await countsOf(b)).toEqual(await countsOf(a));
};

/** A generation made independently: every stored event applied one by one, in a shuffled order. */
const referenceGeneration = async (generation: number) => {
  const events: EventEnvelope[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: stack.tables.events, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      if (item.kind === 'event') events.push(item as EventEnvelope);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  events.sort((a, b) => (a.eventId < b.eventId ? -1 : 1)); // random, as eventIds are
  const opened = storeWithCodec(client, stack.tables, { open: true });
  const codec = personalDataCodec({
    dataKeys: new DataKeys({ client, tableName: stack.tables.dataKeys, keyService: () => keyService() }),
    open: true,
  });
  for (const projection of rebuildableProjections) {
    // A projection of personal data gets its events opened, as its consumer does.
    const runner = new ProjectionRunner(projection, {
      client,
      tableName: rebuildTableOf(stack.tables, projection.name),
      store: projection.opensPersonalData ? opened : store,
    });
    for (const event of events)
      await runner.apply(
        projection.opensPersonalData ? await codec.open(parseEnvelope(event)) : event,
        generation,
      );
  }
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'rebuild-test-'));
  stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { endpoint: inject('dynamoDbEndpoint') },
    tablePrefix: `rebuild-${randomUUID().slice(0, 8)}-`,
    rules: rules.filter((rule) => projectors.has(rule.name)),
    retryDelay: { baseMs: 20, maxMs: 200 },
    logger: () => silentLogger,
  });
  client = new DynamoDBClient(localClientConfig(stack.dynamoDbEndpoint));
  store = storeWithCodec(client, stack.tables);
  codec = personalDataCodec({
    dataKeys: new DataKeys({ client, tableName: stack.tables.dataKeys, keyService: () => keyService() }),
    open: true,
  });
  await writeHistory();
  await stack.settled();
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('rebuild', () => {
  it('builds read models equal to the live ones, and switches the pointer only at the end', async () => {
    const live = await countsOf(1);
    expect(live.registered).toBeGreaterThan(15);
    expect(live.cancelled).toBeGreaterThan(3);
    expect(live.checkedIn).toBeGreaterThan(3);

    const pointers: Array<Awaited<ReturnType<typeof readPointer>>> = [];
    const result = await rebuild({
      client,
      tables: stack.tables,
      projections: rebuildableProjections,
      codec,
      pageSize: 7,
      afterPage: async () => {
        pointers.push(await readPointer(client, stack.tables.readModels, delegateCountsProjection.name));
      },
      beforeSwitch: async () => {
        pointers.push(await readPointer(client, stack.tables.readModels, delegateCountsProjection.name));
      },
    });

    expect(pointers.length).toBeGreaterThan(5);
    for (const pointer of pointers) expect(pointer).toMatchObject({ active: 1, building: 2 });
    expect(await readPointer(client, stack.tables.readModels, delegateCountsProjection.name)).toMatchObject({
      active: 2,
      building: undefined,
    });
    expect(result.changes).toEqual(
      rebuildableProjections.map((projection) => ({
        projection: projection.name,
        previous: 1,
        generation: 2,
      })),
    );
    expect(result.outcomes[delegateCountsProjection.name]?.applied).toBe(result.events);
    await expectGenerationsEqual(1, 2);
  }, 60_000);

  it('is exact when live events arrive during the rebuild', async () => {
    let pages = 0;
    let liveWrites: Promise<void> | undefined;
    const onPage = async (progress: RebuildProgress) => {
      pages++;
      if (pages === 1) {
        // New events on streams the scan has read or not yet, and new streams, delivered live meanwhile.
        liveWrites = (async () => {
          for (const [index, id] of registrations.slice(0, 12).entries()) {
            const state = fold(registrationDecider, await registrationEvents(id));
            if (state.status === 'registered')
              await change(
                id,
                index % 2
                  ? { type: 'CheckInDelegate', now: now() }
                  : { type: 'CancelRegistration', by: 'delegate', now: now() },
              );
          }
          for (let i = 100; i < 106; i++) await register(i);
        })();
      }
      if (pages === 4) {
        await liveWrites;
        await stack.settled(); // live delivery to generations 2 and 3 while the other segments scan on
      }
      expect(progress.events).toBeGreaterThan(0);
    };
    const before = await countsOf(2);
    const result = await rebuild({
      client,
      tables: stack.tables,
      projections: rebuildableProjections,
      codec,
      pageSize: 5,
      afterPage: onPage,
      beforeSwitch: async () => {
        await liveWrites;
        await stack.settled();
      },
    });
    expect(result.changes.every((change) => change.generation === 3)).toBe(true);

    const after = await countsOf(3);
    expect(after.registered).toBeGreaterThan(before.registered);
    expect(after.cancelled).toBeGreaterThan(before.cancelled);
    await expectGenerationsEqual(2, 3);
    // Whichever came second skipped what the other had applied: some events came both ways.
    const outcome = result.outcomes[delegateCountsProjection.name];
    expect((outcome?.applied ?? 0) + (outcome?.duplicate ?? 0)).toBe(result.events);
    await referenceGeneration(50);
    await expectGenerationsEqual(3, 50);
  }, 90_000);

  it('reads a row again when a live delivery changed it between the read and the write: counted once', async () => {
    const streams = await Promise.all(registrations.slice(0, 8).map(registrationEvents));
    const live = new ProjectionRunner(delegateCountsProjection, {
      client,
      tableName: stack.tables.readModels,
      store,
    });
    const racedStream = streams[3] as EventEnvelope[];
    let raced = 0;
    // The rebuild's client lets a live delivery of one stream's last event in right before its first write.
    const racing = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown, ...rest: unknown[]) => {
          if (command instanceof TransactWriteItemsCommand && raced++ === 0)
            expect(await live.apply(racedStream.at(-1) as EventEnvelope, 70)).toBe('applied');
          return (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
        };
      },
    });
    const rebuilding = new ProjectionRunner(delegateCountsProjection, {
      client: racing,
      tableName: stack.tables.readModels,
      store,
    });
    const outcome = await rebuilding.applyRuns(streams, 70);
    expect(raced).toBeGreaterThan(1); // refused once, written on the next attempt
    const events = streams.flat().length;
    expect(outcome).toEqual({
      applied: events - racedStream.length,
      duplicate: racedStream.length,
      ignored: 0,
    });

    for (const stream of streams) for (const event of stream) await live.apply(event, 71);
    expect(await generationItems(delegateCountsProjection.name, 70)).toEqual(
      await generationItems(delegateCountsProjection.name, 71),
    );
  });

  it('deletes the older generations, not the active one', async () => {
    const active = rebuildableProjections.map((projection) => ({
      projection: projection.name,
      previous: 2,
      generation: 3,
    }));
    const sizes = await Promise.all(rebuildableProjections.map((p) => generationItems(p.name, 3)));
    const deleted = await deleteOldGenerations({
      client,
      readModelsTable: stack.tables.readModels,
      personalReadModelsTable: stack.tables.personalReadModels,
      changes: active,
      pointerSettleMs: 0,
    });
    expect(deleted).toBeGreaterThan(0);
    for (const [index, projection] of rebuildableProjections.entries()) {
      expect((await generationItems(projection.name, 1)).size).toBe(0);
      expect((await generationItems(projection.name, 2)).size).toBe(0);
      expect(await generationItems(projection.name, 3)).toEqual(sizes[index]);
    }
    expect((await generationItems(delegateCountsProjection.name, 50)).size).toBeGreaterThan(0); // newer: kept
  });

  it('leaves the active generation as it was when a rebuild fails', async () => {
    const abort = new AbortController();
    await expect(
      rebuild({
        client,
        tables: stack.tables,
        projections: [delegateCountsProjection],
        pointerSettleMs: 0,
        pageSize: 5,
        signal: abort.signal,
        afterPage: () => abort.abort(new Error('stop here')),
      }),
    ).rejects.toThrow('stop here');
    const pointer = await readPointer(client, stack.tables.readModels, delegateCountsProjection.name);
    expect(pointer).toMatchObject({ active: 3, building: undefined, lastGeneration: 4 });
  });

  it('lets one rebuild at a time build a generation; --force takes over and the other cannot switch', async () => {
    const name = `race-${randomUUID().slice(0, 8)}`;
    const first = await beginGeneration(client, stack.tables.readModels, name);
    expect(first).toMatchObject({ previous: 1, generation: 2 });
    await expect(beginGeneration(client, stack.tables.readModels, name)).rejects.toThrow(
      RebuildInProgressError,
    );
    const second = await beginGeneration(client, stack.tables.readModels, name, { force: true });
    expect(second).toMatchObject({ previous: 1, generation: 3, supersedes: 2 });
    await expect(switchGeneration(client, stack.tables.readModels, name, 2)).rejects.toThrow(
      PointerChangedError,
    );
    await switchGeneration(client, stack.tables.readModels, name, 3);
    expect(await readPointer(client, stack.tables.readModels, name)).toMatchObject({
      active: 3,
      building: undefined,
    });
  });

  it('runs from the command line against the running DynamoDB Local', async () => {
    // A shell's environment, not the Lambda-like one the local stack gave this process.
    const { AWS_LAMBDA_MAX_CONCURRENCY: _lambda, ...shell } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/ops/rebuild.ts', 'delegate-counts', '--keep-old'],
      {
        env: {
          ...shell,
          DYNAMODB_PORT: new URL(stack.dynamoDbEndpoint).port,
          EVENTS_TABLE: stack.tables.events,
          READ_MODELS_TABLE: stack.tables.readModels,
          DATA_DIR: dataDir,
        },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('Rebuilding delegate-counts in the running DynamoDB Local');
    expect(stdout).toMatch(
      /Rebuilding: 100% \([\d,]+ of ~[\d,]+ items scanned\), [\d,]+ events, [\d,]+ events\/s/,
    );
    expect(stdout).toContain('delegate-counts: generation 5 is active (was 3)');
    expect(stdout).toContain('Older generations kept (--keep-old)');
    expect(await countsOf(5)).toEqual(await countsOf(3));
  }, 60_000);
});
