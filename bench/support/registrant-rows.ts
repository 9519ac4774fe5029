import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RegistrantRow } from '../../domain/projections/registrant-list.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { pool } from './stats.js';

/**
 * Writes registrant rows and their index entries as the projector would (generation 1), 25 items a
 * request, 8 at a time; resolves to how many items were written.
 */
export const seedRegistrantRows = async (
  client: DynamoDBClient,
  tableName: string,
  rows: readonly RegistrantRow[],
): Promise<number> => {
  const { registrantListProjection } = await import('../../functions/shared/projections/projections.js');
  const { readModelPartition, rowKey } = await import('../../functions/shared/projections/read-models.js');
  const items: Record<string, unknown>[] = [];
  for (const row of rows) {
    const pk = readModelPartition(registrantListProjection.name, 1, row.conferenceId);
    items.push({ pk, sk: rowKey(registrationStreamId(row.registrationId)), version: 1, state: row });
    items.push(...(registrantListProjection.sideItems?.(pk, row) ?? []));
  }
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await pool(batches, 8, async (batch) => {
    let requests = batch.map((item) => ({
      PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) },
    }));
    while (requests.length > 0) {
      const result = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
  return items.length;
};
