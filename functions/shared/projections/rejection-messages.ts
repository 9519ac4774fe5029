import { marshall } from '@aws-sdk/util-dynamodb';
import type { RejectionMessage } from '../../../domain/projections/delegate-counts.js';
import { LANGUAGES, type Language } from '../../../domain/shared/languages.js';
import { delegateCountsProjection, rejectionMessagesPartition } from './projections.js';
import { queryAllPages } from './read-model-rows.js';
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
  const items = await queryAllPages(
    {
      TableName: readModelTable(projection),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({
        ':pk': rejectionMessagesPartition(readModelPartition(projection, active, conferenceId)),
      }),
      ProjectionExpression: 'sk, l',
    },
    `The rejection messages of ${conferenceId}`,
  );
  return items.flatMap(({ sk, l }) =>
    typeof sk === 'string' && Array.isArray(l)
      ? [{ registrationId: sk, languages: l.filter(isLanguage) }]
      : [],
  );
};
