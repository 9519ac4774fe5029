import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { generationPointer, readModelPartition } from './read-models.js';

/** The states of every stream row of a conference in the served generation of a projection. */
export const readModelRows = async <Row>(projection: string, conferenceId: string): Promise<Row[]> => {
  const { active } = await generationPointer(projection);
  const rows: Row[] = [];
  let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page = await dynamoDb().send(
      new QueryCommand({
        TableName: tableNames().readModels,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rows)',
        ExpressionAttributeValues: marshall({
          ':pk': readModelPartition(projection, active, conferenceId),
          ':rows': 'stream#',
        }),
        ConsistentRead: true,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const { state } = unmarshall(item);
      if (state) rows.push(state as Row);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return rows;
};
