/**
 * `npm run bench:bundles`: every function bundled with the very options CDK uses
 * (infra/constructs/lambda-function.ts `bundlingOptions`, by the local esbuild), its minified size beside the
 * goal, and its module init time (`import()` in a fresh Node process, median of N) beside a naive middy + zod +
 * AWS SDK handler (bench/naive-handler.ts) bundled the default way of NodejsFunction, measured in the same run.
 * Writes the `bundles` section of docs/benchmarks.md.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { bundlingOptions } from '../infra/constructs/lambda-function.js';
import { pipeDefinition } from '../infra/definitions/pipe.js';
import { routes } from '../infra/definitions/routes.js';
import { rules } from '../infra/definitions/rules.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { machineLine, repoRoot, table } from './support/report.js';
import { kib, median, ratio, verdict } from './support/stats.js';

const SIZE_GOAL_BYTES = 400 * 1024;
const INIT_GOAL = 0.5;
const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 7);
const run = promisify(execFile);

/** `--alias:module=./path` arguments as esbuild's `alias` option (the paths resolved against the repository root, where CDK runs esbuild). */
const aliasesOf = (args: Record<string, string | boolean>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(args)
      .filter(
        (entry): entry is [string, string] => entry[0].startsWith('--alias:') && typeof entry[1] === 'string',
      )
      .map(([key, path]) => [key.slice('--alias:'.length), resolve(repoRoot, path)]),
  );

/** esbuild options equal to what NodejsFunction passes for `bundlingOptions` (see its buildEsbuildArgs). */
export const esbuildOptionsOf = (options: typeof bundlingOptions, outfile: string): BuildOptions => ({
  bundle: true,
  platform: 'node',
  target: options.target,
  format: options.format === 'esm' ? 'esm' : 'cjs',
  minify: options.minify,
  sourcemap: options.sourceMap,
  sourcesContent: options.sourcesContent,
  mainFields: options.mainFields,
  banner: { js: options.banner },
  external: options.externalModules,
  alias: aliasesOf(options.esbuildArgs),
  outfile,
  metafile: true,
  logLevel: 'silent',
});

/** NodejsFunction's defaults: CommonJS, not minified, no source map, the AWS SDK v3 left to the runtime. */
const defaultEsbuildOptions = (outfile: string): BuildOptions => ({
  bundle: true,
  platform: 'node',
  target: 'node24',
  external: ['@aws-sdk/*'],
  outfile,
  metafile: true,
  logLevel: 'silent',
});

interface Bundle {
  name: string;
  entry: string;
  file: string;
  bytes: number;
  /** Files CDK copies next to the bundle for the handler to read (not code: not counted in `bytes`). */
  beside: string[];
  /** Packages of the tracing SDK found in the bundle (there should be none). */
  tracing: string[];
  /** Bytes of the output that come from zod's locales. */
  zodLocales: number;
  largest: string;
  /** Bytes of the packages every bundle on the shared plumbing carries, by what brings them. */
  carried: string;
}

/**
 * Packages that reach a bundle through shared plumbing rather than the function's own work: the event
 * store's personal-data codec (KMS client, key caches) and the HTTP chain's token verification.
 */
const CARRIED_PACKAGES: Record<string, string> = {
  '@aws-sdk/client-kms': 'personal-data keys',
  'lru-cache': 'personal-data keys',
  'aws-jwt-verify': 'organizer token verification',
};

/** The X-Ray SDK and Powertools Tracer: retired from every bundle (README, Observability). */
const TRACING_PACKAGES = /node_modules\/(aws-xray-sdk[\w-]*|@aws-lambda-powertools\/tracer)\//;

