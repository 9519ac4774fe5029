import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type Conference,
  type ConferenceState,
  conferenceDecider,
} from '../../../domain/conference/decider.js';
import { type ConferenceEvent, conferenceEventTypes } from '../../../domain/conference/events.js';
import { type EventEnvelope, isEventOf, parseEnvelope } from '../../../domain/events.js';
import { dynamoDb, tableNames } from '../runtime/config.js';

/**
 * Every conference as it stands now, folded from the sparse `catalog` index of the conference streams'
 * events (ConferenceCreated and its settings changes), in the order the conferences were created.
 */
export const catalogedConferences = async (): Promise<Conference[]> => {
  const streams = new Map<string, EventEnvelope<ConferenceEvent>[]>();
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
      if (isEventOf(event, ...conferenceEventTypes))
        streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return [...streams.values()].flatMap((events): Conference[] => {
    const state = [...events]
      .sort((a, b) => a.version - b.version)
      .reduce<ConferenceState>(conferenceDecider.evolve, conferenceDecider.initialState);
    if (state.status === 'none') return [];
    const { status: _status, ...conference } = state;
    return [conference];
  });
};
