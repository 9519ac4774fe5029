/**
 * `npm run bench:round-trips`: DynamoDB round trips per command on its happy path, counted by a middleware
 * on the handlers' own DynamoDB client (functions/shared/runtime/config.ts), every command sent with an
 * Idempotency-Key (its stored response goes into the same transaction), with its uniqueness and seat
 * guards. "Cold": the first command an execution environment handles for a conference (it reads the
 * conference once, then keeps it: conferences never change); "warm": every command after that.
 * Writes the `round-trips` section of docs/benchmarks.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agendaDecider, agendaStreamId } from '../domain/agenda/decider.js';
import type { SessionDetails } from '../domain/agenda/events.js';
import { conferenceDecider, conferenceStreamId } from '../domain/conference/decider.js';
import { registrationDecider, registrationStreamId } from '../domain/registration/decider.js';
import { registrationGuards } from '../domain/registration/invariants.js';
import { routes } from '../infra/definitions/routes.js';
import { dataKeysTable, eventsTable, readModelsTable } from '../infra/definitions/tables.js';
import { createTables } from '../local/create-tables.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadSigningKey, signOrganizerToken } from '../local/signing-key.js';
import { delegate, iclc2015 } from '../test/domain/fixtures.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { apiEvent, type HttpHandler, lambdaContext } from './support/lambda-events.js';
import {
  benchClient,
  countRoundTrips,
  handlerEnvironment,
  withDynamoDbLocal,
} from './support/local-dynamodb.js';
import { machineLine, table } from './support/report.js';
import { verdict } from './support/stats.js';

const GOAL = 2;

interface Request {
  params: Record<string, string>;
  body?: unknown;
}

interface CommandCase {
  label: string;
  route: string;
  /** What the command needs on conference `conferenceId`, made without the handlers (so nothing is cached). */
  prepare(conferenceId: string): Promise<Request>;
}

const session = (n: string): SessionDetails => ({
  title: `Workshop ${n}`,
  type: 'workshop',
  date: '2015-09-29',
  start: '10:00',
  end: '11:00',
  room: 'Sala Principal',
  speakers: [{ name: `Speaker ${n}` }],
});

