import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  PARTICIPANTS_DIMENSION,
  type ParticipantEntry,
  planRegistrantQuery,
  type RegistrantFilters,
  type RegistrantPlan,
  type RegistrantQuery,
  type RegistrantRow,
  type RegistrantSort,
  registeredAtKeyOfFamilyNameKey,
  registrationIdOfSortKey,
  sortTag,
} from '../../../domain/projections/registrant-list.js';
import { registrationStreamId } from '../../../domain/registration/decider.js';
import { familyNameOrderIndex } from '../../../infra/definitions/tables.js';
import { batchGetAll } from '../event-store/batch-get.js';
import { dynamoDb } from '../runtime/config.js';
import { registrantIndexPartition, registrantListProjection } from './projections.js';
import {
  generationPointer,
  lastGenerationPointer,
  readModelPartition,
  readModelTable,
  rowKey,
} from './read-models.js';

/**
 * Reading the registrant list (the read model of registrantListProjection): a page is one Query of one
 * index partition in sort-key order (its FilterExpression tests the filters that partition does not
 * answer) and one BatchGetItem of the rows; the conference check runs beside them (get-registrations).
 */

/** Where the list is read: the functions' table and generation, or given (benchmarks, tests). */
export interface RegistrantListSource {
  client: DynamoDBClient;
  tableName: string;
  generation: number;
}

const defaultSource = async (): Promise<RegistrantListSource> => ({
  client: dynamoDb(),
  tableName: readModelTable(registrantListProjection.name),
  generation: (await generationPointer(registrantListProjection.name)).active,
});

/** A cursor that does not belong to the query it came with, or is no cursor at all. */
export class InvalidCursorError extends Error {}

const CURSOR_VERSION = 1;
const MAX_SORT_KEY_LENGTH = 1024;

/** The query a cursor belongs to: its dimension, order and filters, hashed. */
const fingerprintOf = (plan: RegistrantPlan): string =>
  createHash('sha256').update(JSON.stringify(plan)).digest('base64url').slice(0, 22);

/**
 * Opaque to clients: base64url of `{v, p, a}`: `a` the sort key of the last registration given, `p` the
 * fingerprint of the query. A cursor of another query, or one not made here, is refused; one edited to
 * another sort key of the same query only starts the same list elsewhere, as any client could.
 */
export const encodeCursor = (plan: RegistrantPlan, after: string): string =>
  Buffer.from(JSON.stringify({ v: CURSOR_VERSION, p: fingerprintOf(plan), a: after })).toString('base64url');

export const decodeCursor = (plan: RegistrantPlan, cursor: string): string => {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new InvalidCursorError('is not a cursor of this list');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('is not a cursor of this list');
  }
  const { v, p, a } = (decoded ?? {}) as Record<string, unknown>;
  if (v !== CURSOR_VERSION || typeof a !== 'string' || typeof p !== 'string')
    throw new InvalidCursorError('is not a cursor of this list');
  if (p !== fingerprintOf(plan))
    throw new InvalidCursorError('belongs to another query: send the same filters and sort with it');
  if (!a.startsWith(plan.sortPrefix) || a.length > MAX_SORT_KEY_LENGTH || a.includes('\u0000'))
    throw new InvalidCursorError('is not a cursor of this list');
  if (plan.sortPrefix === sortTag.familyName && registeredAtKeyOfFamilyNameKey(a) === undefined)
    throw new InvalidCursorError('is not a cursor of this list');
  return a;
};

/**
 * Where a plan's order is read: the table's sort key (registeredAt), or the local index of the familyName
 * order (familyNameOrderIndex), whose pages start after a key given with the table's keys too.
 */
const orderOf = (plan: RegistrantPlan) =>
  plan.sortPrefix === sortTag.familyName
    ? {
        attribute: familyNameOrderIndex.sortKey.name,
        index: { IndexName: familyNameOrderIndex.indexName },
        startAfter: (pk: string, key: string) => ({
          pk,
          sk: registeredAtKeyOfFamilyNameKey(key),
          [familyNameOrderIndex.sortKey.name]: key,
        }),
      }
    : { attribute: 'sk', index: {}, startAfter: (pk: string, key: string) => ({ pk, sk: key }) };

