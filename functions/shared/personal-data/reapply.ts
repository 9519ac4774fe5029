import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { invitationKeyHolder } from '../../../domain/invitation/events.js';
import { registrationIdOfSortKey } from '../../../domain/projections/registrant-list.js';
import { registrationStreamId } from '../../../domain/registration/decider.js';
import { parallelScan } from '../event-store/parallel-scan.js';
import { DataKeys } from './data-keys.js';

/** What a read-model item of plaintext personal data is, as far as an erasure is concerned. */
type ReadModelItemFate = { action: 'keep' } | { action: 'empty' } | { action: 'delete' };

/**
 * Whether a read-model item holds something of an erased registration, and what erasing it means, as the
 * projectors do it on PersonalDataErased: a row (sk `stream#...`) keeps its checkpoint with no state, so a
 * late delivery is still skipped; an index entry (its sort key ends in `|<registrationId>`) or a lookup
 * item (a copy of a row's state) is deleted.
 */
export const readModelItemFate = (
  item: Record<string, unknown>,
  erased: ReadonlySet<string>,
): ReadModelItemFate => {
  const sk = String(item.sk ?? '');
  const state = item.state as { registrationId?: unknown } | null | undefined;
  const stateOfErased =
    state !== null &&
    typeof state === 'object' &&
    typeof state.registrationId === 'string' &&
    erased.has(state.registrationId);
  if (sk.startsWith('stream#')) {
    const ofErasedStream = [...erased].some((id) => sk === `stream#${registrationStreamId(id)}`);
    return state !== null && state !== undefined && (stateOfErased || ofErasedStream)
      ? { action: 'empty' }
      : { action: 'keep' };
  }
  if (stateOfErased) return { action: 'delete' };
  if (state === undefined && sk.includes('|') && erased.has(registrationIdOfSortKey(sk)))
    return { action: 'delete' };
  return { action: 'keep' };
};

/**
 * Re-applies every erasure recorded in the event store to the data-keys table and the read models of
 * plaintext personal data: for each
 * `PersonalDataErased`, the registration's data key is deleted and its erased marker put (both
 * idempotent). After a point-in-time restore of the data-keys table (which brings back the keys of
 * registrations erased since the restore point), this makes them unreadable again. No key is decrypted.
 */
export const reapplyErasures = async (options: {
  client: DynamoDBClient;
  eventsTable: string;
  dataKeysTable: string;
  /**
   * The read models of plaintext personal data: their rows of erased registrations are emptied and their
   * index and lookup items deleted (a rebuild run while restored keys were readable may have filled them).
   */
  personalReadModelsTable?: string;
  segments?: number;
  onProgress?: (progress: { scannedItems: number; erasures: number; readModelItems?: number }) => void;
  signal?: AbortSignal;
}): Promise<{ scannedItems: number; erasures: number; readModelItems: number }> => {
  const keys = new DataKeys({
    client: options.client,
    tableName: options.dataKeysTable,
    keyService: () => {
      throw new Error('Re-applying erasures needs no key service');
    },
  });
  const progress = { scannedItems: 0, erasures: 0, readModelItems: 0 };
  const erased = new Set<string>();
  const sensitiveOnly: { registrationId: string; erasedAt: string }[] = [];
  await parallelScan(
    options.client,
    {
      TableName: options.eventsTable,
      ExpressionAttributeNames: { '#kind': 'kind', '#type': 'type' },
      FilterExpression:
        '#kind = :event AND (#type = :erased OR #type = :sensitive OR #type = :invitee OR #type = :focal)',
      ExpressionAttributeValues: {
        ':event': { S: 'event' },
        ':erased': { S: 'PersonalDataErased' },
        ':sensitive': { S: 'SensitiveAnswersErased' },
        ':invitee': { S: 'InviteePersonalDataErased' },
        ':focal': { S: 'FocalPointPersonalDataErased' },
      },
    },
    options.segments ?? 4,
    async (page) => {
      progress.scannedItems += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const { type, data } = unmarshall(item) as {
          type: string;
          data: { registrationId: string; erasedAt: string; invitationId?: string };
        };
        // An invitee erased by the retention (never registered): the invitation's own key.
        if (type === 'InviteePersonalDataErased') {
          const { invitationId, erasedAt } = data as unknown as { invitationId: string; erasedAt: string };
          await options.client.send(
            new TransactWriteItemsCommand({
              TransactItems: keys.destroy(invitationKeyHolder(invitationId), erasedAt),
            }),
          );
          progress.erasures++;
          continue;
        }
        // A delegation's focal point erased by the retention: the delegation's own key.
        if (type === 'FocalPointPersonalDataErased') {
          const { delegationId, erasedAt } = data as unknown as { delegationId: string; erasedAt: string };
          await options.client.send(
            new TransactWriteItemsCommand({
              TransactItems: keys.destroy(`delegation-${delegationId}`, erasedAt),
            }),
          );
          progress.erasures++;
          continue;
        }
        // The sensitive answers' own erasure (CONTRACT 5.2) destroys their key alone; the rows stay. Applied
        // after the scan, to the registrations not erased whole (whose erasure destroyed that key too).
        if (type === 'SensitiveAnswersErased') {
          sensitiveOnly.push(data);
          continue;
        }
        erased.add(data.registrationId);
        const writes = [
          ...keys.destroy(data.registrationId, data.erasedAt),
          // The invitation the registration was made from loses its invitee's key with it (CONTRACT 5.3).
          ...(data.invitationId ? keys.destroy(invitationKeyHolder(data.invitationId), data.erasedAt) : []),
        ];
        await options.client.send(new TransactWriteItemsCommand({ TransactItems: writes }));
        progress.erasures++;
      }
      options.onProgress?.({ ...progress });
    },
    options.signal,
  );
  // The sensitive key's wrapped form is removed from a data-key item that is there (keys.destroySensitive).
  for (const { registrationId, erasedAt } of sensitiveOnly) {
    if (!erased.has(registrationId))
      await options.client.send(
        new TransactWriteItemsCommand({ TransactItems: keys.destroySensitive(registrationId, erasedAt) }),
      );
    progress.erasures++;
  }
  if (sensitiveOnly.length > 0) options.onProgress?.({ ...progress });
  if (options.personalReadModelsTable && erased.size > 0)
    await scrubReadModels(options, options.personalReadModelsTable, erased, progress);
  return progress;
};

const scrubReadModels = async (
  options: { client: DynamoDBClient; segments?: number; signal?: AbortSignal },
  TableName: string,
  erased: ReadonlySet<string>,
  progress: { readModelItems: number },
): Promise<void> => {
  await parallelScan(
    options.client,
    { TableName },
    options.segments ?? 4,
    async (page) => {
      for (const raw of page.Items ?? []) {
        const fate = readModelItemFate(unmarshall(raw), erased);
        if (fate.action === 'keep') continue;
        const Key: Record<string, AttributeValue> = {
          pk: raw.pk as AttributeValue,
          sk: raw.sk as AttributeValue,
        };
        if (fate.action === 'empty')
          await options.client.send(
            new UpdateItemCommand({
              TableName,
              Key,
              UpdateExpression: 'SET #state = :none',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: marshall({ ':none': null }),
            }),
          );
        else await options.client.send(new DeleteItemCommand({ TableName, Key }));
        progress.readModelItems++;
      }
    },
    options.signal,
  );
};
