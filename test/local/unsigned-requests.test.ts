import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { localClientConfig } from '../../local/aws-config.js';
import { unsignedForDynamoDbLocal, withoutUserAgentForDynamoDbLocal } from '../../local/unsigned-requests.js';

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

/** The SDK's user-agent headers of each request `client` sends, as it leaves. */
const sentUserAgents = (client: DynamoDBClient): Array<Array<string | undefined>> => {
  const seen: Array<Array<string | undefined>> = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const { headers } = args.request as { headers: Record<string, string> };
      seen.push([headers['user-agent'], headers['x-amz-user-agent']]);
      return next(args);
    },
    { step: 'deserialize', name: 'seenUserAgent' },
  );
  return seen;
};

describe('requests to DynamoDB Local without the SDK user agent', () => {
  it('are answered, and carry neither user-agent header', async () => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
    withoutUserAgentForDynamoDbLocal(client);
    withoutUserAgentForDynamoDbLocal(client);
    const seen = sentUserAgents(client);
    const answer = await client.send(new ListTablesCommand({}));
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(seen).toEqual([[undefined, undefined]]);
    client.destroy();
  });

  it('a client left as it is names the SDK in both', async () => {
    const client = new DynamoDBClient(localClientConfig(inject('dynamoDbEndpoint')));
    const seen = sentUserAgents(client);
    await client.send(new ListTablesCommand({}));
    expect(seen[0]?.[0]).toMatch(/aws-sdk-js/);
    expect(seen[0]?.[1]).toMatch(/aws-sdk-js/);
    client.destroy();
  });
});
