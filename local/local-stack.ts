import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyService } from '../functions/shared/personal-data/key-service.js';
import type { ServerSecrets } from '../functions/shared/runtime/adapters.js';
import { dynamoDb } from '../functions/shared/runtime/config.js';
import { ALLOWED_ORIGINS_ENV, ANY_ORIGIN, parseAllowedOrigins } from '../infra/definitions/cors.js';
import type { RouteDefinition } from '../infra/definitions/routes.js';
import type { RuleDefinition } from '../infra/definitions/rules.js';
import {
  dataKeysTable,
  env,
  eventsTable,
  personalReadModelsTable,
  readModelsTable,
  streamStateTable,
  type TableDefinition,
} from '../infra/definitions/tables.js';
import { buildPageScripts } from '../infra/page-scripts.js';
import { supplyLocalAdapters } from './adapters.js';
import { LOCAL_REGION, localClientConfig, localCredentials } from './aws-config.js';
import { createTables } from './create-tables.js';
import { type LocalPaths, localPaths } from './data-dir.js';
import { type LocalDocumentJobs, localDocumentJobs } from './document-jobs.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { type BusEvent, type EventBus, type SqsHandler, startEventBus } from './event-bus.js';
import { type HttpHandler, startHttpServer } from './http-server.js';
import { consoleLogger, type LocalLogger } from './log.js';
import { localKeyService } from './personal-data-keys.js';
import { describePortOwner, isPortFree } from './ports.js';
import { rebuildRecreatedReadModels } from './rebuild-recreated.js';
import { localServerSecrets } from './server-secrets.js';
import { loadSigningKey, signOrganizerToken } from './signing-key.js';
import { type Enrich, type StreamPoller, startStreamPoller } from './stream-poller.js';
import { leanForDynamoDbLocal } from './unsigned-requests.js';

export interface LocalStackOptions {
  /** DynamoDB Local's files, the signing key, the outbox, dead letters, pipeline state. */
  dataDir: string;
  /** HTTP API port on 127.0.0.1; 0 picks a free one. Default 3000. */
  port?: number;
  /**
   * `{port}` starts DynamoDB Local (files in `<dataDir>/dynamodb`, or in memory with `inMemory`);
   * `{endpoint}` uses one that is already running (tests), which stop() leaves running.
   * Default `{port: 8000}`.
   */
  dynamoDb?: { port: number; inMemory?: boolean; jvmOptions?: readonly string[] } | { endpoint: string };
  /** Put in front of the table names, so that several stacks can share one DynamoDB Local. */
  tablePrefix?: string;
  /** For tests; default: the definitions in infra/definitions. */
  routes?: readonly RouteDefinition[];
  rules?: readonly RuleDefinition[];
  loadHandler?: (route: RouteDefinition) => Promise<HttpHandler>;
  loadConsumer?: (rule: RuleDefinition) => Promise<SqsHandler>;
  enrich?: Enrich;
  /** Bus redelivery delays; see EventBusOptions. */
  retryDelay?: { baseMs: number; maxMs: number };
  /** Per component; default: prefixed console lines. */
  logger?: (component: 'stack' | 'http' | 'pipe' | 'bus') => LocalLogger;
  /** Origins browsers may call the API from; default ALLOWED_ORIGINS, else `*` (locally only). */
  allowedOrigins?: readonly string[];
}

export interface LocalStack {
  apiUrl: string;
  dynamoDbEndpoint: string;
  tables: {
    events: string;
    streamState: string;
    readModels: string;
    dataKeys: string;
    personalReadModels: string;
  };
  paths: LocalPaths;
  /** The environment given to the handlers (also set on process.env). */
  handlerEnvironment: Record<string, string>;
  bus: EventBus;
  poller: StreamPoller;
  /** The documents made in the background (CONTRACT 5.5), as the cloud's documents queue. */
  documents: LocalDocumentJobs;
  /** A token of the local issuer (default group `organizers`, 12 h). */
  organizerToken(groups?: string[]): Promise<string>;
  /**
   * Resolves once everything stored so far went through the pipeline: the stream is read to its end,
   * the queues are empty, and the events that consumers appended meanwhile went through as well.
   */
  settled(): Promise<void>;
  /** HTTP server, stream poller, bus, then DynamoDB Local (if this stack started it). */
  stop(): Promise<void>;
}

