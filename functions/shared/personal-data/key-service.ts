import { DecryptCommand, GenerateDataKeyCommand, GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { env } from '../../../infra/definitions/tables.js';

/** Bound into a wrapped data key: it unwraps only for the registration it was made for. */
export type EncryptionContext = Record<string, string>;

export interface GeneratedDataKey {
  /** 32 bytes, for AES-256-GCM. */
  plaintext: Uint8Array;
  /** The same key encrypted under the master key: what the data-keys table stores. */
  wrapped: Uint8Array;
  /** Which master key wrapped it (a KMS key ARN, or the local master key's id). */
  masterKeyId: string;
}

/**
 * What personal data needs of a key management service, and nothing more: a new data key, the unwrapping
 * of a stored one, and a keyed hash. In the cloud it is AWS KMS; locally the runtime provides one that
 * keeps its master key in DATA_DIR (local/personal-data-keys.ts), so no Lambda bundle contains local code.
 */
export interface KeyService {
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  decryptDataKey(wrapped: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
  /** HMAC-SHA-256 under a key that never leaves the service. */
  mac(message: Uint8Array): Promise<Uint8Array>;
}

/** AWS KMS: a symmetric customer-managed key for data keys and an HMAC_256 key for the email guard. */
export const kmsKeyService = (options: {
  dataKeyId: string;
  macKeyId: string;
  client?: KMSClient;
}): KeyService => {
  const client = options.client ?? new KMSClient({ maxAttempts: 4 });
  return {
    async generateDataKey(context) {
      const out = await client.send(
        new GenerateDataKeyCommand({
          KeyId: options.dataKeyId,
          KeySpec: 'AES_256',
          EncryptionContext: context,
        }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob, masterKeyId: out.KeyId ?? '' };
    },
    async decryptDataKey(wrapped, context) {
      const out = await client.send(
        new DecryptCommand({
          CiphertextBlob: wrapped,
          KeyId: options.dataKeyId,
          EncryptionContext: context,
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext key');
      return out.Plaintext;
    },
    async mac(message) {
      const out = await client.send(
        new GenerateMacCommand({ KeyId: options.macKeyId, MacAlgorithm: 'HMAC_SHA_256', Message: message }),
      );
      if (!out.Mac) throw new Error('KMS returned no MAC');
      return out.Mac;
    },
  };
};

let provided: KeyService | undefined;

/**
 * The one place that picks the key service: the one a runtime provided (the local stack, tests), else
 * AWS KMS with the key ids of the function's environment. Without either, personal data is out of reach
 * and saying so beats reaching for an AWS account by accident.
 */
export const keyService = (kmsClient?: () => KMSClient): KeyService => {
  if (provided) return provided;
  const dataKeyId = process.env[env.personalDataKeyId];
  const macKeyId = process.env[env.emailMacKeyId];
  if (!dataKeyId || !macKeyId)
    throw new Error(
      `No key service for personal data: set ${env.personalDataKeyId} and ${env.emailMacKeyId} (KMS), or provide one`,
    );
  provided = kmsKeyService({ dataKeyId, macKeyId, ...(kmsClient ? { client: kmsClient() } : {}) });
  return provided;
};

/** Whether this function may use the key service: one was provided, or it was granted the KMS keys. */
export const keyServiceAvailable = (): boolean =>
  provided !== undefined ||
  (Boolean(process.env[env.personalDataKeyId]) && Boolean(process.env[env.emailMacKeyId]));

/** Used by a runtime that is not Lambda (the local stack, tests) before any handler runs. */
export const provideKeyService = (service: KeyService | undefined): void => {
  provided = service;
};
