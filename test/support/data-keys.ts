import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * What the data-keys table holds for a registration, read through DynamoDB's API: whether its data key
 * (sk `data-key`, the wrapped key) is there, and whether the marker of its erasure (sk `erased`, no key
 * material) is (functions/shared/personal-data/data-keys.ts).
 */
export const dataKeyItemsOf = async (
  client: DynamoDBClient,
  tableName: string,
  registrationId: string,
): Promise<{ dataKey: boolean; erased: boolean }> => {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: registrationId } },
      ConsistentRead: true,
    }),
  );
  const sortKeys = Items.map((item) => String(unmarshall(item).sk));
  return { dataKey: sortKeys.includes('data-key'), erased: sortKeys.includes('erased') };
};
