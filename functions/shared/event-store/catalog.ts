import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Conference } from '../../../domain/conference/decider.js';
import { parseEnvelope } from '../../../domain/events.js';
import { dynamoDb, tableNames } from '../runtime/config.js';

/** Every conference as created, from the sparse `catalog` index of ConferenceCreated events. */
export const catalogedConferences = async (): Promise<Conference[]> => {
  const conferences: Conference[] = [];
  let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page = await dynamoDb().send(
      new QueryCommand({
        TableName: tableNames().events,
        IndexName: 'catalog',
        KeyConditionExpression: '#catalog = :conference',
        ExpressionAttributeNames: { '#catalog': 'catalog' },
        ExpressionAttributeValues: marshall({ ':conference': 'conference' }),
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, kind: _kind, catalog: _catalog, ...stored } = unmarshall(item);
      const event = parseEnvelope(stored);
      if (event.type === 'ConferenceCreated') conferences.push(event.data);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return conferences;
};
