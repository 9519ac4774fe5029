import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { localClientConfig } from '../../local/aws-config.js';
import { unsignedForDynamoDbLocal } from '../../local/unsigned-requests.js';

/** The Authorization header of each request `client` sends, as it leaves (after every other step). */
const sentAuthorizations = (client: DynamoDBClient): string[] => {
  const seen: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push((args.request as { headers: Record<string, string> }).headers.authorization ?? '');
      return next(args);
    },
    { step: 'deserialize', name: 'seenAuthorization' },
  );
  return seen;
};

describe('requests to DynamoDB Local without SigV4', () => {
  it('are answered, and carry a fixed header in place of a signature', async () => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
    unsignedForDynamoDbLocal(client);
    unsignedForDynamoDbLocal(client);
    const seen = sentAuthorizations(client);
    const answer = await client.send(new ListTablesCommand({}));
    await client.send(new ListTablesCommand({}));
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(seen).toHaveLength(2);
    for (const authorization of seen)
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/local\/dynamodb\/aws4_request, .*Signature=0{64}$/,
      );
    client.destroy();
  });

  it('a client left as it is signs each request', async () => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
    const seen = sentAuthorizations(client);
    await client.send(new ListTablesCommand({}));
    expect(seen[0]).toMatch(/Signature=[0-9a-f]{64}$/);
    expect(seen[0]).not.toMatch(/Signature=0{64}$/);
    client.destroy();
  });
});
