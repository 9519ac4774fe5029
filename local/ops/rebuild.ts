/**
 * `npm run rebuild -- <projection>... | --all [--keep-old] [--force] [--segments N]`
 * `            [--cloud [--stage dev|prod] [--stack NAME] [--region REGION]]`
 *
 * Rebuilds read models from the event store into a new generation, switches to it when it is complete
 * and deletes the older generations (unless --keep-old). Locally on DATA_DIR's DynamoDB Local (that of a
 * running `npm start`, or one started for the purpose on DYNAMODB_PORT); with --cloud on the tables of
 * the deployed stack, with the default AWS credentials. See functions/shared/projections/rebuild.ts for the steps.
 */
import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { type EventCodec, personalDataCodec } from '../../functions/shared/personal-data/codec.js';
import { DataKeys } from '../../functions/shared/personal-data/data-keys.js';
import {
  type KeyService,
  keyService,
  kmsKeyService,
} from '../../functions/shared/personal-data/key-service.js';
import {
  type AnyProjection,
  approximateItemCount,
  deleteOldGenerations,
  POINTER_SETTLE_MS,
  projectionNamed,
  type RebuildResult,
  rebuild,
  rebuildableProjections,
} from '../../functions/shared/projections/rebuild.js';
import { awsClientSettings } from '../../functions/shared/resilience/aws-clients.js';
import { supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { dataDirFromEnv } from '../data-dir.js';
import { errorMessage } from '../log.js';
import { localKeyService } from '../personal-data-keys.js';
import { createLazyRateProgress } from './progress.js';
import {
  connectCloud,
  connectLocal,
  dynamoDbPortFromEnv,
  type TablesTarget,
  targetOptions,
} from './targets.js';

const usage = `usage: npm run rebuild -- <projection>... | --all [--keep-old] [--force] [--segments N]
                 [--cloud [--stage dev|prod] [--stack NAME] [--region REGION]]
projections: ${rebuildableProjections.map((projection) => projection.name).join(', ')}`;

const say = (line: string) => process.stdout.write(`${line}\n`);
const number = (value: number) => value.toLocaleString('en-US');

const parse = () => {
  const { values, positionals } = parseArgs({
    options: {
      all: { type: 'boolean', default: false },
      'keep-old': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      segments: { type: 'string', default: '4' },
      ...targetOptions,
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    say(usage);
    process.exit(0);
  }
  if (values.all === positionals.length > 0)
    throw new Error('name the projections to rebuild, or give --all');
  const projections: AnyProjection[] = values.all
    ? [...rebuildableProjections]
    : positionals.map((name) => {
        const projection = projectionNamed(name);
        if (!projection) throw new Error(`unknown projection ${name}`);
        return projection;
      });
  const segments = Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > 64)
    throw new Error('--segments must be a whole number from 1 to 64');
  return { ...values, projections: [...new Set(projections)], segments };
};

const printResult = (result: RebuildResult) => {
  const seconds = result.scanMs / 1000;
  say(
    `Scanned ${number(result.scannedItems)} items, ${number(result.events)} events in ${seconds.toFixed(1)} s ` +
      `(${number(Math.round(result.events / Math.max(seconds, 0.001)))} events/s)`,
  );
  for (const change of result.changes) {
    const outcome = result.outcomes[change.projection];
    say(
      `  ${change.projection}: generation ${change.previous} → ${change.generation}; ` +
        `${number(outcome?.applied ?? 0)} events applied, ${number(outcome?.duplicate ?? 0)} already applied ` +
        `by live delivery, ${number(outcome?.ignored ?? 0)} not of its types`,
    );
  }
};

/**
 * The keys that open personal data for the rebuild: locally the master key in DATA_DIR; in the cloud KMS
 * with the stack's two keys of personal data, by its outputs (a stack deployed before them has none: then
 * PERSONAL_DATA_KEY_ID and EMAIL_MAC_KEY_ID of the environment, read by `keyService()`).
 */
const rebuildKeyService = async (target: TablesTarget, cloud: boolean): Promise<KeyService | undefined> => {
  if (!cloud) return localKeyService(dataDirFromEnv());
  if (!target.keys) return undefined;
  const { dataKeyId, macKeyId, region } = target.keys;
  return kmsKeyService({ dataKeyId, macKeyId, client: new KMSClient({ ...awsClientSettings(), region }) });
};

const main = async () => {
  let options: ReturnType<typeof parse>;
  try {
    options = parse();
  } catch (error) {
    process.stderr.write(`rebuild: ${errorMessage(error)}\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  const abort = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      process.stderr.write(`\n${signal} again: exiting now\n`);
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the rebuild (the active generations stay as they are)...\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let target: TablesTarget | undefined;
  try {
    target = options.cloud
      ? await connectCloud({ stage: options.stage, stackName: options.stack, region: options.region })
      : await connectLocal({ dataDir: dataDirFromEnv(), port: dynamoDbPortFromEnv(), log: say });
    // The projections that read personal data are rebuilt from events opened with the local master key,
    // or in the cloud with the stack's KMS keys (its outputs).
    const keys = await rebuildKeyService(target, options.cloud);
    if (keys) supplyAdapters({ keyService: keys });
    const names = options.projections.map((projection) => projection.name);
    say(`Rebuilding ${names.join(', ')} in ${target.description}`);
    if (!target.shared) say('Nothing else uses these tables now: no need to wait for running functions.');

    const total = await approximateItemCount(target.client, target.tables.events);
    say(
      `${target.tables.events} holds about ${number(total)} items (DescribeTable ItemCount: every kind of item, ` +
        'not only events; in the cloud refreshed about every six hours), the 100% of the bar below.',
    );
    const progress = createLazyRateProgress({
      label: 'Rebuilding',
      total: () => total,
      unit: 'items scanned',
      countedUnit: 'events',
      log: say,
    });
    const pointerSettleMs = target.shared ? POINTER_SETTLE_MS : 0;
    // The registrant list holds plaintext: its events are opened with the data keys.
    let codec: EventCodec | undefined;
    if (options.projections.some((projection) => projection.opensPersonalData)) {
      codec = personalDataCodec({
        dataKeys: new DataKeys({
          client: target.client,
          tableName: target.tables.dataKeys,
          // The keys supplied above; for an older stack in the cloud, the environment's KMS keys.
          keyService,
        }),
        open: true,
        // The registrant list keeps sensitive answers apart and the answers-summary counts them (5.2).
        openSensitive: true,
      });
    }
    let result: RebuildResult;
    try {
      result = await rebuild({
        client: target.client,
        tables: target.tables,
        projections: options.projections,
        segments: options.segments,
        pointerSettleMs,
        force: options.force,
        codec,
        signal: abort.signal,
        log: (line) => {
          progress.stop(); // the lines after the scan: the bar stays where it ended
          say(line);
        },
        onProgress: (p) => progress.update(p.scannedItems, p.events, p.elapsedMs),
      });
    } finally {
      progress.stop();
    }
    printResult(result);

    // An older generation is fed no more events, so an erasure would not reach the personal data in it:
    // those of a projection that holds personal data are deleted even with --keep-old.
    const personal = new Set(
      options.projections.filter((projection) => projection.opensPersonalData).map((p) => p.name),
    );
    const superseded = options['keep-old']
      ? result.changes.filter((change) => personal.has(change.projection))
      : result.changes;
    if (options['keep-old'])
      say(
        'Older generations kept (--keep-old); they are never read again' +
          (superseded.length > 0
            ? `, but for those of ${superseded.map((change) => change.projection).join(', ')}, which hold personal data.`
            : '.'),
      );
    if (superseded.length > 0) {
      const readModels = await approximateItemCount(target.client, target.tables.readModels);
      const deleting = createLazyRateProgress({
        label: 'Deleting older generations',
        total: () => readModels,
        unit: 'read-model items scanned',
        countedUnit: 'deleted',
        log: say,
      });
      let deleted: number;
      try {
        deleted = await deleteOldGenerations({
          client: target.client,
          readModelsTable: target.tables.readModels,
          personalReadModelsTable: target.tables.personalReadModels,
          changes: superseded,
          pointerSettleMs,
          signal: abort.signal,
          log: say,
          onProgress: (p) => deleting.update(p.scannedItems, p.deleted),
        });
      } finally {
        deleting.stop();
      }
      say(`Deleted ${number(deleted)} items of older generations.`);
    }
    say('Done.');
  } catch (error) {
    process.stderr.write(`rebuild: ${errorMessage(error)}\n`);
    process.exitCode = interrupted ? 130 : 1;
  } finally {
    await target?.close();
  }
};

await main();
