/**
 * `npm run -s outbox-link -- <address>`: prints the newest confirmation link (CONTRACT 5.1) that the local
 * outbox (DATA_DIR/outbox) holds for the address, as its owner would find it in their mailbox; `--manage`
 * prints the newest manage link instead. Exits 1 when there is none.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dataDirFromEnv, localPaths } from './data-dir.js';
import { CONFIRMATION_LINK, MANAGE_LINK, OutboxLinks } from './outbox-links.js';

try {
  const { values, positionals } = parseArgs({
    options: { manage: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [address] = positionals;
  if (!address || positionals.length > 1) throw new Error('name one email address');
  const outbox = localPaths(dataDirFromEnv()).outbox;
  const links = await new OutboxLinks(outbox).linksByAddress(values.manage ? MANAGE_LINK : CONFIRMATION_LINK);
  const newest = links.get(address.toLowerCase())?.at(-1);
  if (!newest)
    throw new Error(`no ${values.manage ? 'manage' : 'confirmation'} link for ${address} in ${join(outbox)}`);
  process.stdout.write(`${newest}\n`);
} catch (error) {
  process.stderr.write(`outbox-link: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write('usage: npm run -s outbox-link -- [--manage] <email address>\n');
  process.exit(1);
}