const summarize = (
  name: string,
  entry: string,
  file: string,
  bytes: number,
  metafile: Metafile,
  beside: string[] = [],
): Bundle => {
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  const tracing = new Set<string>();
  for (const [path] of inputs) {
    const match = TRACING_PACKAGES.exec(path);
    if (match?.[1]) tracing.add(match[1]);
  }
  const byPackage = new Map<string, number>();
  let zodLocales = 0;
  for (const [path, { bytesInOutput }] of inputs) {
    if (path.includes('zod/v4/locales/')) zodLocales += bytesInOutput;
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match?.[1] ?? '(this repository)';
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([pkg, size]) => `${pkg} ${kib(size)}`)
    .join(', ');
  const carriedBy = new Map<string, number>();
  for (const [pkg, size] of byPackage) {
    const reason = CARRIED_PACKAGES[pkg];
    if (reason) carriedBy.set(reason, (carriedBy.get(reason) ?? 0) + size);
  }
  const carried = [...carriedBy].map(([reason, size]) => `${reason} ${kib(size)}`).join(', ');
  return { name, entry, file, bytes, beside, tracing: [...tracing], zodLocales, largest, carried };
};

/** Milliseconds from `import()` to its resolution, in a fresh Node process. */
const initTime = async (file: string, nodeOptions: string[]): Promise<number> => {
  const script =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(String(performance.now() - t));';
  const { stdout } = await run(
    process.execPath,
    [...nodeOptions, '--input-type=module', '-e', script, pathToFileURL(file).href],
    {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_SERVICE_NAME: 'bench',
        POWERTOOLS_METRICS_NAMESPACE: 'Bench',
      },
    },
  );
  return Number(stdout);
};

type Row = { bundle: Bundle; deployed: number };

/** One line per missed goal: which function, and what in it costs the most (its largest packages). */
const whyMissed = (sizeMissed: Row[], initMissed: Row[]): string[] => [
  ...sizeMissed.map(
    ({ bundle }) =>
      `- ${bundle.name}, size ${kib(bundle.bytes)}: its largest parts are ${bundle.largest}` +
      (bundle.carried ? `; it also carries ${bundle.carried} through the shared plumbing.` : '.'),
  ),
  ...initMissed.map(
    ({ bundle, deployed }) =>
      `- ${bundle.name}, init ${deployed.toFixed(0)} ms: it evaluates ${bundle.largest} at load (see the parts below).`,
  ),
];

/** Why 0.5× cannot be met by a function that loads the SDK at init, whatever the run's figures. */
const initGoalNote = [
  'The init goal and the AWS SDK: the part "AWS SDK: DynamoDB client constructed" below costs on its own about',
  'as much as the naive handler, which loads the same client (from node_modules) plus middy and zod. Every',
  'function that talks to DynamoDB loads that client at init, so it cannot come to half the naive handler',
  'while the SDK is in its init; the Tracer (X-Ray SDK), the unused credential sources and the country',
  'lookup functions are out, and aws-jwt-verify loads only for a request with a bearer token. What is left',
  'beside the SDK: the zod schemas (built at import), Powertools Logger and Metrics with middy. Loading the',
  'SDK lazily on the first request would only move its cost from init into that request, so it is not done.',
];

