import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { localClientConfig } from '../../local/aws-config.js';
import { leanForDynamoDbLocal } from '../../local/unsigned-requests.js';

/** The headers of each request `client` sends, as they leave (after every other step). */
const sentHeaders = (client: DynamoDBClient): Array<Record<string, string | undefined>> => {
  const seen: Array<Record<string, string | undefined>> = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'deserialize', name: 'seenHeaders' },
  );
  return seen;
};

describe('requests to DynamoDB Local without SigV4 and without the SDK user agent', () => {
  it('are answered, carry a fixed header in place of a signature and neither user-agent header', async () => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
    leanForDynamoDbLocal(client);
    leanForDynamoDbLocal(client);
    const seen = sentHeaders(client);
    const answer = await client.send(new ListTablesCommand({}));
    await client.send(new ListTablesCommand({}));
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(seen).toHaveLength(2);
    for (const headers of seen) {
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/local\/dynamodb\/aws4_request, .*Signature=0{64}$/,
      );
      expect([headers['user-agent'], headers['x-amz-user-agent']]).toEqual([undefined, undefined]);
    }
    client.destroy();
  });

  it('a client left as it is signs each request and names the SDK in both user-agent headers', async () => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
    const seen = sentHeaders(client);
    await client.send(new ListTablesCommand({}));
    expect(seen[0]?.authorization).toMatch(/Signature=[0-9a-f]{64}$/);
    expect(seen[0]?.authorization).not.toMatch(/Signature=0{64}$/);
    expect(seen[0]?.['user-agent']).toMatch(/aws-sdk-js/);
    expect(seen[0]?.['x-amz-user-agent']).toMatch(/aws-sdk-js/);
    client.destroy();
  });
});
