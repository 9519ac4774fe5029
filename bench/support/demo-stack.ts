import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoResult, type LoadDemoOptions, loadDemoIfEmpty } from '../../local/demo/load-demo.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { startLocalStack } from '../../local/local-stack.js';
import { silentLogger } from '../../local/log.js';
import { findFreePort } from '../../local/ports.js';

/** A fresh stack as `npm start` makes it: its DynamoDB Local (for its CPU) and the demo's load into it. */
export interface DemoStack {
  dynamoDb: DynamoDbLocal;
  /** Loads the demo over HTTP until the pipeline has settled, with no progress bar. */
  loadDemo: (options: Pick<LoadDemoOptions, 'parts' | 'log'>) => Promise<DemoResult>;
}

/**
 * Runs `work` on a fresh local stack: DynamoDB Local on disk in a new DATA_DIR with these JVM options, the
 * local stack on it (handlers, pipeline, silent logs); stopped and its DATA_DIR removed after.
 */
export const withDemoStack = async <T>(
  jvmOptions: readonly string[] | undefined,
  work: (stack: DemoStack) => Promise<T>,
): Promise<T> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-demo-'));
  const dynamoDb = await startDynamoDbLocal({
    port: await findFreePort(),
    path: join(dataDir, 'dynamodb'),
    ...(jvmOptions ? { jvmOptions } : {}),
  });
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { endpoint: dynamoDb.endpoint },
    logger: () => silentLogger,
  });
  try {
    return await work({
      dynamoDb,
      loadDemo: async (options) =>
        loadDemoIfEmpty({
          apiUrl: stack.apiUrl,
          token: await stack.organizerToken(),
          outbox: stack.paths.outbox,
          settled: () => stack.settled(),
          progress: () => ({ tick() {}, stop() {} }),
          ...options,
        }),
    });
  } finally {
    await stack.stop();
    await dynamoDb.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};
