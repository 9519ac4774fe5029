import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ServerSecrets } from '../functions/shared/runtime/adapters.js';
import { dataDirFromEnv, localPaths } from './data-dir.js';
import { createKeyFileOnce, readKeyFile } from './key-files.js';

interface ServerSecretFile {
  /** HMAC-SHA-256 key (base64) from which each purpose's secret is derived. */
  key: string;
}

/**
 * The local stand-in for the KMS HMAC key of the server's secrets (functions/shared/personal-data/
 * server-secrets.ts): a key made on first use and kept in `<dataDir>/keys/server-secret.json` (mode 0600),
 * beside the master key of personal data; a purpose's secret is the HMAC of the purpose under it, as KMS
 * makes it in the cloud. Deleting the file makes every stored Idempotency-Key response unreadable, which
 * the API treats as absent.
 */
export const localServerSecrets = async (dataDir = dataDirFromEnv()): Promise<ServerSecrets> => {
  const file = localPaths(dataDir).serverSecret;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const read = () => readKeyFile<ServerSecretFile>(file, `The local server secret ${file} cannot be read`);
  let stored = await read();
  if (!stored) {
    await createKeyFileOnce(file, { key: randomBytes(32).toString('base64') } satisfies ServerSecretFile);
    stored = await read();
  }
  const key = Buffer.from(stored?.key ?? '', 'base64');
  if (key.length !== 32) throw new Error(`The local server secret ${file} is not valid`);
  const keyObject = createSecretKey(key);
  return {
    async secret(purpose) {
      return createHmac('sha256', keyObject).update(`server-secret\0${purpose}`, 'utf8').digest();
    },
  };
};
