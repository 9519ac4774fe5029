import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { kmsServerSecrets } from '../../functions/shared/personal-data/server-secrets.js';

/** The cloud's server secrets: a MAC of the purpose under the KMS HMAC key, asked once per environment. */
const kms = mockClient(KMSClient);

afterEach(() => kms.reset());

describe('kmsServerSecrets', () => {
  it('asks KMS for a MAC of the purpose under its key, once per purpose, and again after a failure', async () => {
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(new Error('KMS unavailable'))
      .callsFake((input: { Message: Uint8Array }) => ({
        Mac: new Uint8Array(Buffer.from(`mac-of-${Buffer.from(input.Message).toString('utf8')}`)),
      }));
    const secrets = kmsServerSecrets({
      keyId: 'arn:aws:kms:eu-west-1:1:key/k',
      client: new KMSClient({ region: 'eu-west-1' }),
    });
    await expect(secrets.secret('a')).rejects.toThrow('KMS unavailable');
    const first = await secrets.secret('a');
    const again = await secrets.secret('a');
    const other = await secrets.secret('b');
    expect(Buffer.from(first).toString()).toBe('mac-of-server-secret\0a');
    expect(again).toBe(first);
    expect(Buffer.from(other).toString()).toBe('mac-of-server-secret\0b');
    const calls = kms.commandCalls(GenerateMacCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls[1]).toMatchObject({ KeyId: 'arn:aws:kms:eu-west-1:1:key/k', MacAlgorithm: 'HMAC_SHA_256' });
  });
});
