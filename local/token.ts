/**
 * `npm run -s token [-- --groups a,b]`: prints one JWT of the local issuer (default group `organizers`,
 * valid 12 h). `--groups ''` makes a token without groups. The key lives under DATA_DIR (default `.local`),
 * where `npm start` made it: this only reads it and creates nothing, so a DATA_DIR the server does not use
 * is an error here rather than a new key the server would refuse.
 */
import { parseArgs } from 'node:util';
import { dataDirFromEnv } from './data-dir.js';
import { NoSigningKeyError, signOrganizerToken } from './signing-key.js';

const parseGroups = (value: string | undefined) =>
  value === undefined
    ? ['organizers']
    : value
        .split(',')
        .map((group) => group.trim())
        .filter((group) => group !== '');

try {
  const { values } = parseArgs({
    options: { groups: { type: 'string' }, 'expires-in': { type: 'string' } },
    strict: true,
  });
  const token = await signOrganizerToken({
    groups: parseGroups(values.groups),
    expiresIn: values['expires-in'] ?? '12h',
    dataDir: dataDirFromEnv(),
    createKey: false,
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!(error instanceof NoSigningKeyError))
    process.stderr.write("usage: npm run -s token [-- --groups a,b] (--groups '' for none)\n");
  process.exitCode = 1;
}
