/**
 * `npm run erase-expired [-- --today YYYY-MM-DD]`
 *   Erases every registration of the conferences past their personal-data retention, as the daily
 *   scheduled function does, with a progress bar per conference. Locally only (in the cloud the
 *   schedule rule runs the function; invoke it with `aws lambda invoke` to run it now).
 * `npm run reapply-erasures [-- --cloud [--stage dev|prod] [--stack NAME] [--region R]]`
 *   After a point-in-time restore of the data-keys table: destroys again the keys of every registration
 *   whose PersonalDataErased is in the event store, and empties its rows of the read models of plaintext
 *   personal data (and deletes their index and lookup items).
 */
import { parseArgs } from 'node:util';
import { dataDirFromEnv, localPaths } from '../data-dir.js';
import { configureHandlerEnvironment } from '../local-stack.js';
import { errorMessage } from '../log.js';
import { localKeyService } from '../personal-data-keys.js';
import { localServerSecrets } from '../server-secrets.js';
import { loadSigningKey } from '../signing-key.js';
import { createRateProgress } from './progress.js';
import { connectCloud, connectLocal, dynamoDbPortFromEnv, targetOptions } from './targets.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

const command = process.argv[2];

const eraseExpired = async (args: string[]) => {
  const { values } = parseArgs({
    args,
    options: { today: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    say('usage: npm run erase-expired [-- --today YYYY-MM-DD]');
    return;
  }
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error('--today must be a date YYYY-MM-DD');
  const dataDir = dataDirFromEnv();
  const port = dynamoDbPortFromEnv();
  const target = await connectLocal({ dataDir, port, log: say });
  try {
    const { jwksFile } = await loadSigningKey(dataDir);
    configureHandlerEnvironment({
      dynamoDbEndpoint: `http://127.0.0.1:${port}`,
      tables: target.tables,
      paths: localPaths(dataDir),
      jwksFile,
      keyService: await localKeyService(dataDir),
      serverSecrets: await localServerSecrets(dataDir),
    });
    const { eraseExpiredRegistrations } = await import('../../functions/shared/personal-data/retention.js');
    say(
      `Erasing the registrations of conferences past their retention on ${today}, in ${target.description}`,
    );
    let bar: ReturnType<typeof createRateProgress> | undefined;
    let barOf: string | undefined;
    const result = await eraseExpiredRegistrations({
      today,
      correlationId: `erase-expired-${today}`,
      onProgress: ({ conferenceId, acronym, done, total }) => {
        if (barOf !== conferenceId) {
          bar?.stop();
          barOf = conferenceId;
          say(`${acronym} (${conferenceId}): ${total} registrations to erase`);
          bar =
            total > 0
              ? createRateProgress({
                  label: acronym,
                  total,
                  unit: 'registrations',
                  countedUnit: 'erased',
                  log: say,
                })
              : undefined;
        }
        bar?.update(done, done);
      },
    });
    bar?.stop();
    say(
      `${result.conferencesDue} conferences past their retention; ${result.erased} registrations erased, ` +
        `${result.alreadyErased} already erased, ${result.failed.length} failed.`,
    );
    const { retentionSummary } = await import('../../functions/shared/personal-data/retention-summary.js');
    for (const line of retentionSummary(result)) say(`  ${line}`);
    for (const failure of result.failed) say(`  not erased: ${failure.registrationId}: ${failure.error}`);
    if (result.failed.length > 0) process.exitCode = 1;
  } finally {
    await target.close();
  }
};

const reapply = async (args: string[]) => {
  const { values } = parseArgs({ args, options: targetOptions, strict: true });
  if (values.help) {
    say('usage: npm run reapply-erasures [-- --cloud [--stage dev|prod] [--stack NAME] [--region R]]');
    return;
  }
  const target = values.cloud
    ? await connectCloud({ stage: values.stage, stackName: values.stack, region: values.region })
    : await connectLocal({ dataDir: dataDirFromEnv(), port: dynamoDbPortFromEnv(), log: say });
  try {
    if (!target.tables.dataKeys)
      throw new Error('The stack has no DataKeysTableName output: deploy this version');
    const { reapplyErasures } = await import('../../functions/shared/personal-data/reapply.js');
    say(`Re-applying every PersonalDataErased of ${target.tables.events} to ${target.tables.dataKeys}`);
    const result = await reapplyErasures({
      client: target.client,
      eventsTable: target.tables.events,
      dataKeysTable: target.tables.dataKeys,
      ...(target.tables.personalReadModels
        ? { personalReadModelsTable: target.tables.personalReadModels }
        : {}),
      onProgress: ({ scannedItems, erasures }) =>
        say(`  ${scannedItems} items scanned, ${erasures} erasures re-applied`),
    });
    say(
      `Done: ${result.erasures} erasures re-applied (${result.scannedItems} items scanned); ` +
        `${result.readModelItems} read-model items of erased registrations emptied or deleted.`,
    );
  } finally {
    await target.close();
  }
};

try {
  if (command === 'erase-expired') await eraseExpired(process.argv.slice(3));
  else if (command === 'reapply-erasures') await reapply(process.argv.slice(3));
  else throw new Error(`unknown command ${command ?? ''}: erase-expired or reapply-erasures`);
} catch (error) {
  process.stderr.write(`${command}: ${errorMessage(error)}\n`);
  process.exitCode = 1;
}
