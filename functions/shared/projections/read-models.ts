import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { personalReadModelsTable, readModelTableOf } from '../../../infra/definitions/tables.js';
import { dynamoDb, tableNames } from '../runtime/config.js';

/**
 * The table of a projection's read model: the personal read models for those that hold plaintext personal
 * data (infra/definitions/tables.ts, `plaintextProjections`), the read models for the others.
 */
export const readModelTable = (projection: string): string =>
  readModelTableOf(projection) === personalReadModelsTable
    ? tableNames().personalReadModels
    : tableNames().readModels;

/** Read models are kept per generation so that a rebuild can fill a new one while the old one serves. */
export const readModelPartition = (projection: string, generation: number, conferenceId: string) =>
  `${projection}#g${generation}#${conferenceId}`;

export const rowKey = (streamId: string) => `stream#${streamId}`;

/**
 * The item of a row's lookup key (StreamProjection.lookupsOf): a partition of its own, so it is found
 * without the conference; under the projection's generation prefix, so old generations are deleted with it.
 */
export const lookupItemKey = (projection: string, generation: number, key: string) => ({
  pk: `${projection}#g${generation}#lookup#${key}`,
  sk: 'lookup',
});
export const SUMMARY = 'summary';
export const pointerKey = (projection: string) => ({ pk: `projection#${projection}`, sk: 'pointer' });

export interface GenerationPointer {
  /** The generation queries read. */
  active: number;
  /** A generation being rebuilt: projectors keep it up to date too, so it is complete when switched to. */
  building?: number;
}

/** How long a running function trusts the pointer it read (a rebuild waits this long after changing it). */
export const POINTER_TTL_MS = 5_000;
const pointers = new Map<string, { pointer: GenerationPointer; readAt: number }>();

export const generationPointer = async (projection: string): Promise<GenerationPointer> => {
  const cached = pointers.get(projection);
  if (cached && Date.now() - cached.readAt < POINTER_TTL_MS) return cached.pointer;
  const { Item } = await dynamoDb().send(
    new GetItemCommand({ TableName: readModelTable(projection), Key: marshall(pointerKey(projection)) }),
  );
  const stored = Item ? unmarshall(Item) : undefined;
  const pointer: GenerationPointer = {
    active: typeof stored?.active === 'number' ? stored.active : 1,
    ...(typeof stored?.building === 'number' ? { building: stored.building } : {}),
  };
  pointers.set(projection, { pointer, readAt: Date.now() });
  return pointer;
};

/**
 * The pointer as this environment last read it, however long ago (undefined before the first read): for a
 * query that reads the generation it names while generationPointer() checks it, and reads again if not.
 */
export const lastGenerationPointer = (projection: string): GenerationPointer | undefined =>
  pointers.get(projection)?.pointer;

export const liveGenerations = async (projection: string): Promise<number[]> => {
  const { active, building } = await generationPointer(projection);
  return building === undefined || building === active ? [active] : [active, building];
};

/** One item of the served generation of a projection. */
export const readModelItem = async (
  projection: string,
  conferenceId: string,
  sk: string,
): Promise<Record<string, unknown> | undefined> => {
  const { active } = await generationPointer(projection);
  const { Item } = await dynamoDb().send(
    new GetItemCommand({
      TableName: readModelTable(projection),
      Key: marshall({ pk: readModelPartition(projection, active, conferenceId), sk }),
    }),
  );
  return Item ? unmarshall(Item) : undefined;
};

/** The row a lookup key of the served generation finds (its copy of the row's state), if any. */
export const readModelLookup = async (
  projection: string,
  key: string,
): Promise<Record<string, unknown> | undefined> => {
  const { active } = await generationPointer(projection);
  const { Item } = await dynamoDb().send(
    new GetItemCommand({
      TableName: readModelTable(projection),
      Key: marshall(lookupItemKey(projection, active, key)),
    }),
  );
  const state = Item ? unmarshall(Item).state : undefined;
  return state && typeof state === 'object' ? (state as Record<string, unknown>) : undefined;
};
