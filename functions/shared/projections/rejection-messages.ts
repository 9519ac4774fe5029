import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { RejectionMessage } from '../../../domain/projections/delegate-counts.js';
import { LANGUAGES, type Language } from '../../../domain/shared/languages.js';
import { dynamoDb } from '../runtime/config.js';
import { delegateCountsProjection, rejectionMessagesPartition } from './projections.js';
import { MAX_ROW_PAGES } from './read-model-rows.js';
import { generationPointer, readModelPartition, readModelTable } from './read-models.js';

const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

/**
 * The rejections of a conference that carry a message, with the languages each message was written in:
 * the side items of the served generation of the delegate counts (delegateCountsProjection), read in
 * registrationId order, a Query page at a time (their keys and languages only, a few dozen bytes each).
 */
export const readRejectionMessages = async (conferenceId: string): Promise<RejectionMessage[]> => {
  const projection = delegateCountsProjection.name;
  const { active } = await generationPointer(projection);
  const partition = rejectionMessagesPartition(readModelPartition(projection, active, conferenceId));
  const messages: RejectionMessage[] = [];
  let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
  for (let page = 1; ; page++) {
    if (page > MAX_ROW_PAGES)
      throw new Error(`Rejection messages of ${conferenceId} have more than ${MAX_ROW_PAGES} pages`);
    const result = await dynamoDb().send(
      new QueryCommand({
        TableName: readModelTable(projection),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': partition }),
        ProjectionExpression: 'sk, l',
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of result.Items ?? []) {
      const { sk, l } = unmarshall(item);
      if (typeof sk === 'string' && Array.isArray(l))
        messages.push({ registrationId: sk, languages: l.filter(isLanguage) });
    }
    exclusiveStartKey = result.LastEvaluatedKey;
    if (!exclusiveStartKey) return messages;
  }
};
