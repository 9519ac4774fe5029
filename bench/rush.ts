/**
 * `npm run bench:rush`: a registration rush on one conference. 20,000 registrations (`--registrations N`)
 * go through the RegisterDelegate handler against DynamoDB Local, many at a time, for a capacity of 90 %
 * of them; a middleware on the handlers' DynamoDB client records every TransactWriteItems' items. DynamoDB
 * Local never refuses concurrent transactions, so what real DynamoDB would do is told by replaying the
 * recorded transactions through the conflict model of bench/support/conflict-model.ts (its rule and
 * latencies are documented there):
 *
 * - the new design: the transactions as recorded (seat pool in shards, no conference tip);
 * - today's design (before the shards): the same registrations' committed transactions with the seat
 *   shards collapsed into the one seat item and the conference's tip added, which is exactly what today's
 *   registration wrote and checked (functions/shared/commands/registrations.ts before the shards: the seat
 *   guard `guard#seats#<conference>` and `unchanged: ['conference']`).
 *
 * For each: the hottest item's share of the registrations' transactions (while seats are below 90 % taken,
 * and over the whole rush), the registrations per second one conference sustains in the model with none
 * refused while seats are below 90 % taken, and the share of 503s at 500 arrivals per second. Writes the
 * `rush` section of docs/benchmarks.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { SEAT_SHARDS } from '../domain/registration/invariants.js';
import { routes } from '../infra/definitions/routes.js';
import { delegate, iclc2015 } from '../test/domain/fixtures.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import {
  type ModelRequest,
  READ_MS,
  refusedShare,
  replay,
  sustainedRate,
  TRANSACTION_ATTEMPTS,
  TRANSACTION_MS,
} from './support/conflict-model.js';
import { apiEvent, type HttpHandler, lambdaContext } from './support/lambda-events.js';
import {
  benchClient,
  handlerTables,
  localAdaptersWithOrganizer,
  withDynamoDbLocal,
} from './support/local-dynamodb.js';
import { machineLine, table } from './support/report.js';

const ARRIVALS_PER_SECOND = 500;
const GOAL_RATE = 500;
const GOAL_RATIO = 10;
const NEARLY_FULL = 0.9;

const { values: args } = parseArgs({
  options: {
    registrations: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '12' },
  },
});
const REGISTRATIONS = Number(args.registrations);
const CONCURRENCY = Number(args.concurrency);
const CAPACITY = Math.floor(REGISTRATIONS * NEARLY_FULL);

interface Recorded {
  items: string[];
  /** The registration the transaction is of (its stream's tip is in it). */
  registrationId: string | undefined;
  ok: boolean;
}

/** A stable key per item of a transaction: table, partition key, sort key. */
const itemKeys = (items: readonly TransactWriteItem[]): string[] =>
  items.map((item) => {
    const table =
      item.Put?.TableName ??
      item.Update?.TableName ??
      item.Delete?.TableName ??
      item.ConditionCheck?.TableName;
    const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key ?? {};
    return `${table}|${key.pk?.S ?? key.pk?.N}|${key.sk?.N ?? key.sk?.S}`;
  });

