import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EncryptionContext, KeyService } from '../functions/shared/personal-data/key-service.js';
import { dataDirFromEnv, localPaths } from './data-dir.js';
import { createKeyFileOnce, readKeyFile } from './key-files.js';

interface MasterKeyFile {
  keyId: string;
  /** AES-256-GCM key that wraps the data keys (base64). */
  wrappingKey: string;
  /** HMAC-SHA-256 key of the email guard (base64). */
  macKey: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The encryption context as bytes, independent of property order. */
const contextBytes = (context: EncryptionContext) =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))), 'utf8');

/** Writes a new master key under its final name only if none is there yet (two first starts agree). */
const createMasterKey = async (file: string): Promise<void> => {
  const master: MasterKeyFile = {
    keyId: `local-master-${randomBytes(6).toString('hex')}`,
    wrappingKey: randomBytes(32).toString('base64'),
    macKey: randomBytes(32).toString('base64'),
  };
  await createKeyFileOnce(file, master);
};

const readMasterKey = (file: string) =>
  readKeyFile<MasterKeyFile>(file, `The local master key ${file} cannot be read`);

/**
 * The local stand-in for KMS: a master key made on first use and kept in `<dataDir>/keys/master-key.json`
 * (mode 0600), beside the signing key. Data keys are random 256-bit keys wrapped with AES-256-GCM
 * (node:crypto), the encryption context as AAD, as KMS binds it; the email guard's MAC is HMAC-SHA-256.
 * Deleting the file makes every local registration's personal data unreadable, as losing the KMS key would.
 */
export const localKeyService = async (dataDir = dataDirFromEnv()): Promise<KeyService> => {
  const file = localPaths(dataDir).masterKey;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let master = await readMasterKey(file);
  if (!master) {
    await createMasterKey(file);
    master = await readMasterKey(file);
  }
  const wrappingKey = Buffer.from(master?.wrappingKey ?? '', 'base64');
  const macKey = Buffer.from(master?.macKey ?? '', 'base64');
  if (!master?.keyId || wrappingKey.length !== 32 || macKey.length !== 32)
    throw new Error(`The local master key ${file} is not valid`);
  const keyId = master.keyId;
  // KeyObjects: node:crypto checks a raw Buffer key anew on every cipher or HMAC it makes.
  const wrapping = createSecretKey(wrappingKey);
  const macing = createSecretKey(macKey);

  return {
    async generateDataKey(context) {
      const plaintext = randomBytes(32);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', wrapping, iv);
      cipher.setAAD(contextBytes(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { plaintext, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]), masterKeyId: keyId };
    },
    async decryptDataKey(wrapped, context) {
      const bytes = Buffer.from(wrapped);
      const decipher = createDecipheriv('aes-256-gcm', wrapping, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(contextBytes(context));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
    async mac(message) {
      return createHmac('sha256', macing).update(message).digest();
    },
  };
};
