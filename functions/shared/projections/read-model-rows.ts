import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamoDb } from '../runtime/config.js';
import { generationPointer, readModelPartition, readModelTable, rowKey } from './read-models.js';

/**
 * At most this many Query pages (up to 1 MB each) for one conference: far more than any read model of a
 * conference holds (2,000 agenda rows are about 2 pages), and a bound on the loop.
 */
export const MAX_ROW_PAGES = 64;

/**
 * Every item a Query of a read model's partition gives, unmarshalled, a page at a time and at most
 * MAX_ROW_PAGES pages (`what` names the read in the error past them).
 */
export const queryAllPages = async (
  query: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  what: string,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
  for (let page = 1; ; page++) {
    if (page > MAX_ROW_PAGES) throw new Error(`${what}: more than ${MAX_ROW_PAGES} Query pages`);
    const result = await dynamoDb().send(
      new QueryCommand({ ...query, ExclusiveStartKey: exclusiveStartKey }),
    );
    for (const item of result.Items ?? []) items.push(unmarshall(item));
    exclusiveStartKey = result.LastEvaluatedKey;
    if (!exclusiveStartKey) return items;
  }
};

/**
 * The states of every stream row of a conference in the served generation of a projection (or only of
 * the streams whose ids begin with `streamIdPrefix`).
 */
export const readModelRows = async <Row>(
  projection: string,
  conferenceId: string,
  streamIdPrefix = '',
): Promise<Row[]> => {
  const { active } = await generationPointer(projection);
  const items = await queryAllPages(
    {
      TableName: readModelTable(projection),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rows)',
      ExpressionAttributeValues: marshall({
        ':pk': readModelPartition(projection, active, conferenceId),
        ':rows': rowKey(streamIdPrefix),
      }),
      ConsistentRead: true,
    },
    `Read model ${projection} of ${conferenceId}`,
  );
  return items.flatMap(({ state }) => (state ? [state as Row] : []));
};
