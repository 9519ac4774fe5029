import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamoDb, tableNames } from '../runtime/config.js';

const RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** Withdraws a claim, only if it is still the one this attempt made. */
const withdraw = async (Key: Record<string, string>, claimant: string): Promise<void> => {
  try {
    await dynamoDb().send(
      new DeleteItemCommand({
        TableName: tableNames().readModels,
        Key: marshall(Key),
        ConditionExpression: 'attribute_not_exists(pk) OR claimant = :claimant',
        ExpressionAttributeValues: marshall({ ':claimant': claimant }),
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/**
 * Runs a side effect at most once per id, however often the triggering event is delivered: the id is
 * claimed with a conditional write first. If the effect fails, the claim is withdrawn so a redelivery
 * tries again; only a crash between claim and effect can lose it, which is the price of never sending twice.
 *
 * Each attempt claims under its own claimant id, so a claim whose answer was lost is not mistaken for
 * another delivery's: when the SDK retries a put that had gone through, the existing claim is recognised
 * as this attempt's; when the claim fails in a way that leaves unknown whether it was written (a timeout,
 * a cut connection), it is withdrawn before the failure is reported, so the redelivery can claim again.
 */
export const once = async (id: string, effect: () => Promise<void>): Promise<'done' | 'already-done'> => {
  const Key = { pk: `once#${id}`, sk: 'claim' };
  const claimant = randomUUID();
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: tableNames().readModels,
        Item: marshall({
          ...Key,
          claimant,
          claimedAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + RETENTION_SECONDS,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      if (!error.Item || unmarshall(error.Item).claimant !== claimant) return 'already-done';
    } else {
      await withdraw(Key, claimant).catch(() => {});
      throw error;
    }
  }
  try {
    await effect();
    return 'done';
  } catch (error) {
    await withdraw(Key, claimant);
    throw error;
  }
};
