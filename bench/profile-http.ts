/**
 * `npm run profile:http -- [--paused]`: where the CPU time of the HTTP path goes under the load proof's
 * rush (650 registrations + 20 reused emails at concurrency 50, 600 seats), in this one process: the
 * local stack (`startLocalStack`, in-memory DynamoDB Local, whose JVM runs apart and is not profiled), the
 * API and the client sending the requests. V8's CPU profiler (what `node --cpu-prof` runs), started after a
 * warm-up and stopped after the last answer, so module loading and JIT warm-up are not in it; the profile
 * is written to `.profiles/http-<mode>.cpuprofile` (open it in Chrome DevTools) and its self time is
 * summed by where the code lives. `--paused`: no rules and the stream poller stopped, so only the
 * requests run; without it the event pipeline runs alongside, as under `npm start`.
 * Writes the `profile-<mode>` section of docs/load.md.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/local-stack.js';
import { silentLogger } from '../local/log.js';
import { findFreePort } from '../local/ports.js';
import { iclc2015 } from '../test/domain/fixtures.js';
import { delegateBody } from './support/delegates.js';
import { machineLine, repoRoot, table } from './support/report.js';
import { pool, timed } from './support/stats.js';

const DELEGATES = 670;
const CONCURRENCY = 50;
const paused = process.argv.includes('--paused');
const mode = paused ? 'paused' : 'running';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function's code lives, as the rows of the table group it. */
const categoryOf = ({ functionName, url }: ProfileNode['callFrame']): string => {
  if (functionName === '(idle)') return 'idle (waiting for DynamoDB Local or the network)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || (url === '' && functionName === ''))
    return 'V8 and native code (program)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) {
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/'))
      return 'AWS SDK (commands, serde, signing, HTTP)';
    if (
      pkg.startsWith('@aws-lambda-powertools/') ||
      pkg === '@middy/core' ||
      pkg === '@aws/lambda-invoke-store'
    )
      return 'Powertools logger + metrics, middy';
    if (pkg === 'zod') return 'zod (validation)';
    if (pkg === 'aws-jwt-verify' || pkg === 'jose') return 'JWT verification';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx (TypeScript loader)';
    return `other packages (${pkg} …)`;
  }
  if (url.includes('undici') || url.includes('internal/deps/')) return 'load client (fetch / undici)';
  if (url.startsWith('node:') || url.startsWith('internal/') || url === '')
    return 'Node.js internals (http server, streams, crypto, timers)';
  const path = url.replace(/^file:\/\//, '').replace(repoRoot, '');
  if (path.startsWith('functions/shared/http/')) return 'ours: HTTP chain (functions/shared/http)';
  if (path.startsWith('functions/shared/event-store/') || path.startsWith('functions/shared/commands/'))
    return 'ours: command path (event store, commands)';
  if (path.startsWith('functions/shared/runtime/')) return 'ours: runtime (config, observability)';
  if (path.startsWith('functions/http/')) return 'ours: route handlers (functions/http)';
  if (path.startsWith('domain/')) return 'ours: domain (deciders, schemas)';
  if (path.startsWith('functions/consumers/') || path.startsWith('functions/shared/projections/'))
    return 'ours: consumers and projections';
  if (path.startsWith('functions/pipe/')) return 'ours: pipe enrichment';
  if (path.startsWith('local/http-server') || path.startsWith('local/lambda-context'))
    return 'local front door (local/http-server, invoke context)';
  if (path.startsWith('local/')) return 'local pipeline (stream poller, bus)';
  if (path.startsWith('bench/') || path.startsWith('test/')) return 'load client (fetch / undici)';
  return `elsewhere (${path.split('/').slice(0, 2).join('/')})`;
};

