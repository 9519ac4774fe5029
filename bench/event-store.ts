/**
 * `npm run bench:event-store`: 650 registrations (a conference of 600 seats) at concurrency 50, no HTTP,
 * on one in-memory DynamoDB Local, after a warm-up pass, in rounds whose order rotates:
 * - ours as the register handler runs it (invoked directly: validation, decide, guards, one append);
 * - ours like-for-like: the same plus a read of the conference's stream first (Query + TransactWriteItems,
 *   as the two baselines do) — the goal is judged on this one;
 * - raw: Query + TransactWriteItems pairs straight to DynamoDB Local (bench/support/raw-loop.ts);
 * - Castore's DynamoDB adapter: getAggregate, then pushEventGroup of the registration and an
 *   email-uniqueness aggregate.
 * Writes the `event-store` section of docs/benchmarks.md.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore as CastoreEventStore, EventType } from '@castore/core';
import { DynamoDBSingleTableEventStorageAdapter } from '@castore/event-storage-adapter-dynamodb';
import { conferenceDecider, conferenceStreamId } from '../domain/conference/decider.js';
import { routes } from '../infra/definitions/routes.js';
import { eventsTable } from '../infra/definitions/tables.js';
import { createTables } from '../local/create-tables.js';
import { iclc2015 } from '../test/domain/fixtures.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { delegateBody, type RegistrationBody } from './support/delegates.js';
import { apiEvent, type HttpHandler, lambdaContext } from './support/lambda-events.js';
import { benchClient, countRoundTrips, handlerTables, withDynamoDbLocal } from './support/local-dynamodb.js';
import { rawLoop } from './support/raw-loop.js';
import { machineLine, table } from './support/report.js';
import { median, pool, ratio, seconds, timed, verdict } from './support/stats.js';

const DELEGATES = 650;
const CAPACITY = 600;
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL = 1.15;

interface Variant {
  id: string;
  label: string;
  /** Makes a new conference (or whatever the variant needs) for one pass; returns its id. */
  prepare(): Promise<string>;
  register(conferenceId: string, body: RegistrationBody): Promise<void>;
  roundTrips(): { reset(): void; total: number; describe(): string; latencies(): string };
}