const main = () =>
  withDynamoDbLocal(async (dynamo) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lc-bench-trips-'));
    try {
      const client = benchClient(dynamo.endpoint);
      const names = await createTables(client, { prefix: 'bench-trips-' });
      client.destroy();
      await handlerEnvironment(dynamo.endpoint, {
        events: names[eventsTable.id] ?? '',
        readModels: names[readModelsTable.id] ?? '',
        dataKeys: names[dataKeysTable.id] ?? '',
      });
      const key = await loadSigningKey(dataDir);
      Object.assign(process.env, {
        AUTH_MODE: 'local',
        LOCAL_JWKS_FILE: key.jwksFile,
        LOCAL_ISSUER,
        LOCAL_AUDIENCE,
        OUTBOX_DIR: join(dataDir, 'outbox'),
      });
      const token = await signOrganizerToken({ dataDir });
      const { dynamoDb } = await import('../functions/shared/runtime/config.js');
      const { eventStore } = await import('../functions/shared/event-store/stores.js');
      const { emailKeys } = await import('../functions/shared/personal-data/personal-data.js');
      const { toStoreGuard } = await import('../functions/shared/commands/command.js');
      const trips = countRoundTrips(dynamoDb());
      const handlers = new Map<string, HttpHandler>();
      for (const route of routes.filter((r) => r.method === 'POST'))
        handlers.set(
          route.name,
          ((await import(`../${route.entry.replace(/\.ts$/, '.js')}`)) as { handler: HttpHandler }).handler,
        );

      const append = (
        conferenceId: string,
        streamId: string,
        events: Parameters<ReturnType<typeof eventStore>['append']>[0]['streams'][number]['events'],
        guards = [] as Parameters<ReturnType<typeof eventStore>['append']>[0]['guards'],
      ) =>
        eventStore().append({
          conferenceId,
          correlationId: 'bench',
          now: new Date().toISOString(),
          streams: [{ streamId, expectedVersion: 0, events }],
          guards,
        });
      const seedConference = async () => {
        const conferenceId = randomUUID();
        await append(
          conferenceId,
          conferenceStreamId(conferenceId),
          conferenceDecider.decide(
            { type: 'CreateConference', conferenceId, details: iclc2015 },
            conferenceDecider.initialState,
          ),
        );
        return conferenceId;
      };
      const seedRegistration = async (conferenceId: string) => {
        const registrationId = randomUUID();
        const events = registrationDecider.decide(
          {
            type: 'RegisterDelegate',
            registrationId,
            conferenceId,
            delegate: { ...delegate, email: `${registrationId}@example.org` },
            emailKey: await emailKeys().of(`${registrationId}@example.org`),
            manageTokenHash: 'x'.repeat(64),
            seatAvailable: true,
            now: new Date().toISOString(),
          },
          registrationDecider.initialState,
        );
        const guards = registrationGuards({ conferenceId, registrationId }, iclc2015.capacity, events).map(
          toStoreGuard,
        );
        await append(conferenceId, registrationStreamId(registrationId), events, guards);
        return registrationId;
      };
      /** A new conference's agenda with one session (the agenda is one stream per conference). */
      const seedSession = async (conferenceId: string) => {
        const sessionId = randomUUID();
        const stream = agendaStreamId(conferenceId);
        const loaded = await eventStore().load(stream);
        if (loaded.length > 0) throw new Error('seedSession expects an empty agenda');
        await append(
          conferenceId,
          stream,
          agendaDecider.decide(
            {
              type: 'ScheduleSession',
              sessionId,
              conference: { conferenceId, ...iclc2015 },
              session: session(sessionId.slice(0, 8)),
            },
            agendaDecider.initialState,
          ),
        );
        return sessionId;
      };

      const cases: CommandCase[] = [
        {
          label: 'create conference',
          route: 'CreateConference',
          prepare: async () => ({ params: {}, body: iclc2015 }),
        },
        {
          label: 'register delegate (email guard, seat guard)',
          route: 'RegisterDelegate',
          prepare: async (conferenceId) => ({
            params: { conferenceId },
            body: { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
          }),
        },
        {
          label: 'cancel registration (releases email and seat)',
          route: 'CancelRegistration',
          prepare: async (conferenceId) => ({
            params: { conferenceId, registrationId: await seedRegistration(conferenceId) },
          }),
        },
        {
          label: 'check in delegate',
          route: 'CheckInDelegate',
          prepare: async (conferenceId) => ({
            params: { conferenceId, registrationId: await seedRegistration(conferenceId) },
          }),
        },
        {
          label: 'schedule session (room and speaker clashes)',
          route: 'ScheduleSession',
          prepare: async (conferenceId) => ({
            params: { conferenceId },
            body: session(randomUUID().slice(0, 8)),
          }),
        },
        {
          label: 'reschedule session',
          route: 'RescheduleSession',
          prepare: async (conferenceId) => ({
            params: { conferenceId, sessionId: await seedSession(conferenceId) },
            body: { start: '11:00', end: '12:00' },
          }),
        },
        {
          label: 'cancel session',
          route: 'CancelSession',
          prepare: async (conferenceId) => ({
            params: { conferenceId, sessionId: await seedSession(conferenceId) },
          }),
        },
        {
          label: 'grant award (award guard)',
          route: 'GrantAward',
          prepare: async (conferenceId) => ({
            params: { conferenceId },
            body: {
              award: 'UNESCO Learning City Award',
              year: 2015,
              city: `Cork ${randomUUID()}`,
              country: 'IE',
            },
          }),
        },
        {
          label: 'grant award presented in a session',
          route: 'GrantAward',
          prepare: async (conferenceId) => ({
            params: { conferenceId },
            body: {
              award: 'UNESCO Learning City Award',
              year: 2015,
              city: `Espoo ${randomUUID()}`,
              country: 'FI',
              sessionId: await seedSession(conferenceId),
            },
          }),
        },
      ];

      const send = async (command: CommandCase, conferenceId: string) => {
        const route = routes.find((r) => r.name === command.route);
        const handler = handlers.get(command.route);
        if (!route || !handler) throw new Error(`No route ${command.route}`);
        const request = await command.prepare(conferenceId);
        trips.reset();
        const result = await handler(
          apiEvent(route, request.params, request.body, {
            authorization: `Bearer ${token}`,
            'idempotency-key': randomUUID(),
          }),
          lambdaContext(route.name),
        );
        if ((result.statusCode ?? 500) >= 300)
          throw new Error(`${command.label}: ${result.statusCode} ${result.body}`);
        return { count: trips.total, described: trips.describe() };
      };

      const rows: string[][] = [];
      let allMet = true;
      for (const command of cases) {
        // Cold on a conference this process has not read; warm on a fresh one that it has (agenda empty).
        const cold = await send(command, await seedConference());
        const warmConference = await seedConference();
        await handlers.get('RegisterDelegate')?.(
          apiEvent(
            routes.find((r) => r.name === 'RegisterDelegate') ?? (routes[0] as never),
            { conferenceId: warmConference },
            { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
          ),
          lambdaContext('warm-up'),
        );
        const warm = await send(command, warmConference);
        const met = warm.count <= GOAL && cold.count <= GOAL;
        allMet &&= met;
        rows.push([
          command.label,
          `${warm.count} (${warm.described})`,
          `${cold.count} (${cold.described})`,
          `≤ ${GOAL}`,
          warm.count <= GOAL && cold.count > GOAL ? `warm met, cold **missed**` : verdict(met),
        ]);
        console.log(
          `${command.label}: warm ${warm.count} (${warm.described}), cold ${cold.count} (${cold.described})`,
        );
      }

      const section = [
        '## DynamoDB round trips per command (`npm run bench:round-trips`)',
        '',
        "Counted by a middleware added to the handlers' DynamoDB client (`client.middlewareStack.add`, once per HTTP",
        'request, retries included), each command invoked directly on its happy path against DynamoDB Local with an',
        'Idempotency-Key, its uniqueness and seat guards. Warm: the execution environment has read the conference',
        'before (it keeps conferences, which never change); cold: its first command for that conference.',
        'Baseline: the least a command can do, one read of its stream and one transaction: 2.',
        '',
        table(['command', 'warm', 'cold (first for the conference)', 'goal', 'result'], rows),
        '',
        allMet
          ? 'Every command met the goal, warm and cold.'
          : 'Not every command met the goal: see the rows marked missed.',
        '',
        machineLine(),
      ].join('\n');
      await writeBenchmarkSection('round-trips', section);
      console.log(section);
      dynamoDb().destroy();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
