import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LIGHT_JVM_OPTIONS } from '../local/dynamodb-local.js';
import { grantedFunctionName } from '../local/table-grants.js';
import { withDemoStack } from './support/demo-stack.js';
import { table } from './support/report.js';

const IDLE_MS = 5_000;

type Counts = Map<string, number>;
const add = (counts: Counts, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

type Phase = 'start' | 'load' | 'idle';
let phase = 'start' as Phase;
const byCaller: Record<Phase, Counts> = { start: new Map(), load: new Map(), idle: new Map() };
const byCommand: Record<Phase, Counts> = { start: new Map(), load: new Map(), idle: new Map() };
/** Kilobytes of the requests' input (as JSON), by caller and command: what DynamoDB Local parses and writes. */
const kilobytes: Counts = new Map();

/** Counts every call any client of this process sends, wherever it comes from. */
const count = (prototype: { send: (...args: unknown[]) => unknown }, client: string) => {
  const send = prototype.send;
  prototype.send = function (this: unknown, ...args: unknown[]) {
    const sent = args[0] as { constructor: { name: string }; input: unknown };
    const command = sent.constructor.name.replace(/Command$/, '');
    const caller =
      client === 'streams' ? 'stream poller' : (grantedFunctionName() ?? `(no function: ${client})`);
    add(byCaller[phase], caller);
    add(byCommand[phase], `${caller} ${command}`);
    if (phase === 'load') {
      const key = `${caller} ${command}`;
      kilobytes.set(key, (kilobytes.get(key) ?? 0) + JSON.stringify(sent.input).length / 1024);
    }
    return send.apply(this, args);
  };
};
count(DynamoDBClient.prototype as never, 'dynamodb');
count(DynamoDBStreamsClient.prototype as never, 'streams');

const sorted = (counts: Counts) => [...counts.entries()].sort((a, b) => b[1] - a[1]);
const total = (counts: Counts) => [...counts.values()].reduce((sum, n) => sum + n, 0);

const main = () =>
  withDemoStack(LIGHT_JVM_OPTIONS, async ({ loadDemo }) => {
    phase = 'load';
    const result = await loadDemo({ log: () => {} });
    phase = 'idle';
    await sleep(IDLE_MS);
    const load = byCaller.load;
    process.stdout.write(
      `demo loaded in ${((result.elapsedMs ?? 0) / 1000).toFixed(1)} s; ${total(load)} DynamoDB calls, ` +
        `${total(byCaller.idle)} in the ${IDLE_MS / 1000} s idle after it\n\n`,
    );
    process.stdout.write(
      `${table(
        ['caller', 'calls'],
        sorted(load).map(([k, v]) => [k, String(v)]),
      )}\n\n`,
    );
    process.stdout.write(
      `${table(
        ['caller and command', 'calls', 'input kB'],
        sorted(byCommand.load).map(([k, v]) => [k, String(v), (kilobytes.get(k) ?? 0).toFixed(0)]),
      )}\n\n`,
    );
    process.stdout.write(
      `${table(
        ['idle: caller and command', 'calls'],
        sorted(byCommand.idle).map(([k, v]) => [k, String(v)]),
      )}\n`,
    );
  });

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:demo-calls failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
