import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type EventEnvelope, parseEnvelope } from '../../domain/events.js';

/**
 * Every SessionScheduled, SessionRescheduled and SessionCancelled of a conference, whatever session
 * stream holds it (each session has its own), in the order they occurred (then by stream and version).
 */
export const agendaEventsOf = async (
  client: DynamoDBClient,
  tableName: string,
  conferenceId: string,
): Promise<EventEnvelope[]> => {
  const events: EventEnvelope[] = [];
  for await (const page of paginateScan(
    { client },
    {
      TableName: tableName,
      ConsistentRead: true,
      FilterExpression: 'kind = :event AND conferenceId = :conferenceId AND begins_with(#type, :session)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':event': { S: 'event' },
        ':conferenceId': { S: conferenceId },
        ':session': { S: 'Session' },
      },
    },
  ))
    for (const item of page.Items ?? []) events.push(parseEnvelope(unmarshall(item)));
  return events.sort(
    (a, b) =>
      a.occurredAt.localeCompare(b.occurredAt) ||
      a.streamId.localeCompare(b.streamId) ||
      a.version - b.version,
  );
};