/**
 * Sets the environment the handler modules read (the Lambda environment in the cloud) and supplies the
 * local adapters (local/adapters.ts). The process-wide Powertools settings are only defaults: set them
 * yourself to see more.
 */
export const configureHandlerEnvironment = (values: {
  dynamoDbEndpoint: string;
  tables: LocalStack['tables'];
  paths: LocalPaths;
  jwksFile: string;
  keyService: KeyService;
  serverSecrets: ServerSecrets;
  documentJobs?: LocalDocumentJobs;
}): Record<string, string> => {
  supplyLocalAdapters({
    jwksFile: values.jwksFile,
    outbox: values.paths.outbox,
    keyService: values.keyService,
    serverSecrets: values.serverSecrets,
    exportsDir: values.paths.exports,
    ...(values.documentJobs ? { documentJobs: values.documentJobs } : {}),
  });
  const handlerEnvironment: Record<string, string> = {
    [env.eventsTable]: values.tables.events,
    [env.streamStateTable]: values.tables.streamState,
    [env.readModelsTable]: values.tables.readModels,
    [env.dataKeysTable]: values.tables.dataKeys,
    [env.personalReadModelsTable]: values.tables.personalReadModels,
    [env.dynamoDbEndpoint]: values.dynamoDbEndpoint,
    // The SDK must never reach real AWS from here: dummy credentials, and DynamoDB pinned to the local one.
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: values.dynamoDbEndpoint,
  };
  Object.assign(process.env, handlerEnvironment);
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  // DynamoDB Local checks no signature and reads no user agent: the handlers' client sends neither (the CPU of one thread).
  leanForDynamoDbLocal(dynamoDb());
  // One process serves every handler, several at a time: Powertools keeps each invocation's state in
  // its own invoke context (see invokeHandler), as in a Lambda environment with this setting.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  // Readable console: warnings and errors only, no metrics output.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'LearningCitiesLocal';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'learning-cities-local';
  return handlerEnvironment;
};

