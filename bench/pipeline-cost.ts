/**
 * Where the local pipeline's work goes, per registration, consumer by consumer (issue 20.4: why round
 * two made the local rush slower and the counts later). Not a benchmark with a goal: an investigation
 * whose figures do not depend on how loaded the shared machine is. For each configuration (no consumer,
 * each consumer alone, all of them) it starts the local stack in this process, registers the same
 * delegates over HTTP, waits until the pipeline has settled, and counts what the handlers' DynamoDB
 * client sent (requests by command, items written) and the CPU time used by this process and by
 * DynamoDB Local's JVM (from /proc). Run: `node --import tsx bench/pipeline-cost.ts [registrations]`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RuleDefinition, rules } from '../infra/definitions/rules.js';
import { startLocalStack } from '../local/local-stack.js';
import { silentLogger } from '../local/log.js';
import { findFreePort } from '../local/ports.js';
import { iclc2015 } from '../test/domain/fixtures.js';
import { delegateBody } from './support/delegates.js';
import { docsFile, machineLine, table, writeSection } from './support/report.js';
import { pool } from './support/stats.js';

const REGISTRATIONS = Number(process.argv[2] ?? 60);
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
// The notifier's pacing would only add waiting, not work.
process.env.EMAIL_SEND_RATE ??= '10000';

const jvmCpuMs = async (port: number): Promise<number> => {
  const line = execFileSync('pgrep', ['-af', 'DynamoDBLocal.jar'], { encoding: 'utf8' })
    .split('\n')
    .find((candidate) => new RegExp(`-port ${port}(\\s|$)`).test(candidate));
  if (!line) return Number.NaN;
  const fields =
    (await readFile(`/proc/${line.split(' ')[0]}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  // utime and stime (fields 14 and 15 of /proc/pid/stat), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const measure = async (label: string, tag: string, selected: readonly RuleDefinition[]) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-pipeline-cost-'));
  const port = await findFreePort();
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { port, inMemory: true },
    rules: selected,
    logger: () => silentLogger,
  });
  try {
    const { dynamoDb } = await import('../functions/shared/runtime/config.js');
    const counts = { requests: new Map<string, number>(), itemsWritten: 0, on: false };
    dynamoDb().middlewareStack.add(
      (next, context) => async (args) => {
        if (counts.on) {
          const name = String(context.commandName).replace(/Command$/, '');
          counts.requests.set(name, (counts.requests.get(name) ?? 0) + 1);
          const input = args.input as {
            TransactItems?: unknown[];
            RequestItems?: Record<string, unknown[]>;
          };
          if (name === 'TransactWriteItems')
            counts.itemsWritten += (input.TransactItems ?? []).filter(
              (item) => !('ConditionCheck' in (item as object)),
            ).length;
          else if (name === 'BatchWriteItem')
            counts.itemsWritten += Object.values(input.RequestItems ?? {}).flat().length;
          else if (['PutItem', 'UpdateItem', 'DeleteItem'].includes(name)) counts.itemsWritten += 1;
        }
        return next(args);
      },
      { step: 'initialize', name: 'pipelineCostCounter', override: true },
    );
    const token = await stack.organizerToken();
    const post = (path: string, body: unknown, auth = false) =>
      fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    // Warm-up: every module loaded, the JIT warm.
    const warm = (await (await post('/conferences', { ...iclc2015, capacity: 20 }, true)).json()) as {
      conferenceId: string;
    };
    await pool(
      Array.from({ length: 30 }, (_, n) => delegateBody(n, 'warm')),
      10,
      (body) => post(`/conferences/${warm.conferenceId}/registrations`, body),
    );
    await stack.settled();
    const created = (await (
      await post('/conferences', { ...iclc2015, capacity: REGISTRATIONS - 10 }, true)
    ).json()) as { conferenceId: string };
    await stack.settled();

    counts.on = true;
    const cpuBefore = process.cpuUsage();
    const jvmBefore = await jvmCpuMs(port);
    const statuses = await pool(
      Array.from({ length: REGISTRATIONS }, (_, n) => delegateBody(n, tag)),
      10,
      async (body) => (await post(`/conferences/${created.conferenceId}/registrations`, body)).status,
    );
    await stack.settled();
    const cpu = process.cpuUsage(cpuBefore);
    const jvm = (await jvmCpuMs(port)) - jvmBefore;
    counts.on = false;
    // On a loaded machine some answers may be 503 (the time budget ran out): counted per accepted one.
    const accepted = statuses.filter((status) => status === 201).length;
    const total = [...counts.requests.values()].reduce((sum, n) => sum + n, 0);
    const per = (n: number) => n / accepted;
    return {
      label,
      refused: REGISTRATIONS - accepted,
      requests: per(total),
      detail: [...counts.requests]
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => `${name} ${per(n).toFixed(1)}`)
        .join(', '),
      items: per(counts.itemsWritten),
      nodeMs: per((cpu.user + cpu.system) / 1000),
      jvmMs: per(jvm),
    };
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

const configurations: Array<[string, readonly RuleDefinition[], Record<string, string>?]> = [
  ['no consumer (the command path alone)', []],
  ...rules.map((rule): [string, readonly RuleDefinition[]] => [`only ${rule.name}`, [rule]]),
  ['every consumer', rules],
  // Before: each projector applied its batch one event at a time (a read and a transaction per event).
  [
    'every consumer, one event at a time (CONSUMER_BATCHES=off, as before)',
    rules,
    { CONSUMER_BATCHES: 'off' },
  ],
];
// Each configuration in a process of its own: the handler modules keep their clients and settings for
// the life of the process, as a Lambda environment does, so a second stack in one process would not do.
const only = process.argv[3];
if (only !== undefined) {
  const [label, selected] = configurations[Number(only)] ?? [];
  if (!label || !selected) throw new Error(`no configuration ${only}`);
  process.stdout.write(`${JSON.stringify(await measure(label, `c${only}`, selected))}\n`);
  process.exit(0);
}
const results: Awaited<ReturnType<typeof measure>>[] = [];
for (const [index, [, , environment]] of configurations.entries()) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/pipeline-cost.ts', String(REGISTRATIONS), String(index)],
    { env: { ...process.env, ...environment }, maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Awaited<ReturnType<typeof measure>>;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  results.push(result);
}
const base = results[0];
const signed = (n: number) => `${n < 0 ? '−' : '+'}${Math.abs(n).toFixed(1)}`;
const figures = table(
  [
    'configuration',
    'refused (503)',
    'DynamoDB requests / registration',
    'items written',
    'CPU ms in Node',
    'CPU ms in DynamoDB Local',
    'requests by command',
  ],
  results.map((r) => [
    r.label,
    String(r.refused),
    `${r.requests.toFixed(1)}${base && r !== base ? ` (${signed(r.requests - base.requests)})` : ''}`,
    `${r.items.toFixed(1)}${base && r !== base ? ` (${signed(r.items - base.items)})` : ''}`,
    r.nodeMs.toFixed(1),
    r.jvmMs.toFixed(1),
    r.detail,
  ]),
);
process.stdout.write(`\n${figures}\n`);
await writeSection(
  docsFile('load.md'),
  'pipeline-cost',
  [
    '## What the pipeline costs per registration (`node --import tsx bench/pipeline-cost.ts`)',
    '',
    `Generated by bench/pipeline-cost.ts: ${REGISTRATIONS} registrations over HTTP at concurrency 10 per`,
    "configuration, each configuration a process and a DynamoDB Local of its own; what the handlers' DynamoDB",
    'client sent (requests by command, items written: exact counts) and the CPU time of this process and of',
    "DynamoDB Local's JVM (from /proc: indicative only on a shared machine), per accepted registration, until",
    'the pipeline settled. The last row is the same pipeline with the projectors applying their batches one',
    'event at a time, as before this change (CONSUMER_BATCHES=off), measured in the same run.',
    '',
    machineLine(),
    '',
    figures,
    '',
  ].join('\n'),
  () => '# Load proof\n',
);
