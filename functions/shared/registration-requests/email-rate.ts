import { ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EMAILS_PER_WINDOW, RATE_WINDOW_SECONDS } from '../../../domain/registration/request.js';
import { dynamoDb, tableNames } from '../runtime/config.js';

/**
 * The email rate of one address at one conference (CONTRACT 5.1: at most 3 emails in any hour), exact
 * under concurrency. One item of the stream-state table, keyed by the email guard's HMAC of the address
 * (never the address), holds `EMAILS_PER_WINDOW` slots, each the time its last email was sent. Taking a
 * slot is one conditional write: empty, or sent a whole window ago (domain/registration/request.ts
 * `slotFree`). Two emails in one slot are more than a window apart, so no window holds more emails than
 * slots, however many requests race; TTL deletes the item an hour after its last email.
 */
export const emailRateKey = (conferenceId: string, emailKey: string) =>
  `email-rate#${conferenceId}#${emailKey}`;

/** Takes a slot for one email to the address: true if it may be sent now, false if the rate is spent. */
export const takeEmailSlot = async (conferenceId: string, emailKey: string, now: Date): Promise<boolean> => {
  const seconds = Math.floor(now.getTime() / 1000);
  for (let slot = 0; slot < EMAILS_PER_WINDOW; slot += 1) {
    try {
      await dynamoDb().send(
        new UpdateItemCommand({
          TableName: tableNames().streamState,
          Key: marshall({ pk: emailRateKey(conferenceId, emailKey), sk: 0 }),
          UpdateExpression: 'SET #slot = :now, kind = :kind, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#slot) OR #slot <= :freedBefore',
          ExpressionAttributeNames: { '#slot': `slot${slot}` },
          ExpressionAttributeValues: marshall({
            ':now': seconds,
            ':kind': 'email-rate',
            ':expiresAt': seconds + RATE_WINDOW_SECONDS + 60,
            ':freedBefore': seconds - RATE_WINDOW_SECONDS,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return false;
};
