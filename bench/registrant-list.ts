/**
 * `npm run bench:desk`: the registration desk's list on a conference of 20,000 registrations. Each case
 * is a request to the ListRegistrations handler (a search, a filtered page, a sort, a cursor's next page),
 * with its DynamoDB round trips counted by a middleware on the handlers' own client and its latency
 * percentiles, beside the baseline measured in the same run: one Query of a page of the read model (50
 * index entries of one partition), the least any page can cost. Then the CSV export of all 20,000.
 *
 * The read model is written directly with the projection's own functions (evolveRegistrantRow's rows
 * and registrantListProjection.sideItems), item for item what the projector writes; writing 20,000
 * registrations through the event store and the projector would take the run ten times longer and
 * measure something else (bench:round-trips and bench:rebuild measure those).
 * Writes the `registrant-list` section of docs/benchmarks.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { parse } from 'csv-parse/sync';
import { conferenceDecider } from '../domain/conference/decider.js';
import type { RegistrantRow } from '../domain/projections/registrant-list.js';
import { delegateCategories } from '../domain/registration/events.js';
import { routes } from '../infra/definitions/routes.js';
import { iclc2015 } from '../test/domain/fixtures.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { apiEvent, type HttpHandler, lambdaContext } from './support/lambda-events.js';
import {
  benchClient,
  countRoundTrips,
  handlerTables,
  localAdaptersWithOrganizer,
  withDynamoDbLocal,
} from './support/local-dynamodb.js';
import { appendNewStream } from './support/new-stream.js';
import { seedRegistrantRows } from './support/registrant-rows.js';
import { machineLine, table } from './support/report.js';
import { ms, percentile, verdict } from './support/stats.js';

const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 20_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const GOAL_TRIPS = 3;
const GOAL_P95_MS = 150;

const givenNames = [
  'Ana María',
  'Jürgen',
  'Ольга',
  'Σοφία',
  'Seán',
  'Luis',
  'Mustafa',
  'Søren',
  'Mekdes',
  'Wei',
  'Min-jun',
  'Layla',
  'Aoife',
  'Tomás',
  'Olivia',
  'Ñandú',
  'Chloé',
  'Björn',
  'Zoë',
  'Ngozi',
  'Kenji',
  'Priya',
  'Dmitri',
  'Fatima',
  'Joaquín',
  'Élodie',
  'Hamid',
  'Ingrid',
  'Kwame',
  'Lucía',
];
const familyNames = [
  'Pérez',
  'Müller',
  'Смирнова',
  'Παπαδοπούλου',
  "O'Brien",
  'Núñez',
  'Çelik',
  'Østergaard',
  'Tesfaye',
  'Zhang',
  'Kim',
  'Haddad',
  'Murphy',
  'Benítez',
  'Virtanen',
  'Jones',
  'García',
  'Nowak',
  'Dubois',
  'Rossi',
  'Santos',
  'Yılmaz',
  'Kowalski',
  'Nakamura',
  'Singh',
  'Ivanov',
  'Okafor',
  'Hernández',
  'Lindqvist',
  'Moreau',
  'Silva',
  'Schröder',
  'Acheampong',
  'Fernández',
  'Kovačević',
  'Mahlangu',
  'Nguyễn',
  'Rahman',
  'Sørensen',
  'Tanaka',
];
const organizations = [
  'Beijing Municipal Education Commission',
  'Ciudad de México',
  'Cork City Council',
  'Espoo Learning Centre',
  'Greater Amman Municipality',
  'Universidad de Sorocaba',
  'Melton City Council',
  'Bahir Dar University',
  'Namyangju Lifelong Learning Institute',
  'Swansea Council',
  'UNESCO Institute for Lifelong Learning',
  'Balanga City',
  'Ybycuí Municipalidad',
  'Московский городской университет',
  'Δήμος Αθηναίων',
];
const countries = [
  'MX',
  'FI',
  'KR',
  'JO',
  'IE',
  'PY',
  'ET',
  'CN',
  'GB',
  'AU',
  'BR',
  'PH',
  'DE',
  'FR',
  'IN',
  'NG',
];
const statuses = ['registered', 'registered', 'registered', 'checked-in', 'waitlisted', 'cancelled'] as const;

/** MurmurHash3's finalizer: well mixed bits, so that no field of a delegate follows another. */
const mix = (value: number): number => {
  let x = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

/** A deterministic pick for field `salt` of delegate n. */
const pick = <T>(values: readonly T[], n: number, salt: number): T =>
  values[mix(n * 16 + salt) % values.length] as T;

const registrant = (conferenceId: string, n: number): RegistrantRow => {
  const registeredAt = new Date(Date.UTC(2015, 3, 1) + n * 37_000).toISOString();
  const status = pick(statuses, n, 1);
  return {
    registrationId: randomUUID(),
    conferenceId,
    status,
    givenName: pick(givenNames, n, 2),
    familyName: pick(familyNames, n, 3),
    email: `delegate.${n}@example.org`,
    country: pick(countries, n, 4),
    city: 'Somewhere',
    organization: n % 4 === 3 ? null : pick(organizations, n, 5),
    category: pick(delegateCategories, n, 6),
    registeredAt,
    language: 'en',
    latinName: null,
    nameOrder: 'given-family',
    ...(status === 'checked-in' ? { checkedInAt: '2015-09-28T14:00:00.000Z' } : {}),
    ...(status === 'cancelled' ? { cancelledAt: '2015-09-01T10:00:00.000Z' } : {}),
  };
};

interface Case {
  label: string;
  query: Record<string, string>;
  /** Uses the cursor of the first page of `query` (page 2). */
  secondPage?: boolean;
}

const cases: Case[] = [
  { label: 'first page, no filter (50, by registeredAt)', query: {} },
  { label: 'search `beij` (organization)', query: { q: 'beij' } },
  { label: 'search `perez`', query: { q: 'perez' } },
  { label: 'search `mu` (2 letters)', query: { q: 'mu' } },
  { label: 'search `ana pé` (2 words), by familyName', query: { q: 'ana pé', sort: 'familyName' } },
  { label: 'search `m` (1 letter)', query: { q: 'm' } },
  { label: 'country=FI', query: { country: 'FI' } },
  { label: 'status=waitlisted', query: { status: 'waitlisted' } },
  { label: 'category=mayor&status=checked-in', query: { category: 'mayor', status: 'checked-in' } },
  {
    label: 'status=registered,checked-in by familyName, limit 200',
    query: { status: 'registered,checked-in', sort: 'familyName', limit: '200' },
  },
  {
    label: 'country=CN&q=zhang&status=cancelled (rare)',
    query: { country: 'CN', q: 'zhang', status: 'cancelled' },
  },
  { label: 'page 2 (cursor) by familyName', query: { sort: 'familyName' }, secondPage: true },
];

const main = () =>
  withDynamoDbLocal(async (dynamo) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lc-bench-desk-'));
    try {
      const setup = benchClient(dynamo.endpoint);
      const tables = await handlerTables(setup, dynamo.endpoint, 'bench-desk-');
      const token = await localAdaptersWithOrganizer(dataDir, { exports: true });
      const { dynamoDb } = await import('../functions/shared/runtime/config.js');
      const { eventStore } = await import('../functions/shared/event-store/stores.js');
      const { conferenceStream } = await import('../functions/shared/commands/streams.js');
      const { readModelPartition } = await import('../functions/shared/projections/read-models.js');

      const conferenceId = randomUUID();
      await appendNewStream(
        eventStore(),
        conferenceId,
        conferenceStream(conferenceId),
        conferenceDecider.decide(
          { type: 'CreateConference', conferenceId, details: iclc2015 },
          conferenceDecider.initialState,
        ),
      );
      const rows = Array.from({ length: REGISTRATIONS }, (_, n) => registrant(conferenceId, n));
      const seedStarted = performance.now();
      const items = await seedRegistrantRows(setup, tables.personalReadModels, rows);
      const seedMs = performance.now() - seedStarted;
      process.stdout.write(
        `Seeded ${REGISTRATIONS.toLocaleString('en-US')} registrations: ${items.toLocaleString('en-US')} items in ${(seedMs / 1000).toFixed(0)} s\n`,
      );

      const handlerOf = async (name: string) => {
        const route = routes.find((r) => r.name === name);
        if (!route) throw new Error(`no route ${name}`);
        const module = (await import(`../${route.entry.replace(/\.ts$/, '.js')}`)) as {
          handler: HttpHandler;
        };
        return { route, handler: module.handler };
      };
      const list = await handlerOf('ListRegistrations');
      const exporter = await handlerOf('ExportRegistrations');
      const trips = countRoundTrips(dynamoDb());
      // Sequential round trips: requests that began while none was in flight (requests sent together,
      // as a BatchGetItem of 100 and one of 100 more, or the pointer beside the Query, are one).
      const waves = { inFlight: 0, count: 0 };
      dynamoDb().middlewareStack.add(
        (next) => async (args) => {
          if (waves.inFlight === 0) waves.count++;
          waves.inFlight++;
          try {
            return await next(args);
          } finally {
            waves.inFlight--;
          }
        },
        { step: 'deserialize', name: 'benchWaveCounter', override: true },
      );
      const request = async (target: typeof list, query: Record<string, string>) => {
        const event = apiEvent(target.route, { conferenceId }, undefined, {
          authorization: `Bearer ${token}`,
        });
        event.queryStringParameters = query;
        event.rawQueryString = new URLSearchParams(query).toString();
        return target.handler(event, lambdaContext(target.route.name));
      };

      // The baseline: one Query of a page of the read model, on the same client, nothing else; one
      // before every measured request, so that both see the same load of the shared machine.
      const allPartition = `${readModelPartition('registrant-list', 1, conferenceId)}#all`;
      const baseline: number[] = [];
      const baselineQuery = async () => {
        const started = performance.now();
        await dynamoDb().send(
          new QueryCommand({
            TableName: tables.personalReadModels,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
            ExpressionAttributeValues: marshall({ ':pk': allPartition, ':r': 'r|' }),
            Limit: 50,
            ConsistentRead: true,
          }),
        );
        return performance.now() - started;
      };
      for (let i = 0; i < 10; i++) await baselineQuery(); // warm-up

      // Cold: the first request of an execution environment also reads the generation pointer and the conference.
      trips.reset();
      const cold = await request(list, {});
      if (cold.statusCode !== 200) throw new Error(`cold request: ${cold.statusCode} ${cold.body}`);
      const coldTrips = trips.describe();
      const coldTotal = trips.total;

      const results: string[][] = [];
      let allMet = true;
      for (const testCase of cases) {
        let query = testCase.query;
        if (testCase.secondPage) {
          const first = JSON.parse(String((await request(list, query)).body)) as { nextCursor?: string };
          if (!first.nextCursor) throw new Error(`${testCase.label}: no next page`);
          query = { ...query, cursor: first.nextCursor };
        }
        const times: number[] = [];
        let maxTrips = 0;
        let maxWaves = 0;
        let described = '';
        let found = 0;
        const caseBaseline: number[] = [];
        for (let i = 0; i < SAMPLES + 5; i++) {
          const base = await baselineQuery();
          if (i >= 5) caseBaseline.push(base);
          trips.reset();
          waves.count = 0;
          const started = performance.now();
          const answer = await request(list, query);
          const elapsed = performance.now() - started;
          if (answer.statusCode !== 200)
            throw new Error(`${testCase.label}: ${answer.statusCode} ${answer.body}`);
          if (i < 5) continue; // warm-up
          times.push(elapsed);
          maxWaves = Math.max(maxWaves, waves.count);
          if (trips.total >= maxTrips) {
            maxTrips = trips.total;
            described = trips.describe();
          }
          found = (JSON.parse(String(answer.body)) as { registrations: unknown[] }).registrations.length;
        }
        baseline.push(...caseBaseline);
        const p95 = percentile(times, 95);
        const baselineP95 = percentile(caseBaseline, 95);
        const met = maxWaves <= GOAL_TRIPS && p95 <= GOAL_P95_MS;
        allMet &&= met;
        results.push([
          testCase.label,
          String(found),
          String(maxWaves),
          `${maxTrips} (${described})`,
          ms(percentile(times, 50), 1),
          ms(p95, 1),
          `${(p95 / baselineP95).toFixed(1)}×`,
          verdict(met),
        ]);
        process.stdout.write(`${results.at(-1)?.join(' | ')}\n`);
      }

      // The CSV of every registration: 20,000 rows, answered inline or (over 5 MB) 303 with a link.
      const csvTimes: number[] = [];
      let csvLine = '';
      for (let i = 0; i < 3; i++) {
        trips.reset();
        const started = performance.now();
        const answer = await request(exporter, {});
        csvTimes.push(performance.now() - started);
        let text = String(answer.body ?? '');
        const status = answer.statusCode;
        if (status !== 200 && status !== 303) throw new Error(`CSV export: ${status} ${text}`);
        if (status === 303) {
          const location = String(answer.headers?.location ?? '');
          const folder = new URL(location).pathname.split('/').slice(-2).join('/');
          const { readFile } = await import('node:fs/promises');
          text = await readFile(join(dataDir, 'exports', folder), 'utf8');
        }
        const parsed = parse(text, { columns: true, bom: true }) as unknown[];
        if (parsed.length !== REGISTRATIONS) throw new Error(`CSV has ${parsed.length} rows`);
        csvLine =
          `${status === 303 ? '303 See Other + link' : '200 inline'}, ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, ` +
          `${parsed.length.toLocaleString('en-US')} rows read back by csv-parse, ${trips.total} requests (${trips.describe()})`;
      }

      const section = [
        `## Registrant list: ${REGISTRATIONS.toLocaleString('en-US')} registrations (\`npm run bench:desk\`)`,
        '',
        `Goal: a search or a filtered page in ≤ ${GOAL_TRIPS} DynamoDB round trips, p95 ≤ ${GOAL_P95_MS} ms locally ` +
          '(DynamoDB Local, in memory). Each request runs the ListRegistrations handler warm (its generation ' +
          "pointer and conference cached, as in a warm Lambda) with an organizer JWT. Counted on the handlers' " +
          'client, the most any of the ' +
          `${SAMPLES} requests took: round trips are sequential (requests sent together count once: the ` +
          "BatchGetItems of a page over 100, the generation pointer read beside the page's Query), requests " +
          'are every request sent. Baseline, same run: one Query of a page ' +
          'of the read model (50 index entries), run before each measured request (the ratio column divides by ' +
          `the p95 of those of the same case); over all cases p50 ${ms(percentile(baseline, 50), 1)}, p95 ` +
          `${ms(percentile(baseline, 95), 1)}. A warm function reads the generation pointer again every 5 s ` +
          '(GetItem, beside the Query of the generation it knew).',
        '',
        table(
          ['request', 'rows', 'round trips (max)', 'requests (max)', 'p50', 'p95', 'p95 / baseline', 'goal'],
          results,
        ),
        '',
        `Cold (first request of an execution environment): ${coldTotal} requests (${coldTrips}): the ` +
          'generation pointer (cached 5 s) and the conference (read beside the page on every request, for the 404) besides the page.',
        '',
        `CSV export of all ${REGISTRATIONS.toLocaleString('en-US')} registrations: ${csvLine}; ` +
          `p50 of 3 ${ms(percentile(csvTimes, 50))}.`,
        '',
        `Read model: ${items.toLocaleString('en-US')} items (a row and ${((items - REGISTRATIONS) / REGISTRATIONS).toFixed(1)} ` +
          "index entries per registration), seeded with the projection's own functions.",
        '',
        allMet ? 'Every case met the goal.' : 'Some cases **missed** the goal: see the rows marked so.',
        '',
        machineLine(),
      ].join('\n');
      process.stdout.write(`\n${section}\n`);
      if (!process.env.BENCH_SAMPLES && !process.env.BENCH_REGISTRATIONS)
        await writeBenchmarkSection('registrant-list', section);
      setup.destroy();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

await main();
