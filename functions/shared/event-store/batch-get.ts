import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type RetryPolicy, retrying } from '../resilience/policy.js';

/** Reads items by key, consistently, in batches of 100, with the keys DynamoDB left unprocessed read again, within the retry budget. */
export const batchGetAll = async (
  client: DynamoDBClient,
  tableName: string,
  keys: Record<string, AttributeValue>[],
  what: string,
  extra: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } = {},
): Promise<Record<string, unknown>[]> => {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending = keys.slice(start, start + 100);
    await retrying(unprocessedKeysPolicy(what), async (_attempt, abortSignal) => {
      const page = await client.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ...extra } },
        }),
        { abortSignal },
      );
      for (const item of page.Responses?.[tableName] ?? []) found.push(unmarshall(item));
      pending = page.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (pending.length > 0) throw new UnprocessedKeysLeft(pending.length);
    });
  }
  return found;
};

class UnprocessedKeysLeft extends Error {
  constructor(readonly count: number) {
    super(`${count} keys left unprocessed`);
  }
}

const unprocessedKeysPolicy = (what: string): RetryPolicy => ({
  exhausted: `${what}: DynamoDB kept keys unprocessed`,
  attempts: 8,
  retryOn: (error) => error instanceof UnprocessedKeysLeft,
});
