/**
 * A Node.js older than package.json's engines.node is refused with a message naming the version needed:
 * at `npm start` by local/require-node.mjs (imported before anything else), at `npm ci`/`npm install`
 * by npm itself, which `engine-strict` in .npmrc turns from a warning into a refusal.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/repo-modules.js';

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const required: string = manifest.engines.node;
const minimum = required.replace(/^>=\s*/, '');
const scratch = mkdtempSync(join(tmpdir(), 'require-node-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The check with a package.json of its own beside it (the check reads `../package.json`). */
const checkWithEngines = (engines: string) => {
  const root = mkdtempSync(join(scratch, 'project-'));
  mkdirSync(join(root, 'local'));
  copyFileSync(join(repoRoot, 'local', 'require-node.mjs'), join(root, 'local', 'require-node.mjs'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ engines: { node: engines } }));
  return join(root, 'local', 'require-node.mjs');
};

const node = (check: string, nodeBinary = process.execPath) =>
  spawnSync(nodeBinary, ['--import', check, '-e', 'console.log("started")'], { encoding: 'utf8' });

describe('npm start on an old Node.js', () => {
  it('starts on this Node.js, which meets engines.node', () => {
    expect(required).toMatch(/^>=\d+\.\d+\.\d+$/);
    expect(Number(minimum.split('.')[0])).toBeGreaterThanOrEqual(22);
    const result = node(join(repoRoot, 'local', 'require-node.mjs'));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('started');
  });

  it('refuses a Node.js older than engines.node, naming the version needed, before the program runs', () => {
    const [major = 0] = process.versions.node.split('.').map(Number);
    const result = node(checkWithEngines(`>=${major + 1}.0.0`));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`This needs Node.js ${major + 1}.0.0 or newer`);
    expect(result.stderr).toContain(`this is Node.js ${process.versions.node}`);
  });

  const machineNode = spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], { encoding: 'utf8' });
  const oldNode = machineNode.status === 0 && Number(machineNode.stdout.split('.')[0]) < 22;
  it.skipIf(!oldNode)('refuses the machine’s own older Node.js (when it has one)', () => {
    const result = node(join(repoRoot, 'local', 'require-node.mjs'), '/usr/bin/node');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`This needs Node.js ${minimum} or newer`);
  });

  it('is what the start script imports first, ahead of tsx', () => {
    expect(manifest.scripts.start).toMatch(/^exec node --import \.\/local\/require-node\.mjs --import tsx /);
  });
});

/** `npm` as the test runs under it (npm_execpath), else the one on PATH. */
const npmCommand = (): [string, string[]] => {
  const npmCli = process.env.npm_execpath;
  return npmCli?.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
};

/** `npm install` in a project with the manifest's name and these engines (no dependencies: nothing to fetch). */
const npmInstall = async (engines: string, { npmrc = true } = {}) => {
  const project = mkdtempSync(join(scratch, 'npm-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: manifest.name, version: manifest.version, engines: { node: engines } }),
  );
  if (npmrc) copyFileSync(join(repoRoot, '.npmrc'), join(project, '.npmrc'));
  const [command, args] = npmCommand();
  // Without the npm_config_* variables npm (or npx) exported to this test, which carry the repository's
  // own .npmrc: only the project's .npmrc may decide.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_config_')),
  );
  return run(command, [...args, 'install', '--no-audit', '--no-fund', '--offline'], {
    cwd: project,
    env,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
};

describe('npm ci / npm install on an old Node.js', () => {
  it('refuses, naming the version needed, where npm alone would only warn (engine-strict in .npmrc)', async () => {
    expect(readFileSync(join(repoRoot, '.npmrc'), 'utf8')).toMatch(/^engine-strict\s*=\s*true$/m);
    const [major = 0] = process.versions.node.split('.').map(Number);
    const newer = `>=${major + 1}.0.0`;
    const refused = await npmInstall(newer);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('EBADENGINE');
    expect(refused.stderr).toContain(`"node":"${newer}"`);
    // The control: without the project's .npmrc the same install goes through with a warning.
    const warned = await npmInstall(newer, { npmrc: false });
    expect(warned.code, warned.stderr).toBe(0);
    // And this Node.js meets the project's own engines.
    const installed = await npmInstall(required);
    expect(installed.code, installed.stderr).toBe(0);
  });
});