/** The index Query of a plan: key condition on the dimension and order, FilterExpression for the rest. */
const indexQuery = (source: RegistrantListSource, conferenceId: string, plan: RegistrantPlan) => {
  const rows = readModelPartition(registrantListProjection.name, source.generation, conferenceId);
  const order = orderOf(plan);
  const names: Record<string, string> = { '#pk': 'pk', '#sk': order.attribute };
  const values: Record<string, unknown> = {
    ':pk': registrantIndexPartition(rows, plan.dimension),
    ':order': plan.sortPrefix,
  };
  const conditions: string[] = [];
  if (plan.statuses) {
    names['#s'] = 's';
    const list = plan.statuses.map((status, index) => {
      values[`:s${index}`] = status;
      return `:s${index}`;
    });
    conditions.push(`#s IN (${list.join(', ')})`);
  }
  if (plan.country !== undefined) {
    names['#c'] = 'c';
    values[':c'] = plan.country;
    conditions.push('#c = :c');
  }
  if (plan.category !== undefined) {
    names['#k'] = 'k';
    values[':k'] = plan.category;
    conditions.push('#k = :k');
  }
  if (plan.delegationId !== undefined) {
    names['#d'] = 'd';
    values[':d'] = plan.delegationId;
    conditions.push('#d = :d');
  }
  plan.words.forEach((word, index) => {
    names['#t'] = 't';
    values[`:w${index}`] = ` ${word}`;
    conditions.push(`contains(#t, :w${index})`);
  });
  return {
    rows,
    order,
    input: {
      TableName: source.tableName,
      ...order.index,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :order)',
      ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
      ProjectionExpression: '#sk',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values),
      ConsistentRead: true,
    },
    filtered: conditions.length > 0,
  };
};

/** The keys in the order read of a Query's entries (each ends with its registration's id). */
const orderKeysOf = (page: QueryCommandOutput, attribute: string): string[] =>
  (page.Items ?? []).flatMap((item) => item[attribute]?.S ?? []);

/** The rows of these registrations, in this order (a row erased meanwhile is left out). */
const rowsOf = async (
  source: RegistrantListSource,
  rowsPartition: string,
  registrationIds: readonly string[],
): Promise<RegistrantRow[]> => {
  const chunks: string[][] = [];
  for (let start = 0; start < registrationIds.length; start += 100)
    chunks.push(registrationIds.slice(start, start + 100));
  const found = await Promise.all(
    chunks.map((ids) =>
      batchGetAll(
        source.client,
        source.tableName,
        ids.map((id) => marshall({ pk: rowsPartition, sk: rowKey(registrationStreamId(id)) })),
        'Registrant list: reading rows',
        { ProjectionExpression: '#state', ExpressionAttributeNames: { '#state': 'state' } },
      ),
    ),
  );
  const byId = new Map<string, RegistrantRow>();
  for (const item of found.flat()) {
    const row = item.state as RegistrantRow | null | undefined;
    if (row) byId.set(row.registrationId, row);
  }
  return registrationIds.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
};

/**
 * Index entries a filtered page reads (Query's Limit counts them before the filter): first eight times
 * the page (about 100 KB), which fills it when an eighth or more of the entries of the dimension match (the usual case, as the dimension is
 * the most selective filter); if not, once more up to FILTERED_READ_LIMIT. Then the page answers with
 * what it found and a cursor: at most two Queries and the rows' BatchGetItem. An unfiltered page reads
 * exactly its entries (and one more, to know whether there is a next page).
 */
export const FILTERED_READ_LIMIT = 2000;
const filteredReads = (limit: number) => [
  Math.min(8 * (limit + 1), FILTERED_READ_LIMIT),
  FILTERED_READ_LIMIT,
];

export interface RegistrantPage {
  registrations: RegistrantRow[];
  nextCursor?: string;
}

