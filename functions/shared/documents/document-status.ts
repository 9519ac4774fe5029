import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DocumentStatus } from '../../../domain/documents/documents.js';
import { dynamoDb, tableNames } from '../runtime/config.js';

/**
 * The status of a document made in the background (CONTRACT 5.5): one item of the stream-state table
 * (pk = `document#<conferenceId>#<documentId>`, sk = 0, kind `document`), beside the idempotency items,
 * expiring with them a day after the link. It holds no personal data: ids, the filter's values (a
 * country, a category, a status, a search word), counts, instants and the export's reference.
 */

/** How long a status item is kept (DynamoDB TTL), counted from its deadline. */
const KEEP_SECONDS = 2 * 24 * 60 * 60;

const keyOf = (conferenceId: string, documentId: string) =>
  marshall({ pk: `document#${conferenceId}#${documentId}`, sk: 0 });

export class DocumentExistsError extends Error {
  constructor(readonly stored: DocumentStatus) {
    super(`Document ${stored.documentId} exists`);
  }
}

/** Puts a new document's status; one of that id already there: DocumentExistsError with it (a retried POST). */
export const createDocumentStatus = async (status: DocumentStatus, requestHash: string): Promise<void> => {
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: tableNames().streamState,
        Item: {
          ...keyOf(status.conferenceId, status.documentId),
          ...marshall(
            {
              kind: 'document',
              requestHash,
              document: status,
              expiresAt: Math.floor(Date.parse(status.deadline) / 1000) + KEEP_SECONDS,
            },
            { removeUndefinedValues: true },
          ),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException && error.Item) {
      const item = unmarshall(error.Item);
      throw Object.assign(new DocumentExistsError(item.document as DocumentStatus), {
        requestHash: item.requestHash as string,
      });
    }
    throw error;
  }
};

export const readDocumentStatus = async (
  conferenceId: string,
  documentId: string,
): Promise<DocumentStatus | undefined> => {
  const { Item } = await dynamoDb().send(
    new GetItemCommand({
      TableName: tableNames().streamState,
      Key: keyOf(conferenceId, documentId),
      ConsistentRead: true,
    }),
  );
  return Item ? (unmarshall(Item).document as DocumentStatus) : undefined;
};

/** The change was refused: the document is no longer running (it failed, finished, or timed out). */
export class DocumentNotRunningError extends Error {}

/**
 * Changes a running document's status; refused (DocumentNotRunningError) once it is no longer
 * running, or once its deadline has passed (readers report it failed then, so it must stay failed).
 */
export const updateDocumentStatus = async (
  conferenceId: string,
  documentId: string,
  change: Partial<
    Pick<DocumentStatus, 'status' | 'done' | 'total' | 'location' | 'expiresAt' | 'reason' | 'deadline'>
  >,
  now: Date,
): Promise<void> => {
  const names: Record<string, string> = { '#d': 'document', '#s': 'status', '#deadline': 'deadline' };
  const values: Record<string, unknown> = { ':running': 'running', ':now': now.toISOString() };
  const sets = Object.entries(change)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      return `#d.#${field} = :${field}`;
    });
  try {
    await dynamoDb().send(
      new UpdateItemCommand({
        TableName: tableNames().streamState,
        Key: keyOf(conferenceId, documentId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#d.#s = :running AND #d.#deadline > :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new DocumentNotRunningError(`Document ${documentId} is no longer running`);
    throw error;
  }
};
