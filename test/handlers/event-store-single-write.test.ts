import {
  DynamoDBClient,
  PutItemCommand,
  TransactionConflictException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventStore, TRANSACTION_ATTEMPTS } from '../../functions/shared/event-store/event-store.js';
import { RetriesExhaustedError } from '../../functions/shared/resilience/policy.js';

/**
 * An append of one item (an Idempotency-Key record stored by itself) goes as one conditional PutItem. A
 * transaction in flight on that item refuses it with TransactionConflictException, which the SDK does not
 * retry: the store sends it again, as it sends again a transaction cancelled for contention.
 */
const dynamo = mockClient(DynamoDBClient);
const store = new EventStore({
  client: new DynamoDBClient({ region: 'local' }),
  tableName: 'Events',
  stateTableName: 'StreamState',
});
const conflict = () => new TransactionConflictException({ message: 'Transaction is ongoing', $metadata: {} });
const storeRecordAlone = () =>
  store.append({
    conferenceId: 'c1',
    correlationId: 'test',
    now: '2015-09-01T10:00:00.000Z',
    streams: [],
    idempotency: { key: 'idempotency#k1', requestHash: 'h1', response: '{}', expiresAt: 1_060, now: 1_000 },
  });

beforeEach(() => {
  dynamo.reset();
});

describe('an append of one item, on a conflict with a transaction in flight', () => {
  it('is sent again as one PutItem and then stored', async () => {
    dynamo.on(PutItemCommand).rejectsOnce(conflict()).rejectsOnce(conflict()).resolves({});
    await storeRecordAlone();
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(3);
    expect(dynamo.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('gives up after as many tries as a transaction gets', async () => {
    dynamo.on(PutItemCommand).rejects(conflict());
    await expect(storeRecordAlone()).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(TRANSACTION_ATTEMPTS);
  });
});
