import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { adapter, type ServerSecrets } from '../runtime/adapters.js';

export type { ServerSecrets } from '../runtime/adapters.js';

/**
 * Secrets only the server holds, one per purpose, for what must not be derivable from what a client
 * sends alone (the encryption of stored Idempotency-Key responses). In the cloud a purpose's secret is a
 * MAC of the purpose under a KMS HMAC key of its own (IDEMPOTENCY_KEY_ID): the key never leaves KMS, and a
 * function asks once per execution environment. Locally the runtime supplies one kept in DATA_DIR
 * (local/server-secrets.ts).
 */
export const kmsServerSecrets = (options: { keyId: string; client?: KMSClient }): ServerSecrets => {
  const client = options.client ?? new KMSClient(awsClientSettings());
  const secrets = new Map<string, Promise<Uint8Array>>();
  const generate = async (purpose: string): Promise<Uint8Array> => {
    const out = await client.send(
      new GenerateMacCommand({
        KeyId: options.keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(`server-secret\0${purpose}`, 'utf8'),
      }),
    );
    if (!out.Mac) throw new Error('KMS returned no MAC');
    return out.Mac;
  };
  return {
    secret(purpose) {
      let secret = secrets.get(purpose);
      if (!secret) {
        secret = generate(purpose);
        // A failed call is not kept: the next request asks again.
        secret.catch(() => secrets.delete(purpose));
        secrets.set(purpose, secret);
      }
      return secret;
    },
  };
};

let kms: ServerSecrets | undefined;

/** The server's secrets: the runtime's (DATA_DIR locally), else KMS with the key of the function's environment. */
export const serverSecrets = (): ServerSecrets =>
  adapter('serverSecrets', () => {
    if (kms) return kms;
    const keyId = process.env[env.idempotencyKeyId];
    if (!keyId)
      throw new Error(`No server secrets: set ${env.idempotencyKeyId} (a KMS HMAC key), or supply them`);
    kms = kmsServerSecrets({ keyId });
    return kms;
  });
