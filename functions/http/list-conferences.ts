import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseEnvelope } from '../../domain/events.js';
import { httpRoute } from '../shared/http/http.js';
import { dynamoDb, tableNames } from '../shared/runtime/config.js';

export const handler = httpRoute('public', async () => {
  const conferences = [];
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
      const { pk: _pk, sk: _sk, kind: _kind, catalog: _catalog, ...envelope } = unmarshall(item);
      const event = parseEnvelope(envelope);
      if (event.type !== 'ConferenceCreated') continue;
      const { conferenceId, name, acronym, city, country, startDate, endDate } = event.data;
      conferences.push({ conferenceId, name, acronym, city, country, startDate, endDate });
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return { status: 200, body: { conferences } };
});
