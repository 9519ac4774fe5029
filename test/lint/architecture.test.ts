import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The layout rules of `npm run lint` (biome.json's overrides and lint/no-clock.grit), run by Biome itself on
 * probe files laid out as in the repository, in a copy of the configuration: each forbidden import or clock
 * read is an error at its place, and the allowed neighbours of each stay clean.
 */

const repoRoot = resolve(import.meta.dirname, '../..');
const biome = join(repoRoot, 'node_modules/@biomejs/biome/bin/biome');

interface Probe {
  path: string;
  source: string;
  /** The diagnostic expected, `rule: message fragment`; none for an allowed file. */
  expected?: string;
}

const RESTRICTED = 'lint/style/noRestrictedImports';
const GLOBALS = 'lint/style/noRestrictedGlobals';
const CLOCK = 'plugin';
const CYCLE = 'lint/suspicious/noImportCycles';

const probes: Probe[] = [
  // domain/: pure
  {
    path: 'domain/sdk.ts',
    source: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = DynamoDBClient;\n",
    expected: `${RESTRICTED}: no AWS SDK`,
  },
  {
    path: 'domain/fs.ts',
    source: "import { readFile } from 'node:fs/promises';\nexport const c = readFile;\n",
    expected: `${RESTRICTED}: no node I/O`,
  },
  {
    path: 'domain/net.ts',
    source: "import { connect } from 'node:net';\nexport const c = connect;\n",
    expected: `${RESTRICTED}: no node I/O`,
  },
  {
    path: 'domain/http.ts',
    source: "import { request } from 'node:http';\nexport const c = request;\n",
    expected: `${RESTRICTED}: no node I/O`,
  },
  {
    path: 'domain/child.ts',
    source: "import { spawn } from 'node:child_process';\nexport const c = spawn;\n",
    expected: `${RESTRICTED}: no node I/O`,
  },
  {
    path: 'domain/bare-fs.ts',
    source: "import { readFileSync } from 'fs';\nexport const c = readFileSync;\n",
    expected: `${RESTRICTED}: no node I/O`,
  },
  {
    path: 'domain/now.ts',
    source: 'export const c = () => Date.now();\n',
    expected: `${CLOCK}: reads no clock`,
  },
  {
    path: 'domain/new-date.ts',
    source: 'export const c = () => new Date();\n',
    expected: `${CLOCK}: reads no clock`,
  },
  {
    path: 'domain/date-call.ts',
    source: 'export const c = () => Date();\n',
    expected: `${CLOCK}: reads no clock`,
  },
  {
    path: 'domain/performance.ts',
    source: 'export const c = () => performance.timeOrigin;\n',
    expected: `${GLOBALS}: global variable performance`,
  },
  {
    path: 'domain/env.ts',
    source: 'export const c = () => process.env.X;\n',
    expected: `${GLOBALS}: global variable process`,
  },
  {
    path: 'domain/outside.ts',
    source: "import { routes } from '../infra/definitions/routes.js';\nexport const c = routes;\n",
    expected: `${RESTRICTED}: nothing outside itself`,
  },
  {
    path: 'domain/allowed.ts',
    source:
      "import { z } from 'zod';\nimport { other } from './other.js';\n" +
      "export const c = (occurredAt: string) => [z, other, new Date(occurredAt), Date.parse('2015-09-28')];\n",
  },
  // functions/: no CDK, no local runtime
  {
    path: 'functions/http/cdk.ts',
    source: "import { Duration } from 'aws-cdk-lib';\nexport const c = Duration;\n",
    expected: `${RESTRICTED}: the CDK belongs to infra/`,
  },
  {
    path: 'functions/http/cdk-module.ts',
    source: "import { Table } from 'aws-cdk-lib/aws-dynamodb';\nexport const c = Table;\n",
    expected: `${RESTRICTED}: the CDK belongs to infra/`,
  },
  {
    path: 'functions/http/constructs.ts',
    source: "import { Construct } from 'constructs';\nexport const c = Construct;\n",
    expected: `${RESTRICTED}: the CDK belongs to infra/`,
  },
  {
    path: 'functions/http/construct-file.ts',
    source:
      "import { LambdaFunction } from '../../infra/constructs/lambda-function.js';\nexport const c = LambdaFunction;\n",
    expected: `${RESTRICTED}: infra/definitions only`,
  },
  {
    path: 'functions/shared/http/local.ts',
    source:
      "import { startLocalStack } from '../../../local/local-stack.js';\nexport const c = startLocalStack;\n",
    expected: `${RESTRICTED}: must not import local/`,
  },
  {
    path: 'functions/consumers/local.ts',
    source: "import { silentLogger } from '../../local/log.js';\nexport const c = silentLogger;\n",
    expected: `${RESTRICTED}: must not import local/`,
  },
  {
    path: 'functions/http/allowed.ts',
    source:
      "import { readFileSync } from 'node:fs';\nimport { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
      "import { routes } from '../../infra/definitions/routes.js';\nimport { decide } from '../../domain/decide.js';\n" +
      'export const c = [readFileSync, DynamoDBClient, routes, decide, Date.now()];\n',
  },
  // no module imports itself through others (local/event-bus.ts ↔ redrive.ts ↔ stream-poller.ts was one)
  {
    path: 'local/bus.ts',
    source: "import { poll } from './poller.js';\nexport const bus = () => poll;\n",
    expected: `${CYCLE}: cycle`,
  },
  {
    path: 'local/poller.ts',
    source: "import type { Bus } from './redrive.js';\nexport const poll = (bus: Bus) => bus;\n",
    expected: `${CYCLE}: cycle`,
  },
  {
    path: 'local/redrive.ts',
    source: "import { bus } from './bus.js';\nexport type Bus = typeof bus;\n",
    expected: `${CYCLE}: cycle`,
  },
  // elsewhere the layout rules do not apply
  {
    path: 'local/allowed.ts',
    source: "import { Duration } from 'aws-cdk-lib';\nexport const c = [Duration, Date.now()];\n",
  },
];

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}

let dir: string;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lint-rules-'));
  await cp(join(repoRoot, 'biome.json'), join(dir, 'biome.json'));
  await cp(join(repoRoot, 'lint'), join(dir, 'lint'), { recursive: true });
  for (const probe of probes) {
    await mkdir(dirname(join(dir, probe.path)), { recursive: true });
    await writeFile(join(dir, probe.path), probe.source);
  }
  // The copy is not a git repository: the VCS integration (which reads .gitignore) is off for it.
  const result = await promisify(execFile)(
    process.execPath,
    [
      biome,
      'lint',
      '--vcs-enabled=false',
      '--reporter=json',
      '--max-diagnostics=none',
      ...probes.map((p) => p.path),
    ],
    { cwd: dir },
  ).catch((error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? '', code: error.code }));
  diagnostics = (JSON.parse(result.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const of = (path: string) =>
  diagnostics
    .filter((diagnostic) => diagnostic.location.path === path)
    .map((diagnostic) => `${diagnostic.category}: ${diagnostic.message}`);

describe('layout rules of npm run lint', () => {
  for (const probe of probes.filter((candidate) => candidate.expected)) {
    it(`refuses ${probe.path}`, () => {
      const [rule, fragment] = (probe.expected as string).split(': ');
      expect(of(probe.path)).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^${rule}: .*${fragment}`))]),
      );
    });
  }

  for (const probe of probes.filter((candidate) => !candidate.expected)) {
    it(`allows ${probe.path}`, () => {
      expect(of(probe.path)).toEqual([]);
    });
  }
});