const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)} %`;

/** The item in most of the transactions, and its share of them. */
const hottest = (transactions: ReadonlyArray<readonly string[]>) => {
  const counts = new Map<string, number>();
  for (const items of transactions)
    for (const item of new Set(items)) counts.set(item, (counts.get(item) ?? 0) + 1);
  let top: [string, number] = ['none', 0];
  for (const entry of counts) if (entry[1] > top[1]) top = entry;
  return {
    item: top[0].split('|')[1] ?? top[0],
    share: transactions.length ? top[1] / transactions.length : 0,
  };
};

const main = () =>
  withDynamoDbLocal(async (dynamo) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lc-bench-rush-'));
    try {
      const client = benchClient(dynamo.endpoint);
      const tables = await handlerTables(client, dynamo.endpoint, 'bench-rush-');
      client.destroy();
      const token = await localAdaptersWithOrganizer(dataDir);
      const { dynamoDb } = await import('../functions/shared/runtime/config.js');
      const handler = async (name: string) => {
        const route = routes.find((r) => r.name === name);
        if (!route) throw new Error(`No route ${name}`);
        const module = (await import(`../${route.entry.replace(/\.ts$/, '.js')}`)) as {
          handler: HttpHandler;
        };
        return { route, handler: module.handler };
      };
      const create = await handler('CreateConference');
      const register = await handler('RegisterDelegate');

      // Every TransactWriteItems the handlers send (each attempt), with its items and whether it went through.
      const recorded: Recorded[] = [];
      dynamoDb().middlewareStack.add(
        (next, context) => async (input) => {
          if (context.commandName !== 'TransactWriteItemsCommand') return next(input);
          const items = itemKeys(
            ((input.input as { TransactItems?: TransactWriteItem[] }).TransactItems ??
              []) as TransactWriteItem[],
          );
          const registrationId = items
            .map((item) => /^[^|]*\|registration-([^|]+)\|/.exec(item)?.[1])
            .find((id) => id !== undefined);
          const record: Recorded = { items, registrationId, ok: false };
          recorded.push(record);
          const output = await next(input);
          record.ok = true;
          return output;
        },
        { step: 'initialize', name: 'benchRushRecorder', override: true },
      );

      const headers = { authorization: `Bearer ${token}` };
      const created = await create.handler(
        apiEvent(create.route, {}, { ...iclc2015, capacity: CAPACITY }, headers),
        lambdaContext('CreateConference'),
      );
      const conferenceId = String(JSON.parse(String(created.body)).conferenceId);
      recorded.length = 0;

      const statuses = new Map<string, number>();
      /** What the first answers other than 201 said. */
      const details = new Set<string>();
      /** Registration ids in the order they were answered, with the answer. */
      const answered: { registrationId: string; status: string }[] = [];
      let nextIndex = 0;
      const started = performance.now();
      let lastReport = started;
      const worker = async () => {
        for (let index = nextIndex++; index < REGISTRATIONS; index = nextIndex++) {
          const email = `rush-${index}@example.org`;
          const result = await register.handler(
            apiEvent(register.route, { conferenceId }, { ...delegate, email, consent: true }),
            lambdaContext('RegisterDelegate'),
          );
          const body = JSON.parse(String(result.body ?? '{}')) as Record<string, unknown>;
          const status = result.statusCode === 201 ? String(body.status) : `HTTP ${result.statusCode}`;
          if (result.statusCode !== 201 && details.size < 5) details.add(String(body.detail));
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (result.statusCode === 201)
            answered.push({ registrationId: String(body.registrationId), status });
          if (performance.now() - lastReport > 30_000) {
            lastReport = performance.now();
            console.log(`  ${answered.length} of ${REGISTRATIONS} registered locally…`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const localSeconds = (performance.now() - started) / 1000;
      if (details.size > 0) console.log(`Answers other than 201: ${[...details].join(' / ')}`);

      // Each registration's transactions in the order sent; which ones were answered while seats were below 90 %.
      const byRegistration = new Map<string, Recorded[]>();
      for (const record of recorded) {
        if (!record.registrationId) continue;
        const list = byRegistration.get(record.registrationId) ?? [];
        list.push(record);
        byRegistration.set(record.registrationId, list);
      }
      let seatsTaken = 0;
      const order = answered.map(({ registrationId, status }) => {
        const early = seatsTaken < NEARLY_FULL * CAPACITY;
        if (status === 'registered') seatsTaken++;
        return { transactions: byRegistration.get(registrationId) ?? [], early };
      });
      const early = (index: number) => order[index]?.early ?? false;

      const pool = `guard#seats#${conferenceId}`;
      const newDesign: ModelRequest[] = order.map(({ transactions }) => ({
        transactions: transactions.map((record) => record.items),
      }));
      const shard = new RegExp(`^([^|]*\\|${pool})#\\d+(\\|.*)$`);
      const conferenceTip = `${tables.streamState}|conference-${conferenceId}|0`;
      const todaysDesign: ModelRequest[] = order.map(({ transactions }) => {
        const committed = transactions.filter((record) => record.ok).at(-1) ?? transactions.at(-1);
        const items = [...new Set((committed?.items ?? []).map((item) => item.replace(shard, '$1$2')))];
        return { transactions: [[...items, conferenceTip]] };
      });

      const measure = (requests: ModelRequest[]) => {
        const earlyTransactions = requests.filter((_, index) => early(index)).flatMap((r) => r.transactions);
        const allTransactions = requests.flatMap((r) => r.transactions);
        const atGoal = replay(requests, ARRIVALS_PER_SECOND);
        return {
          hotEarly: hottest(earlyTransactions),
          hotAll: hottest(allTransactions),
          perRegistration: allTransactions.length / requests.length,
          sustained: sustainedRate(requests, early),
          refusedEarly: refusedShare(atGoal, early),
          refusedAll: refusedShare(atGoal),
          cancelled: atGoal.cancelled / atGoal.sent,
        };
      };
      const today = measure(todaysDesign);
      const next = measure(newDesign);
      const ratio = today.sustained > 0 ? next.sustained / today.sustained : Number.POSITIVE_INFINITY;
      const rateMet = next.sustained >= GOAL_RATE && next.refusedEarly === 0;
      const ratioMet = ratio >= GOAL_RATIO;

      const rows = [
        [
          '',
          "today's design (one seat item, conference tip held)",
          `new design (${SEAT_SHARDS} seat shards)`,
        ],
        [
          'hottest item, seats below 90 % taken',
          `${percent(today.hotEarly.share)} (\`${today.hotEarly.item.replace(conferenceId, '<c>')}\`)`,
          `${percent(next.hotEarly.share)} (\`${next.hotEarly.item.replace(conferenceId, '<c>')}\`)`,
        ],
        [
          'hottest item, whole rush (waitlist included)',
          `${percent(today.hotAll.share)}`,
          `${percent(next.hotAll.share)}`,
        ],
        ['transactions per registration', today.perRegistration.toFixed(2), next.perRegistration.toFixed(2)],
        [
          'registrations/s sustained (none refused below 90 %)',
          today.sustained.toFixed(0),
          next.sustained.toFixed(0),
        ],
        [
          `503s at ${ARRIVALS_PER_SECOND}/s, seats below 90 %`,
          percent(today.refusedEarly),
          percent(next.refusedEarly),
        ],
        [`503s at ${ARRIVALS_PER_SECOND}/s, whole rush`, percent(today.refusedAll), percent(next.refusedAll)],
        [
          `transactions cancelled for contention at ${ARRIVALS_PER_SECOND}/s`,
          percent(today.cancelled),
          percent(next.cancelled),
        ],
      ];
      const answers = [...statuses].map(([status, n]) => `${n} ${status}`).join(', ');
      const section = [
        '## Registration rush (`npm run bench:rush`)',
        '',
        `${REGISTRATIONS.toLocaleString('en')} registrations for ${CAPACITY.toLocaleString('en')} seats of one conference, through the RegisterDelegate handler`,
        `against DynamoDB Local, ${CONCURRENCY} at a time (${localSeconds.toFixed(0)} s locally; answers: ${answers}). Every TransactWriteItems`,
        "was recorded by a middleware on the handlers' DynamoDB client, then replayed through the conflict model of",
        '`bench/support/conflict-model.ts`: two transactions in progress at once that share an item (a',
        'ConditionCheck included): the later one is cancelled (TransactionConflict) and sent again after a',
        `jittered backoff, ${TRANSACTION_ATTEMPTS} attempts in all, then 503. A transaction holds its items ${TRANSACTION_MS} ms (two phases of 5 ms:`,
        '"single-digit millisecond" latency, https://aws.amazon.com/dynamodb/, and two underlying writes per item',
        `per transaction, DynamoDB Developer Guide, "Capacity management for transactions"), a read takes ${READ_MS} ms.`,
        "Today's design is the same registrations' committed transactions with the seat shards collapsed into",
        "the one seat item and the conference's tip added (what a registration wrote and checked before the",
        'shards); the new design is the transactions as recorded, refused ones (a full shard) included.',
        '',
        table(rows[0] as string[], rows.slice(1)),
        '',
        `Goal: the new design sustains ≥ ${GOAL_RATE} registrations/s with none refused while seats are below 90 % taken — ` +
          `${next.sustained.toFixed(0)}/s, ${percent(next.refusedEarly)} refused at ${ARRIVALS_PER_SECOND}/s: ${rateMet ? '**met**' : '**missed**'}; ` +
          `and ≥ ${GOAL_RATIO}× today's — ${Number.isFinite(ratio) ? ratio.toFixed(1) : '∞'}×: ${ratioMet ? '**met**' : '**missed**'}.`,
        '',
        'The last seats and the waitlist are not spread: a waitlisting checks every shard full (and counts',
        "itself on the pool's item), and near the end the registrations read the shards and race for the few",
        'with seats left, so those transactions queue as all did before; the 503s of the whole rush, if any,',
        'are theirs.',
        '',
        machineLine(),
      ].join('\n');
      console.log(section);
      await writeBenchmarkSection('rush', section);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

await main();