/** Starts the whole system on this machine; on a failure, whatever had started is stopped again. */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const paths = localPaths(resolve(options.dataDir));
  const logger = options.logger ?? consoleLogger;
  const dynamoDbOption = options.dynamoDb ?? { port: 8000 };
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];

  const stopAll = async () => {
    const failures: unknown[] = [];
    for (const { name, stop } of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        logger('stack').error(`stopping ${name} failed`, error);
        failures.push(error);
      }
    }
    if (failures.length) throw new AggregateError(failures, 'The local stack did not stop cleanly');
  };

  const port = options.port ?? 3000;
  if (port !== 0 && !(await isPortFree(port, '127.0.0.1'))) {
    // Checked before DynamoDB Local starts, to fail fast; startHttpServer says the same later on a race.
    throw new Error(
      `Cannot start the HTTP API: port ${port} on 127.0.0.1 is already in use by ${describePortOwner(port)}. ` +
        'Or choose another port with PORT.',
    );
  }

  try {
    await Promise.all(
      [paths.outbox, paths.deadLetters, paths.pipeline].map((dir) => mkdir(dir, { recursive: true })),
    );

    let dynamoDbEndpoint: string;
    if ('endpoint' in dynamoDbOption) dynamoDbEndpoint = dynamoDbOption.endpoint;
    else {
      const dynamoDb = await startDynamoDbLocal({
        port: dynamoDbOption.port,
        path: dynamoDbOption.inMemory ? undefined : paths.dynamoDb,
        jvmOptions: dynamoDbOption.jvmOptions,
      });
      stops.push({ name: 'DynamoDB Local', stop: dynamoDb.stop });
      dynamoDbEndpoint = dynamoDb.endpoint;
    }

    const client = new DynamoDBClient(localClientConfig(dynamoDbEndpoint));
    const recreated: TableDefinition[] = [];
    let names: Record<string, string>;
    try {
      names = await createTables(client, {
        prefix: options.tablePrefix,
        onRecreated: (definition, problems) => {
          logger('stack').warn(
            `${definition.id} no longer fitted its definition (${problems.join('; ')}): recreated it, ` +
              'its read models are rebuilt from the events',
          );
          recreated.push(definition);
        },
      });
    } finally {
      client.destroy();
    }
    const tables = {
      events: names[eventsTable.id] ?? '',
      streamState: names[streamStateTable.id] ?? '',
      readModels: names[readModelsTable.id] ?? '',
      dataKeys: names[dataKeysTable.id] ?? '',
      personalReadModels: names[personalReadModelsTable.id] ?? '',
    };

    const { jwksFile } = await loadSigningKey(paths.dataDir);
    const documents = localDocumentJobs({ logger: logger('stack') });
    stops.push({ name: 'the documents', stop: documents.stop });
    const handlerEnvironment = configureHandlerEnvironment({
      dynamoDbEndpoint,
      tables,
      paths,
      jwksFile,
      keyService: await localKeyService(paths.dataDir),
      serverSecrets: await localServerSecrets(paths.dataDir),
      documentJobs: documents,
    });
    if (recreated.length > 0) {
      const rebuildClient = new DynamoDBClient(localClientConfig(dynamoDbEndpoint));
      try {
        await rebuildRecreatedReadModels({
          client: rebuildClient,
          tables,
          recreated,
          log: (line) => logger('stack').info(line),
        });
      } finally {
        rebuildClient.destroy();
      }
    }

    const bus = await startEventBus({
      rules: options.rules,
      deadLetterDir: paths.deadLetters,
      stateDir: paths.queues,
      redriveDir: paths.redrive,
      loadConsumer: options.loadConsumer,
      retryDelay: options.retryDelay,
      logger: logger('bus'),
    });
    stops.push({ name: 'the event bus', stop: bus.stop });

    let published = 0;
    const publish = (event: BusEvent) => {
      published += 1;
      return bus.publish(event);
    };
    const poller = await startStreamPoller({
      endpoint: dynamoDbEndpoint,
      tableName: tables.events,
      publish,
      deadLetterDir: paths.deadLetters,
      checkpointFile: paths.streamCheckpoints,
      enrich: options.enrich,
      logger: logger('pipe'),
    });
    stops.push({ name: 'the stream poller', stop: poller.stop });

    // The delegate's pages' scripts, bundled as CDK bundles them (infra/page-scripts.ts).
    buildPageScripts();
    const http = await startHttpServer({
      port,
      routes: options.routes,
      loadHandler: options.loadHandler,
      logger: logger('http'),
      exportsDir: paths.exports,
      allowedOrigins:
        options.allowedOrigins ?? parseAllowedOrigins(process.env[ALLOWED_ORIGINS_ENV] || ANY_ORIGIN),
    });
    stops.push({ name: 'the HTTP server', stop: http.close });
    // Consumers link to the API (a visa letter's verification URL): known once the server listens.
    process.env[env.publicApiUrl] = `${http.url}/`;
    handlerEnvironment[env.publicApiUrl] = `${http.url}/`;

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: http.url,
      dynamoDbEndpoint,
      tables,
      paths,
      handlerEnvironment,
      bus,
      poller,
      documents,
      organizerToken: (groups = ['organizers']) => signOrganizerToken({ groups, dataDir: paths.dataDir }),
      async settled() {
        for (;;) {
          await poller.caughtUp();
          const before = published;
          await bus.idle();
          await poller.caughtUp();
          if (published === before) return;
        }
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
};