/**
 * One page of the list. Throws InvalidCursorError for a cursor that is not of this query. When the cached
 * generation pointer has expired, the page is read from the generation it named while the pointer is read
 * again, and read once more only if the active generation changed (a rebuild switched): a rebuild deletes
 * an old generation only after every cached pointer expired, so the first read is complete or thrown away.
 */
export const registrantPage = async (
  conferenceId: string,
  query: RegistrantQuery,
  source?: RegistrantListSource,
): Promise<RegistrantPage> => {
  if (source) return pageOf(conferenceId, query, source);
  const name = registrantListProjection.name;
  const known = lastGenerationPointer(name);
  const fresh = generationPointer(name);
  const on = (generation: number) =>
    pageOf(conferenceId, query, {
      client: dynamoDb(),
      tableName: readModelTable(registrantListProjection.name),
      generation,
    });
  if (!known) return on((await fresh).active);
  const [pointer, page] = await Promise.all([fresh, on(known.active)]);
  return pointer.active === known.active ? page : on(pointer.active);
};

const pageOf = async (
  conferenceId: string,
  query: RegistrantQuery,
  from: RegistrantListSource,
): Promise<RegistrantPage> => {
  const plan = planRegistrantQuery(query.filters, query.sort);
  const after = query.cursor === undefined ? undefined : decodeCursor(plan, query.cursor);
  const { rows, input, filtered, order } = indexQuery(from, conferenceId, plan);
  const keys: string[] = [];
  let startKey: QueryCommandOutput['LastEvaluatedKey'] =
    after === undefined
      ? undefined
      : marshall(order.startAfter(input.ExpressionAttributeValues[':pk']?.S ?? '', after));
  let more = true;
  const reads = filtered ? filteredReads(query.limit) : [query.limit + 1];
  for (let queries = 0; queries < reads.length && keys.length <= query.limit && more; queries++) {
    const page: QueryCommandOutput = await from.client.send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey, Limit: reads[queries] }),
    );
    keys.push(...orderKeysOf(page, order.attribute));
    startKey = page.LastEvaluatedKey;
    more = startKey !== undefined;
  }
  const given = keys.slice(0, query.limit);
  const last = given.at(-1);
  // A next page when more matched than fit, or when the reads stopped before the partition's end.
  const continues = keys.length > query.limit || (more && startKey?.[order.attribute]?.S !== undefined);
  const resumeAt = keys.length > query.limit ? last : (startKey?.[order.attribute]?.S ?? last);
  const registrations = await rowsOf(from, rows, given.map(registrationIdOfSortKey));
  return {
    registrations,
    ...(continues && resumeAt !== undefined ? { nextCursor: encodeCursor(plan, resumeAt) } : {}),
  };
};

/** Rows read by one BatchGetItem (its limit) while the CSV or the badges page through a whole list. */
const ROWS_AT_ONCE = 100;

/**
 * Every registration that matches the filters, in the sort's order, read page by page (a whole
 * index partition in 1 MB Query pages, the rows in BatchGetItems of 100, a few at a time): for the
 * CSV export and the badges, however many there are.
 */
export async function* allRegistrants(
  conferenceId: string,
  filters: RegistrantFilters,
  options: { sort?: RegistrantSort; source?: RegistrantListSource } = {},
): AsyncGenerator<RegistrantRow> {
  const from = options.source ?? (await defaultSource());
  const plan = planRegistrantQuery(filters, options.sort ?? 'registeredAt');
  const { rows, input, order } = indexQuery(from, conferenceId, plan);
  let startKey: Record<string, AttributeValue> | undefined;
  let pending: string[] = [];
  const flush = async function* (all: boolean) {
    while (pending.length >= ROWS_AT_ONCE * 8 || (all && pending.length > 0)) {
      const ids = pending.slice(0, ROWS_AT_ONCE * 8);
      pending = pending.slice(ids.length);
      yield* await rowsOf(from, rows, ids);
    }
  };
  do {
    const page: QueryCommandOutput = await from.client.send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey }),
    );
    pending.push(...orderKeysOf(page, order.attribute).map(registrationIdOfSortKey));
    startKey = page.LastEvaluatedKey;
    yield* flush(false);
  } while (startKey);
  yield* flush(true);
}

