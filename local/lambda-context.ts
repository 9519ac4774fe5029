import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws-config.js';

/**
 * Locally one process runs every handler, several at a time, as one Lambda execution environment does
 * with AWS_LAMBDA_MAX_CONCURRENCY (Lambda Managed Instances). Lambda then runs each invocation in its own
 * invoke context, in which Powertools keeps per-invocation state (log keys such as the correlation id,
 * the Lambda context, the batch being processed); without one, concurrent handlers would overwrite each
 * other's keys. The store must exist before a handler logs, hence at import.
 */
const invokeStore = await InvokeStore.getInstanceAsync(true);

/** Invokes a handler the way Lambda does under AWS_LAMBDA_MAX_CONCURRENCY: in an invoke context of its own. */
export const invokeHandler = <E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
  context: Context,
): Promise<R> =>
  invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () =>
    handler(event, context),
  );

const unsupported = (name: string) => () => {
  throw new Error(`context.${name}() is a legacy Lambda callback API and is not available locally`);
};

/** A Lambda `Context` for one local invocation of `functionName`; nothing enforces the timeout. */
export const createLambdaContext = (functionName: string, timeoutMs = 30_000): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};
