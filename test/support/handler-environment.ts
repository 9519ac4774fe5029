import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { documentsAccess, documentsFunction } from '../../infra/definitions/documents.js';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import type { TableAccessDefinition } from '../../infra/definitions/table-access.js';
import { supplyLocalAdapters } from '../../local/adapters.js';
import { localKeyService } from '../../local/personal-data-keys.js';
import { localServerSecrets } from '../../local/server-secrets.js';
import { loadSigningKey, signOrganizerToken } from '../../local/signing-key.js';
import { runWithTableGrants } from '../../local/table-grants.js';
import { httpEvent, lambdaContext } from './api-gateway.js';
import { createTestTables, type TestTables } from './tables.js';

export type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export const repoRoot = resolve(import.meta.dirname, '../..');

export interface HandlerEnvironmentOptions {
  /** POWERTOOLS_LOG_LEVEL of the handlers; left as it is when not given. */
  logLevel?: 'SILENT' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL';
  /** More variables set with the others (before any handler module is imported), e.g. Powertools switches. */
  env?: Record<string, string>;
}

export interface HandlerEnvironment {
  tables: TestTables;
  /** A temporary directory holding the local signing key (and the outbox). */
  dataDir: string;
  /** Where the notifier writes its emails (the local outbox adapter's folder). */
  outbox: string;
  /** A bearer token of the organizers' group. */
  organizerToken: string;
  /** A bearer token of a signed-in user in no group (not an organizer). */
  memberToken: string;
  /** Destroys the tables' client and removes `dataDir`. */
  dispose: () => Promise<void>;
}

/**
 * Own tables in the run's DynamoDB Local, a local signing key in a temporary directory, the local adapters
 * (local/adapters.ts) and the environment the handler modules read once when first used: call this before
 * importing any of them
 * (importHandler, importRouteHandlers, or any module of functions/ that reads its configuration).
 */
export const prepareHandlerEnvironment = async (
  prefix: string,
  options: HandlerEnvironmentOptions = {},
): Promise<HandlerEnvironment> => {
  const tables = await createTestTables(prefix);
  const dataDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const key = await loadSigningKey(dataDir);
  const outbox = join(dataDir, 'outbox');
  await mkdir(outbox, { recursive: true });
  supplyLocalAdapters({
    jwksFile: key.jwksFile,
    outbox,
    keyService: await localKeyService(dataDir),
    serverSecrets: await localServerSecrets(dataDir),
  });
  Object.assign(process.env, {
    EVENTS_TABLE: tables.events,
    STREAM_STATE_TABLE: tables.streamState,
    READ_MODELS_TABLE: tables.readModels,
    DATA_KEYS_TABLE: tables.dataKeys,
    PERSONAL_READ_MODELS_TABLE: tables.personalReadModels,
    DYNAMODB_ENDPOINT: tables.endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The API's address, which the cloud gives every consumer that sends links (infra/constructs/consumers.ts).
    PUBLIC_API_URL: 'http://127.0.0.1:3000/',
    ...(options.logLevel ? { POWERTOOLS_LOG_LEVEL: options.logLevel } : {}),
    ...options.env,
  });
  return {
    tables,
    dataDir,
    outbox,
    organizerToken: await signOrganizerToken({ dataDir }),
    memberToken: await signOrganizerToken({ dataDir, groups: [] }),
    dispose: async () => {
      tables.client.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** The handler of a module, by its entry (a path from the repository root, as in infra/definitions). */
/** The definition of the function whose handler module is `entry`: a route's, rule's, schedule's... */
const definitionOf = (entry: string): (TableAccessDefinition & { name: string }) | undefined =>
  routes.find((route) => route.entry === entry) ??
  rules.find((rule) => rule.consumer === entry) ??
  schedules.find((job) => job.entry === entry) ??
  (entry === documentsFunction.entry ? documentsAccess : undefined) ??
  (entry === pipeDefinition.enrichment ? pipeDefinition.enrichmentAccess : undefined);

/**
 * The handler of `entry`, held to the tables and actions its function's definition declares, as the local
 * runtime runs it (local/table-grants.ts): a call it makes outside them fails with AccessDeniedException,
 * so the integration tests prove the declarations too. What a test does itself around it is not held.
 */
export const importHandler = async <H = Handler>(entry: string): Promise<H> => {
  const module = (await import(pathToFileURL(resolve(repoRoot, entry)).href)) as { handler: H };
  const definition = definitionOf(entry);
  if (!definition) return module.handler;
  const handler = module.handler as unknown as (...args: unknown[]) => Promise<unknown>;
  return ((...args: unknown[]) => runWithTableGrants(definition, async () => handler(...args))) as H;
};

/** Every route's handler, by route name. */
export const importRouteHandlers = async (): Promise<Record<string, Handler>> =>
  Object.fromEntries(await Promise.all(routes.map(async (r) => [r.name, await importHandler(r.entry)])));

/**
 * Calls route handlers by route name, each with a POST event to `/<route>` carrying the path parameters
 * (the handlers read those, not the path); the answer's JSON body parsed (undefined when empty).
 */
export const routeCaller =
  (handlers: Record<string, Handler>) =>
  async (
    route: string,
    pathParameters: Record<string, string>,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const result = await (handlers[route] as Handler)(
      httpEvent('POST', `/${route}`, { ...options, pathParameters }),
      lambdaContext(route),
    );
    const body = typeof result.body === 'string' && result.body ? JSON.parse(result.body) : undefined;
    return { status: result.statusCode, body };
  };