/**
 * After an erasure, deletes the registration's row and index entries from every older generation of the
 * list that is still stored (a rebuild with --keep-old, or one whose deletion has not run yet): those are
 * never served again, but CONTRACT 4.1 wants personal data gone from every read model. Idempotent.
 */
export const scrubOlderGenerations = async (
  conferenceId: string,
  streamId: string,
  liveGenerations: readonly number[],
): Promise<number> => {
  const client = dynamoDb();
  const TableName = readModelTable(registrantListProjection.name);
  let scrubbed = 0;
  for (let generation = 1; generation < Math.max(...liveGenerations); generation++) {
    if (liveGenerations.includes(generation)) continue;
    const pk = readModelPartition(registrantListProjection.name, generation, conferenceId);
    const [row] = await batchGetAll(
      client,
      TableName,
      [marshall({ pk, sk: rowKey(streamId) })],
      'Registrant list: reading an older row',
    );
    const state = row?.state as RegistrantRow | null | undefined;
    if (!state) continue;
    const keys = [
      { pk, sk: rowKey(streamId) },
      ...(registrantListProjection.sideItems?.(pk, state) ?? []).map(({ pk, sk }) => ({ pk, sk })),
    ];
    for (let start = 0; start < keys.length; start += 25) {
      let requests = keys.slice(start, start + 25).map((key) => ({ DeleteRequest: { Key: marshall(key) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === 8) throw new Error('Registrant list: older generation items left unprocessed');
        const result = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [TableName]: requests } }),
        );
        requests = (result.UnprocessedItems?.[TableName] ?? []) as typeof requests;
      }
    }
    scrubbed++;
  }
  return scrubbed;
};

/** Where the functions read the list now: their table, at the generation served. */
export const registrantListSource = (): Promise<RegistrantListSource> => defaultSource();

/**
 * The ids of every registration that matches the filters, in the sort's order, from the index alone
 * (no row is read): what a background document counts before it starts, to report `done/total`.
 */
export const matchingRegistrationIds = async (
  conferenceId: string,
  filters: RegistrantFilters,
  sort: RegistrantSort,
  source: RegistrantListSource,
): Promise<string[]> => {
  const plan = planRegistrantQuery(filters, sort);
  const { input, order } = indexQuery(source, conferenceId, plan);
  const ids: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page: QueryCommandOutput = await source.client.send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey }),
    );
    ids.push(...orderKeysOf(page, order.attribute).map(registrationIdOfSortKey));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
};

/** The rows of these registrations, in this order (one erased meanwhile is left out). */
export const registrantRowsOf = (
  conferenceId: string,
  registrationIds: readonly string[],
  source: RegistrantListSource,
): Promise<RegistrantRow[]> =>
  rowsOf(
    source,
    readModelPartition(registrantListProjection.name, source.generation, conferenceId),
    registrationIds,
  );

/**
 * The public List of Participants of a conference (CONTRACT 5.3): the participant entries of the served
 * generation (only consenting seat holders have one), read in 1 MB Query pages. Nothing else of a
 * registration is read: the entries hold the public fields alone.
 */
export const participantEntries = async (conferenceId: string): Promise<ParticipantEntry[]> => {
  const source = await defaultSource();
  const rows = readModelPartition(registrantListProjection.name, source.generation, conferenceId);
  const entries: ParticipantEntry[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page: QueryCommandOutput = await source.client.send(
      new QueryCommand({
        TableName: source.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: marshall({
          ':pk': registrantIndexPartition(rows, PARTICIPANTS_DIMENSION),
        }),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      entries.push({
        sortKey: String(item.sk),
        givenName: String(item.g),
        familyName: String(item.f),
        organization: typeof item.o === 'string' ? item.o : null,
        country: String(item.c),
        ...(typeof item.d === 'string' ? { delegationId: item.d } : {}),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
};
