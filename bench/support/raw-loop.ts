import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RegistrationBody } from './delegates.js';

/**
 * The floor every write path is measured against: straight SDK calls to DynamoDB Local, no HTTP, no
 * domain code, no validation. One "pair" is what a registration needs at the least: a Query of the
 * conference's stream (consistent read) and one TransactWriteItems with the same three items the event
 * store writes (the event with `attribute_not_exists`, the email guard with `attribute_not_exists`, the
 * seat counter `ADD`).
 */
export interface RawLoop {
  /** Writes the conference's first event, which every pair then reads. */
  prepare(conferenceId: string): Promise<void>;
  pair(conferenceId: string, delegate: RegistrationBody): Promise<void>;
}

export const rawLoop = (
  client: DynamoDBClient,
  tableName: string,
  /** Without the seat counter: two items, neither shared by concurrent registrations (explains Castore). */
  options: { seats: boolean } = { seats: true },
): RawLoop => ({
  async prepare(conferenceId) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: marshall({
          pk: `conference-${conferenceId}`,
          sk: 1,
          kind: 'event',
          eventId: randomUUID(),
          type: 'ConferenceCreated',
          streamId: `conference-${conferenceId}`,
          version: 1,
          conferenceId,
          occurredAt: new Date().toISOString(),
          data: { conferenceId, name: 'Raw baseline', capacity: 600 },
          metadata: { correlationId: 'raw', schemaVersion: 1 },
        }),
      }),
    );
  },
  async pair(conferenceId, delegate) {
    await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: marshall({ ':pk': `conference-${conferenceId}`, ':after': 0 }),
        ConsistentRead: true,
      }),
    );
    const registrationId = randomUUID();
    const { consent: _consent, ...data } = delegate;
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: marshall({
                pk: `registration-${registrationId}`,
                sk: 1,
                kind: 'event',
                eventId: randomUUID(),
                type: 'DelegateRegistered',
                streamId: `registration-${registrationId}`,
                version: 1,
                conferenceId,
                occurredAt: new Date().toISOString(),
                data: { ...data, registrationId, conferenceId, manageTokenHash: 'x'.repeat(64) },
                metadata: { correlationId: 'raw', schemaVersion: 1 },
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: marshall({
                pk: `guard#email#${conferenceId}#${delegate.email.toLowerCase()}`,
                sk: 0,
                kind: 'guard',
                owner: registrationId,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...(options.seats
            ? [
                {
                  Update: {
                    TableName: tableName,
                    Key: marshall({ pk: `guard#seats#${conferenceId}`, sk: 0 }),
                    UpdateExpression: 'SET kind = :kind ADD held :one',
                    ExpressionAttributeValues: marshall({ ':kind': 'guard', ':one': 1 }),
                  },
                },
              ]
            : []),
        ],
      }),
    );
  },
});