const main = async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'lc-bench-bundles-'));
  try {
    // The naive bundle resolves the AWS SDK from node_modules, as a Lambda function does from the runtime.
    await symlink(resolve(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
    const functions = [
      ...routes.map((route) => ({ name: route.name, entry: route.entry, files: route.files ?? [] })),
      ...rules.map((rule) => ({ name: rule.name, entry: rule.consumer, files: rule.files ?? [] })),
      { name: 'PipeEnrichment', entry: pipeDefinition.enrichment, files: [] as string[] },
    ];
    const bundles: Bundle[] = [];
    for (const fn of functions) {
      const dir = join(outDir, fn.name);
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'index.mjs');
      const result = await build({
        ...esbuildOptionsOf(bundlingOptions, file),
        entryPoints: [resolve(repoRoot, fn.entry)],
      });
      const beside: string[] = [];
      for (const extra of fn.files) {
        beside.push(`${extra.split('/').pop()} ${kib((await stat(resolve(repoRoot, extra))).size)}`);
      }
      const bundle = summarize(
        fn.name,
        fn.entry,
        file,
        (await stat(file)).size,
        result.metafile as Metafile,
        beside,
      );
      bundles.push(bundle);
    }
    const naiveFile = join(outDir, 'naive', 'index.js');
    const naiveResult = await build({
      ...defaultEsbuildOptions(naiveFile),
      entryPoints: [resolve(repoRoot, 'bench/naive-handler.ts')],
    });
    const naive = summarize(
      'naive',
      'bench/naive-handler.ts',
      naiveFile,
      (await stat(naiveFile)).size,
      naiveResult.metafile as Metafile,
    );
    console.log(`bundled ${bundles.length} functions and the naive handler in ${outDir}`);

    // Init times, interleaved (round after round over every bundle) so that drift in the machine's load hits
    // every figure alike. Ours as deployed (NODE_OPTIONS=--enable-source-maps), the naive one as its default.
    const times = new Map<string, { deployed: number[]; noMaps: number[] }>();
    const naiveTimes: number[] = [];
    for (const bundle of bundles) times.set(bundle.name, { deployed: [], noMaps: [] });
    await initTime(naiveFile, []); // warm the disk cache
    for (let round = 0; round < RUNS; round++) {
      naiveTimes.push(await initTime(naiveFile, []));
      for (const bundle of bundles) {
        const entry = times.get(bundle.name);
        entry?.deployed.push(await initTime(bundle.file, ['--enable-source-maps']));
        entry?.noMaps.push(await initTime(bundle.file, []));
      }
      process.stdout.write(`init round ${round + 1}/${RUNS}\r`);
    }
    const naiveInit = median(naiveTimes);

    // Where the init time goes: the parts of a command function, each bundled alone with the same options.
    const parts = [
      [
        'an empty module: the fixed cost of a first `import()` (subtract it from the rows below)',
        'export {};',
        [],
      ],
      [
        'AWS SDK: DynamoDB client constructed',
        "import { DynamoDBClient, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';" +
          "import { marshall } from '@aws-sdk/util-dynamodb';" +
          'export const client = new DynamoDBClient({}); export const used = [QueryCommand, TransactWriteItemsCommand, marshall];',
        [],
      ],
      ['domain event schemas (zod)', "export * from './domain/events.ts';", []],
      [
        'zod classic: the HTTP API request schemas (conference, registration, session, award)',
        "export * from './functions/http/api-schemas.ts';",
        [],
      ],
      [
        'Powertools Logger + Metrics, middy',
        "import { Logger } from '@aws-lambda-powertools/logger'; import { Metrics } from '@aws-lambda-powertools/metrics';" +
          "import middy from '@middy/core'; export const parts = [new Logger(), new Metrics({ namespace: 'Bench' }), middy()];",
        [],
      ],
      [
        'aws-jwt-verify',
        "import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify'; export const verifiers = [CognitoJwtVerifier, JwtRsaVerifier];",
        [],
      ],
    ] as const;
    const partRows: string[][] = [];
    for (const [index, [label, contents, plugins]] of parts.entries()) {
      const file = join(outDir, 'parts', `${index}.mjs`);
      await build({
        ...esbuildOptionsOf(bundlingOptions, file),
        stdin: { contents, resolveDir: repoRoot, loader: 'ts', sourcefile: `part-${index}.ts` },
        plugins: [...plugins],
      });
      const samples: number[] = [];
      for (let round = 0; round < RUNS; round++) samples.push(await initTime(file, ['--enable-source-maps']));
      partRows.push([
        label,
        kib((await stat(file)).size),
        `${median(samples).toFixed(0)} ms`,
        ratio(median(samples), naiveInit),
      ]);
    }

    const rows = bundles.map((bundle) => {
      const entry = times.get(bundle.name) ?? { deployed: [], noMaps: [] };
      const deployed = median(entry.deployed);
      const sizeMet = bundle.bytes <= SIZE_GOAL_BYTES;
      const initMet = deployed <= naiveInit * INIT_GOAL;
      return {
        bundle,
        deployed,
        sizeMet,
        initMet,
        cells: [
          `${bundle.name} (\`${bundle.entry}\`)`,
          kib(bundle.bytes),
          bundle.beside.length > 0 ? bundle.beside.join(', ') : '—',
          bundle.zodLocales ? kib(bundle.zodLocales) : '—',
          `≤ ${kib(SIZE_GOAL_BYTES)}`,
          verdict(sizeMet),
          `${deployed.toFixed(0)} ms (${ratio(deployed, naiveInit)}); no source maps ${median(entry.noMaps).toFixed(0)} ms`,
          `≤ ${INIT_GOAL}× naive (≤ ${(naiveInit * INIT_GOAL).toFixed(0)} ms)`,
          verdict(initMet),
        ],
      };
    });
    const traced = bundles.filter((bundle) => bundle.tracing.length > 0);
    if (traced.length > 0) {
      process.exitCode = 1;
      console.error(
        `The X-Ray SDK is back in: ${traced.map((b) => `${b.name} (${b.tracing.join(', ')})`).join('; ')}`,
      );
    }
    const sizeMissed = rows.filter((row) => !row.sizeMet);
    const initMissed = rows.filter((row) => !row.initMet);
    const section = [
      '## Bundle size and module init time per function (`npm run bench:bundles`)',
      '',
      'Each function bundled by esbuild with `bundlingOptions` of infra/constructs/lambda-function.ts (the',
      'options CDK deploys with: ESM, minified, node24, source map beside it, the AWS SDK inside). Init time:',
      `\`import()\` of the bundle in a fresh Node ${process.version} process, median of ${RUNS}, as deployed`,
      '(`NODE_OPTIONS=--enable-source-maps`). Baseline, same run: bench/naive-handler.ts (middy + zod classic +',
      `DynamoDB client) bundled the NodejsFunction default way (CommonJS, not minified, \`@aws-sdk/*\` from the`,
      `runtime): ${kib(naive.bytes)} bundle (+ the SDK from node_modules), init **${naiveInit.toFixed(0)} ms** (runs: ${naiveTimes.map((t) => t.toFixed(0)).join(', ')}).`,
      '',
      table(
        [
          'function',
          'size (minified)',
          'files beside it (not counted)',
          'of which zod locales',
          'size goal',
          'size',
          'module init (× naive)',
          'init goal',
          'init',
        ],
        rows.map((row) => row.cells),
      ),
      '',
      `Size: ${rows.length - sizeMissed.length} of ${rows.length} met. Init: ${rows.length - initMissed.length} of ${rows.length} met. ` +
        `X-Ray SDK or Powertools Tracer in a bundle: ${traced.length === 0 ? 'none' : traced.map((b) => b.name).join(', ')}.`,
      '',
      ...(sizeMissed.length + initMissed.length > 0
        ? ['Why the goals are missed where they are:', '', ...whyMissed(sizeMissed, initMissed), '']
        : []),
      ...(initMissed.length > 0 ? initGoalNote : []),
      '',
      'Where the init time goes: the parts of a command function, each bundled alone with the same options and',
      `imported the same way (median of ${RUNS}). Each figure includes the fixed cost of a first \`import()\` in a`,
      'fresh process (first row); the rest is what the part adds to a function on its own (parts share some',
      'dependencies, so together they come to more than a whole function).',
      '',
      table(['part', 'size', 'module init', '× naive'], partRows),
      '',
      'Largest contributors of the biggest bundles:',
      '',
      ...[...bundles]
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 5)
        .map((bundle) => `- ${bundle.name} (${kib(bundle.bytes)}): ${bundle.largest}`),
      '',
      machineLine(),
    ].join('\n');
    await writeBenchmarkSection('bundles', section);
    console.log(section);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};

// Run as a script; imported (test/local/bundles.test.ts bundles with esbuildOptionsOf), it does nothing.
if (import.meta.main)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
