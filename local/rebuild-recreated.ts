import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type RebuildResult,
  type RebuildTables,
  rebuild,
  rebuildableProjections,
} from '../functions/shared/projections/rebuild.js';
import { readModelTableOf, type TableDefinition } from '../infra/definitions/tables.js';

/**
 * Rebuilds from the events the read models of the tables `createTables` recreated (their definition
 * gained an index an existing table cannot be given): without it, their projections would serve nothing
 * until `npm run rebuild`. Nothing else uses the tables yet, so no pointer needs time to settle.
 */
export const rebuildRecreatedReadModels = async (options: {
  client: DynamoDBClient;
  tables: RebuildTables;
  recreated: readonly TableDefinition[];
  log: (line: string) => void;
}): Promise<RebuildResult | undefined> => {
  const { client, tables, recreated, log } = options;
  const projections = rebuildableProjections.filter((projection) =>
    recreated.includes(readModelTableOf(projection.name)),
  );
  if (projections.length === 0) return undefined;
  const names = projections.map((projection) => projection.name).join(', ');
  log(`Rebuilding ${names} from the events...`);
  const result = await rebuild({ client, tables, projections, pointerSettleMs: 0 });
  log(`Rebuilt ${names}: ${result.events} events in ${(result.totalMs / 1000).toFixed(1)} s`);
  return result;
};
