import { DecryptCommand, GenerateDataKeyCommand, GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { env } from '../../../infra/definitions/tables.js';
import { awsClientSettings } from '../resilience/aws-clients.js';
import { adapter } from '../runtime/adapters.js';
import type { KeyService } from './key-service-port.js';

export type { EncryptionContext, GeneratedDataKey, KeyService } from './key-service-port.js';

/** AWS KMS: a symmetric customer-managed key for data keys and an HMAC_256 key for the email guard. */
export const kmsKeyService = (options: {
  dataKeyId: string;
  macKeyId: string;
  client?: KMSClient;
}): KeyService => {
  // One client per execution environment, its retries and timeouts within the invocation's budget.
  const client = options.client ?? new KMSClient(awsClientSettings());
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

let kms: KeyService | undefined;

/**
 * The key service: the one a runtime supplied (functions/shared/runtime/adapters.ts; the local stack's
 * keeps its master key in DATA_DIR), else AWS KMS with the key ids of the function's environment.
 * Without either, personal data is out of reach, and saying so beats reaching for an AWS account.
 */
export const keyService = (): KeyService =>
  adapter('keyService', () => {
    if (kms) return kms;
    const dataKeyId = process.env[env.personalDataKeyId];
    const macKeyId = process.env[env.emailMacKeyId];
    if (!dataKeyId || !macKeyId)
      throw new Error(
        `No key service for personal data: set ${env.personalDataKeyId} and ${env.emailMacKeyId} (KMS), or supply one`,
      );
    kms = kmsKeyService({ dataKeyId, macKeyId });
    return kms;
  });