/** Self time per category, from the samples and their time deltas (µs). */
const selfTimeByCategory = (profile: Profile): Map<string, number> => {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byCategory = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    if (!node) return;
    const category = categoryOf(node.callFrame);
    byCategory.set(category, (byCategory.get(category) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return byCategory;
};

const post = async (url: string, body: unknown, token?: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

const writeLoadSection = async (name: string, section: string) => {
  const file = join(repoRoot, 'docs/load.md');
  const text = await readFile(file, 'utf8').catch(() => '# Load proof\n');
  const begin = `<!-- begin:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const block = `${begin}\n${section}\n${end}`;
  const start = text.indexOf(begin);
  const next =
    start >= 0
      ? `${text.slice(0, start)}${block}${text.slice(text.indexOf(end) + end.length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
};

const main = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lc-profile-http-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { port: await findFreePort(), inMemory: true },
    ...(paused ? { rules: [] } : {}),
    logger: () => ({ ...silentLogger, error: (message: string) => console.error(message) }),
  });
  const session = new Session();
  try {
    if (paused) await stack.poller.stop();
    const token = await stack.organizerToken();
    const create = async (capacity: number) => {
      const created = await post(`${stack.apiUrl}/conferences`, { ...iclc2015, capacity }, token);
      if (created.status !== 201) throw new Error(`conference: ${created.status}`);
      return String(created.json.conferenceId);
    };
    // Warm-up: every module on the path loaded and compiled, hot code JIT-compiled, pools filled.
    const warmId = await create(50);
    await pool(
      Array.from({ length: 100 }, (_, n) => delegateBody(n, 'warm')),
      CONCURRENCY,
      (body) => post(`${stack.apiUrl}/conferences/${warmId}/registrations`, body),
    );
    const conferenceId = await create(600);
    const bodies = Array.from({ length: DELEGATES }, (_, n) => delegateBody(n, 'profile'));

    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    const run = await timed(() =>
      pool(bodies, CONCURRENCY, (body) =>
        post(`${stack.apiUrl}/conferences/${conferenceId}/registrations`, body),
      ),
    );
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    const statuses = new Map<number, number>();
    for (const answer of run.result) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);

    await mkdir(join(repoRoot, '.profiles'), { recursive: true });
    const profileFile = join(repoRoot, '.profiles', `http-${mode}.cpuprofile`);
    await writeFile(profileFile, JSON.stringify(profile));

    const byCategory = selfTimeByCategory(profile);
    const total = [...byCategory.values()].reduce((a, b) => a + b, 0);
    const idle = [...byCategory].filter(([name]) => name.startsWith('idle')).reduce((a, [, v]) => a + v, 0);
    const busy = total - idle;
    const rows = [...byCategory]
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => [
        name,
        `${(micros / 1000).toFixed(0)} ms`,
        name.startsWith('idle') ? '—' : `${((micros / busy) * 100).toFixed(1)}%`,
        `${(micros / 1000 / DELEGATES).toFixed(2)} ms`,
      ]);
    const section = [
      `## Where a request's CPU time goes, pipeline ${mode} (\`npm run profile:http${paused ? ' -- --paused' : ''}\`)`,
      '',
      `${DELEGATES} registrations at concurrency ${CONCURRENCY} (600 seats), after a warm-up of 100, in one process:`,
      'the API server, the handlers and the client sending the requests' +
        (paused
          ? ' (no rules, the stream poller stopped: only the requests run).'
          : ', with the event pipeline (stream poller, bus, projectors, waitlist process, notifier) running alongside.'),
      'DynamoDB Local runs in its own JVM and is not in the profile: the time waiting for it is idle here.',
      `V8's CPU profiler, sampling every 0.5 ms, from the first request to the last answer (${(run.ms / 1000).toFixed(2)} s wall;`,
      `answers: ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')}); self time summed by where the`,
      `code lives. The profile: \`.profiles/http-${mode}.cpuprofile\` (not committed; open it in Chrome DevTools).`,
      '',
      table(['where', 'self time', 'share of busy time', 'per request'], rows),
      '',
      `Busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms profiled (${((busy / total) * 100).toFixed(0)}%).`,
      '',
      machineLine(),
    ].join('\n');
    await writeLoadSection(`profile-${mode}`, section);
    console.log(section);
  } finally {
    session.disconnect();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
