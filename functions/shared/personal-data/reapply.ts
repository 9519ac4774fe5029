import { type DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parallelScan } from '../event-store/parallel-scan.js';
import { DataKeys } from './data-keys.js';

/**
 * Re-applies every erasure recorded in the event store to the data-keys table: for each
 * `PersonalDataErased`, the registration's data key is deleted and its erased marker put (both
 * idempotent). After a point-in-time restore of the data-keys table (which brings back the keys of
 * registrations erased since the restore point), this makes them unreadable again. No key is decrypted.
 */
export const reapplyErasures = async (options: {
  client: DynamoDBClient;
  eventsTable: string;
  dataKeysTable: string;
  segments?: number;
  onProgress?: (progress: { scannedItems: number; erasures: number }) => void;
  signal?: AbortSignal;
}): Promise<{ scannedItems: number; erasures: number }> => {
  const keys = new DataKeys({
    client: options.client,
    tableName: options.dataKeysTable,
    keyService: () => {
      throw new Error('Re-applying erasures needs no key service');
    },
  });
  const progress = { scannedItems: 0, erasures: 0 };
  await parallelScan(
    options.client,
    {
      TableName: options.eventsTable,
      ExpressionAttributeNames: { '#kind': 'kind', '#type': 'type' },
      FilterExpression: '#kind = :event AND (#type = :erased OR #type = :sensitive)',
      ExpressionAttributeValues: {
        ':event': { S: 'event' },
        ':erased': { S: 'PersonalDataErased' },
        ':sensitive': { S: 'SensitiveAnswersErased' },
      },
    },
    options.segments ?? 4,
    async (page) => {
      progress.scannedItems += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const { type, data } = unmarshall(item) as {
          type: string;
          data: { registrationId: string; erasedAt: string };
        };
        // The sensitive answers' own erasure (CONTRACT 5.2) destroys their key alone.
        const writes =
          type === 'SensitiveAnswersErased'
            ? keys.destroySensitive(data.registrationId, data.erasedAt)
            : keys.destroy(data.registrationId, data.erasedAt);
        await options.client.send(new TransactWriteItemsCommand({ TransactItems: writes }));
        progress.erasures++;
      }
      options.onProgress?.({ ...progress });
    },
    options.signal,
  );
  return progress;
};