const createCastoreTable = (client: DynamoDBClient, TableName: string) =>
  client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'aggregateId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
        { AttributeName: 'eventStoreId', AttributeType: 'S' },
        { AttributeName: 'timestamp', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'aggregateId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      // As ours: a stream carries the events on (Castore's adapter ships an ImageParser for it).
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'initialEvents',
          KeySchema: [
            { AttributeName: 'eventStoreId', KeyType: 'HASH' },
            { AttributeName: 'timestamp', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );

const castoreVariant = (client: DynamoDBClient, tableName: string) => {
  const adapter = new DynamoDBSingleTableEventStorageAdapter({ tableName, dynamoDBClient: client });
  type Registered = Omit<RegistrationBody, 'consent'> & {
    registrationId: string;
    conferenceId: string;
    manageTokenHash: string;
    registeredAt: string;
  };
  const delegateRegistered = new EventType<'DelegateRegistered', Registered>({ type: 'DelegateRegistered' });
  const emailClaimed = new EventType<'EmailClaimed', { registrationId: string }>({ type: 'EmailClaimed' });
  const registrations = new CastoreEventStore({
    eventStoreId: 'REGISTRATIONS',
    eventTypes: [delegateRegistered],
    reducer: (_aggregate, event) => ({
      aggregateId: event.aggregateId,
      version: event.version,
      ...event.payload,
    }),
    eventStorageAdapter: adapter,
  });
  const conferenceCreated = new EventType<'ConferenceCreated', { name: string; capacity: number }>({
    type: 'ConferenceCreated',
  });
  const conferences = new CastoreEventStore({
    eventStoreId: 'CONFERENCES',
    eventTypes: [conferenceCreated],
    reducer: (_aggregate, event) => ({
      aggregateId: event.aggregateId,
      version: event.version,
      ...event.payload,
    }),
    eventStorageAdapter: adapter,
  });
  const emails = new CastoreEventStore({
    eventStoreId: 'EMAILS',
    eventTypes: [emailClaimed],
    reducer: (_aggregate, event) => ({
      aggregateId: event.aggregateId,
      version: event.version,
      ...event.payload,
    }),
    eventStorageAdapter: adapter,
  });
  const prepare = async () => {
    const conferenceId = randomUUID();
    await conferences.pushEvent({
      aggregateId: conferenceId,
      version: 1,
      type: 'ConferenceCreated',
      payload: { name: 'Castore baseline', capacity: CAPACITY },
    });
    return conferenceId;
  };
  // As the other paths: read the conference (its capacity decides), append the registration and its email.
  const register = async (conferenceId: string, body: RegistrationBody) => {
    const registrationId = randomUUID();
    const { aggregate } = await conferences.getAggregate(conferenceId);
    if (!aggregate) throw new Error(`No conference ${conferenceId}`);
    const version = 1;
    const { consent: _consent, ...delegate } = body;
    await CastoreEventStore.pushEventGroup(
      registrations.groupEvent({
        aggregateId: registrationId,
        version,
        type: 'DelegateRegistered',
        payload: {
          ...delegate,
          registrationId,
          conferenceId,
          manageTokenHash: 'x'.repeat(64),
          registeredAt: new Date().toISOString(),
        },
      }),
      emails.groupEvent({
        aggregateId: `${conferenceId}#${body.email.toLowerCase()}`,
        version: 1,
        type: 'EmailClaimed',
        payload: { registrationId },
      }),
    );
  };
  return { prepare, register };
};

const main = () =>
  withDynamoDbLocal(async (dynamo) => {
    const client = benchClient(dynamo.endpoint);
    await handlerTables(client, dynamo.endpoint, 'bench-ours-');
    const rawTables = await createTables(client, { prefix: 'bench-raw-', definitions: [eventsTable] });
    const castoreTable = 'bench-castore-Events';
    await createCastoreTable(client, castoreTable);
    const { dynamoDb } = await import('../functions/shared/runtime/config.js');
    const { eventStore } = await import('../functions/shared/event-store/stores.js');
    const route = routes.find((r) => r.name === 'RegisterDelegate');
    if (!route) throw new Error('No RegisterDelegate route');
    const { handler } = (await import(`../${route.entry.replace(/\.ts$/, '.js')}`)) as {
      handler: HttpHandler;
    };

    // One client for every path, the handlers' own (functions/shared/runtime/config.ts), so that all share its settings
    // and its connection pool.
    const shared = dynamoDb();
    const oursTrips = countRoundTrips(shared);
    const clientTrips = oursTrips;
    const floor = rawLoop(shared, rawTables[eventsTable.id] ?? '');
    const floorWithoutSeats = rawLoop(shared, rawTables[eventsTable.id] ?? '', { seats: false });
    const castore = castoreVariant(shared, castoreTable);

    const newConference = async () => {
      const conferenceId = randomUUID();
      await eventStore().append({
        conferenceId,
        correlationId: 'bench',
        now: new Date().toISOString(),
        streams: [
          {
            streamId: conferenceStreamId(conferenceId),
            expectedVersion: 0,
            events: conferenceDecider.decide(
              { type: 'CreateConference', conferenceId, details: { ...iclc2015, capacity: CAPACITY } },
              conferenceDecider.initialState,
            ),
          },
        ],
      });
      return conferenceId;
    };
    const viaHandler = async (conferenceId: string, body: RegistrationBody) => {
      const result = await handler(apiEvent(route, { conferenceId }, body), lambdaContext(route.name));
      if (result.statusCode !== 201) throw new Error(`register: ${result.statusCode} ${result.body}`);
    };

    const variants: Variant[] = [
      {
        id: 'ours-like-for-like',
        label: 'ours, like-for-like: conference stream read + register handler path',
        prepare: newConference,
        register: async (conferenceId, body) => {
          await eventStore().load(conferenceStreamId(conferenceId));
          await viaHandler(conferenceId, body);
        },
        roundTrips: () => oursTrips,
      },
      {
        id: 'ours',
        label: 'ours, as the handler runs it (conference cached per execution environment)',
        prepare: newConference,
        register: viaHandler,
        roundTrips: () => oursTrips,
      },
      {
        id: 'raw',
        label: 'raw loop: Query + TransactWriteItems (3 items), no domain code',
        prepare: async () => {
          const conferenceId = randomUUID();
          await floor.prepare(conferenceId);
          return conferenceId;
        },
        register: floor.pair,
        roundTrips: () => clientTrips,
      },
      {
        id: 'raw-no-seats',
        label: 'raw loop without the seat counter: Query + TransactWriteItems (2 items, none shared)',
        prepare: async () => {
          const conferenceId = randomUUID();
          await floorWithoutSeats.prepare(conferenceId);
          return conferenceId;
        },
        register: floorWithoutSeats.pair,
        roundTrips: () => clientTrips,
      },
      {
        id: 'castore',
        label:
          'Castore 2 DynamoDB single-table adapter: getAggregate (conference) + pushEventGroup (registration, email)',
        prepare: castore.prepare,
        register: castore.register,
        roundTrips: () => clientTrips,
      },
    ];

    const pass = async (variant: Variant, count: number) => {
      const conferenceId = await variant.prepare();
      const tag = randomUUID().slice(0, 8);
      const bodies = Array.from({ length: count }, (_, n) => delegateBody(n, tag));
      variant.roundTrips().reset();
      const { ms } = await timed(() =>
        pool(bodies, CONCURRENCY, (body) => variant.register(conferenceId, body)),
      );
      return {
        ms,
        trips: variant.roundTrips().total / count,
        described: variant.roundTrips().describe(),
        latencies: variant.roundTrips().latencies(),
      };
    };

    for (const variant of variants) await pass(variant, DELEGATES); // the warm-up pass
    const results = new Map(
      variants.map((v) => [
        v.id,
        [] as Array<{ ms: number; trips: number; described: string; latencies: string }>,
      ]),
    );
    for (let round = 0; round < ROUNDS; round++) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
      for (const variant of order) {
        const result = await pass(variant, DELEGATES);
        results.get(variant.id)?.push(result);
        console.log(
          `round ${round + 1}: ${variant.id} ${seconds(result.ms)} (${result.trips.toFixed(2)} round trips each; mean ${result.latencies})`,
        );
      }
    }

    const wall = (id: string) => median((results.get(id) ?? []).map((r) => r.ms));
    const runs = (id: string) => (results.get(id) ?? []).map((r) => seconds(r.ms)).join(', ');
    const trips = (id: string) => {
      const last = results.get(id)?.at(-1);
      return last ? `${last.trips.toFixed(2)} (${last.described}); mean latency ${last.latencies}` : 'n/a';
    };
    const raw = wall('raw');
    const castoreMs = wall('castore');
    const like = wall('ours-like-for-like');
    const row = (id: string, goal: string, met: boolean | undefined) => {
      const variant = variants.find((v) => v.id === id) as Variant;
      return [
        variant.label,
        `${seconds(wall(id))} (${runs(id)})`,
        `${ratio(wall(id), raw)} raw, ${ratio(wall(id), castoreMs)} Castore`,
        trips(id),
        goal,
        met === undefined ? '—' : verdict(met),
      ];
    };
    const section = [
      '## Event store: 650 registrations without HTTP (`npm run bench:event-store`)',
      '',
      `${DELEGATES} registrations for a conference of ${CAPACITY} seats (the last ${DELEGATES - CAPACITY} waitlisted by ours),`,
      `concurrency ${CONCURRENCY}, one in-memory DynamoDB Local, a full warm-up pass of each, then ${ROUNDS} rounds in`,
      'rotating order; the figure is the median wall time of the rounds (each round listed). Round trips are',
      "HTTP requests to DynamoDB counted by a middleware on each client (retries included): ours' seat guard",
      'decides again when its guess of "seats left" was wrong, which costs a second transaction near the last seat.',
      '',
      table(
        [
          'path',
          'wall time (rounds)',
          '× baseline',
          'DynamoDB round trips per registration (last round)',
          'goal',
          'result',
        ],
        [
          row(
            'ours-like-for-like',
            `≤ ${GOAL}× raw and faster than Castore`,
            like <= raw * GOAL && like < castoreMs,
          ),
          row('ours', '— (for information)', undefined),
          row('raw', 'baseline', undefined),
          row('castore', 'baseline', undefined),
          row('raw-no-seats', '— (explains the gap to Castore)', undefined),
        ],
      ),
      '',
      "Castore's table is made like ours (a NEW_IMAGE stream, its GSI for listing aggregates); every path reads the",
      'conference first (Castore: `getAggregate` of a conference aggregate), then appends in one transaction.',
      'Castore writes no seat counter: nothing in its two items is shared between concurrent registrations,',
      'whereas every registration of ours (and of the raw loop, which does the same writes) updates the',
      "conference's one seat-counter item, and DynamoDB Local runs transactions on the same item one after",
      'another. The last row is the raw loop without that counter: compare it with Castore to see what the',
      'capacity rule costs, and with raw to see what the rest costs.',
      '',
      'Ours coming out ahead of the raw loop is not explained by doing less: its transactions are the same (same',
      'items, conditions and sizes, compared request by request) and it reads the conference too. DynamoDB Local',
      "simply answers the raw loop's (and Castore's) transactions more slowly (mean latency per request above,",
      "measured from the client, so it includes waiting for this process's event loop). The raw loop sends each",
      'transaction the moment its read returns, 50 workers in lockstep, while ours puts its own work (validation,',
      'hashing, deciding) in between; which of these DynamoDB Local rewards is not settled here. Read the goal as',
      '"ours costs no more than the floor", not as "ours is cheaper than the floor".',
      '',
      `Goal: ours like-for-like ${ratio(like, raw)} of raw (≤ ${GOAL}×: ${verdict(like <= raw * GOAL)}), ` +
        `${ratio(like, castoreMs)} of Castore (< 1×: ${verdict(like < castoreMs)}).`,
      '',
      machineLine(),
    ].join('\n');
    await writeBenchmarkSection('event-store', section);
    console.log(section);
    client.destroy();
    dynamoDb().destroy();
  });

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
