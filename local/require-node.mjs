/**
 * Refuses a Node.js older than package.json's `engines.node` before anything else loads (`npm start`
 * imports it first, ahead of tsx): an old Node would otherwise fail later with an error that does not
 * say what is wrong. Plain JavaScript on purpose, so that any Node can run it. `npm ci` refuses the
 * same versions through `engine-strict` in .npmrc.
 */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const required = String(manifest.engines?.node ?? '');
const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(required);
if (!minimum) throw new Error(`package.json's engines.node must read ">=X.Y.Z", not "${required}"`);

const [major = 0, minor = 0, patch = 0] = process.versions.node.split('.').map(Number);
const [, wantMajor, wantMinor, wantPatch] = minimum.map(Number);
const tooOld =
  major !== wantMajor ? major < wantMajor : minor !== wantMinor ? minor < wantMinor : patch < wantPatch;

if (tooOld) {
  process.stderr.write(
    `This needs Node.js ${wantMajor}.${wantMinor}.${wantPatch} or newer (package.json engines.node "${required}"; ` +
      `24 is the Lambda runtime), but this is Node.js ${process.versions.node}. ` +
      'Install Node.js 24 (e.g. `nvm install`, which reads .nvmrc) and run it again.\n',
  );
  process.exit(1);
}
