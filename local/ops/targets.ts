import {
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClient as DynamoDBClientType,
  ListTablesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { outputKeys } from '../../infra/definitions/outputs.js';
import { env } from '../../infra/definitions/tables.js';
import { localClientConfig } from '../aws-config.js';
import { localPaths } from '../data-dir.js';
import { startDynamoDbLocal } from '../dynamodb-local.js';

/** The tables an ops command works on, and how to let go of them. */
export interface TablesTarget {
  client: DynamoDBClientType;
  tables: {
    events: string;
    streamState: string;
    readModels: string;
    dataKeys: string;
    personalReadModels: string;
  };
  /** The stack's KMS keys of personal data (cloud only), by ARN, and their region. */
  keys?: { dataKeyId: string; macKeyId: string; region: string };
  /** For the user: where the tables are. */
  description: string;
  /**
   * Whether other processes may use the tables meanwhile (a running `npm start`, the cloud's functions):
   * then a rebuild must wait for their cached generation pointers.
   */
  shared: boolean;
  /** Destroys the client and stops a DynamoDB Local this command started. Safe to call twice. */
  close(): Promise<void>;
}

/** Table names as the handlers read them (EVENTS_TABLE, READ_MODELS_TABLE), else the local defaults. */
export const localTableNames = () => ({
  events: process.env[env.eventsTable] || 'Events',
  streamState: process.env[env.streamStateTable] || 'StreamState',
  readModels: process.env[env.readModelsTable] || 'ReadModels',
  dataKeys: process.env[env.dataKeysTable] || 'DataKeys',
  personalReadModels: process.env[env.personalReadModelsTable] || 'PersonalReadModels',
});

/** Whether DynamoDB (Local) answers at `endpoint` within a moment. */
export const dynamoDbAnswers = async (endpoint: string, timeoutMs = 2_000): Promise<boolean> => {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
};

const requireTables = async (client: DynamoDBClientType, names: string[], where: string) => {
  for (const name of names) {
    try {
      await client.send(new DescribeTableCommand({ TableName: name }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException)
        throw new Error(
          `There is no table ${name} in ${where}: has \`npm start\` run with this DATA_DIR yet?`,
        );
      throw error;
    }
  }
};

/**
 * The tables of the local stack: in the DynamoDB Local of a running `npm start` (found on DYNAMODB_PORT),
 * or in one this command starts on the same port and data directory, and stops again in close().
 */
export const connectLocal = async ({
  dataDir,
  port,
  log,
}: {
  dataDir: string;
  port: number;
  log: (line: string) => void;
}): Promise<TablesTarget> => {
  const endpoint = `http://127.0.0.1:${port}`;
  const tables = localTableNames();
  const running = await dynamoDbAnswers(endpoint);
  let stop = async () => {};
  let description: string;
  if (running) {
    description = `the running DynamoDB Local at ${endpoint} (npm start's, or whoever started it)`;
  } else {
    const path = localPaths(dataDir).dynamoDb;
    log(`No DynamoDB Local answers at ${endpoint}: starting one on the data in ${path}`);
    const dynamoDb = await startDynamoDbLocal({ port, path });
    stop = dynamoDb.stop;
    description = `DynamoDB Local at ${endpoint}, started by this command (data in ${path})`;
  }
  const client = new DynamoDBClient(localClientConfig(endpoint));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      client.destroy();
      await stop();
    })();
    return closing;
  };
  try {
    await requireTables(client, [tables.events, tables.readModels], `DynamoDB Local at ${endpoint}`);
  } catch (error) {
    await close();
    throw error;
  }
  return { client, tables, description, shared: running, close };
};

export interface CloudOptions {
  stage: string;
  /** Default: the stage's stack name (infra/stage.ts). */
  stackName?: string;
  region?: string;
}

/** The outputs of the deployed stack (DescribeStacks), by output key. */
export const stackOutputs = async ({ stage, stackName, region }: CloudOptions) => {
  const [{ CloudFormationClient, DescribeStacksCommand }, { isStage, settingsOf }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('../../infra/stage.js'),
  ]);
  if (!stackName && !isStage(stage))
    throw new Error(`Unknown stage ${stage}: use --stage dev or --stage prod`);
  const name = stackName ?? settingsOf(stage as Parameters<typeof settingsOf>[0]).stackName;
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: name }))
      .catch((error: unknown) => {
        throw new Error(
          `Cannot read the outputs of stack ${name} (${error instanceof Error ? error.message : String(error)}). ` +
            'It needs AWS credentials and a region (AWS_PROFILE or AWS_ACCESS_KEY_ID..., AWS_REGION or --region).',
        );
      });
    const outputs: Record<string, string> = {};
    for (const output of Stacks?.[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
    }
    return { stackName: name, region: await cloudFormation.config.region(), outputs };
  } finally {
    cloudFormation.destroy();
  }
};

export const requiredOutput = (outputs: Record<string, string>, key: string, stackName: string): string => {
  const value = outputs[key];
  if (!value)
    throw new Error(
      `Stack ${stackName} has no output ${key}: deploy this version first (npx cdk deploy --all)`,
    );
  return value;
};

/** The tables of a deployed stack, with the default AWS credentials (environment, profile, SSO...). */
export const connectCloud = async (options: CloudOptions): Promise<TablesTarget> => {
  const { stackName, region, outputs } = await stackOutputs(options);
  const tables = {
    events: requiredOutput(outputs, outputKeys.eventsTable, stackName),
    streamState: outputs[outputKeys.streamStateTable] ?? '',
    readModels: requiredOutput(outputs, outputKeys.readModelsTable, stackName),
    dataKeys: outputs[outputKeys.dataKeysTable] ?? '',
    personalReadModels: outputs[outputKeys.personalReadModelsTable] ?? '',
  };
  const client = new DynamoDBClient({ region, maxAttempts: 8 });
  const dataKeyId = outputs[outputKeys.personalDataKeyArn];
  const macKeyId = outputs[outputKeys.emailMacKeyArn];
  return {
    client,
    tables,
    ...(dataKeyId && macKeyId ? { keys: { dataKeyId, macKeyId, region } } : {}),
    description: `stack ${stackName} in ${region} (tables ${tables.events}, ${tables.readModels})`,
    shared: true,
    close: async () => client.destroy(),
  };
};

/** DYNAMODB_PORT as `npm start` reads it (default 8000). */
export const dynamoDbPortFromEnv = (value = process.env.DYNAMODB_PORT): number => {
  if (value === undefined || value === '') return 8000;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    throw new Error(`DYNAMODB_PORT must be a port number, not "${value}"`);
  return port;
};

/** The command-line options every ops command takes to choose its target (parseArgs option specs). */
export const targetOptions = {
  cloud: { type: 'boolean', default: false },
  stage: { type: 'string', default: 'dev' },
  stack: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
