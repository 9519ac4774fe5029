import {
  AttributeType,
  ProjectionType,
  StreamViewType,
  type Table,
  type TableProps,
} from 'aws-cdk-lib/aws-dynamodb';
import type { KeyAttribute, TableDefinition } from '../definitions/tables.js';

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

const streamViewTypes = { NEW_IMAGE: StreamViewType.NEW_IMAGE } as const;

/** The key schema, stream and TTL of a table declared in `infra/definitions/tables.ts`. */
export const keySchema = (
  definition: TableDefinition,
): Pick<TableProps, 'partitionKey' | 'sortKey' | 'timeToLiveAttribute' | 'stream'> => ({
  partitionKey: attribute(definition.partitionKey),
  sortKey: attribute(definition.sortKey),
  ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
  ...(definition.stream ? { stream: streamViewTypes[definition.stream] } : {}),
});

/** Adds the declared global secondary indexes (all attributes projected) and local ones (keys and the attributes named). */
export const addIndexes = (table: Table, definition: TableDefinition): void => {
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
    });
  }
  for (const index of definition.localSecondaryIndexes ?? []) {
    table.addLocalSecondaryIndex({
      indexName: index.indexName,
      sortKey: attribute(index.sortKey),
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: index.projectedAttributes,
    });
  }
};
