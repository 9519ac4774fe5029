import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { dynamoDb, tableNames } from './config.js';

const RETENTION_SECONDS = 30 * 24 * 60 * 60;

/**
 * Runs a side effect at most once per id, however often the triggering event is delivered: the id is
 * claimed with a conditional write first. If the effect fails, the claim is withdrawn so a redelivery
 * tries again; only a crash between claim and effect can lose it, which is the price of never sending twice.
 */
export const once = async (id: string, effect: () => Promise<void>): Promise<'done' | 'already-done'> => {
  const Key = { pk: `once#${id}`, sk: 'claim' };
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: tableNames().readModels,
        Item: marshall({
          ...Key,
          claimedAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + RETENTION_SECONDS,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'already-done';
    throw error;
  }
  try {
    await effect();
    return 'done';
  } catch (error) {
    await dynamoDb().send(new DeleteItemCommand({ TableName: tableNames().readModels, Key: marshall(Key) }));
    throw error;
  }
};
