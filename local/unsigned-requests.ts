import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import { LOCAL_REGION, localCredentials } from './aws-config.js';

/**
 * What a signed request to DynamoDB Local carries, with a signature no one checks: DynamoDB Local reads the
 * header's form (access key, region) and accepts any credentials (local/aws-config.ts), never the signature.
 */
const ANY_SIGNATURE = {
  'x-amz-date': '20150928T000000Z',
  authorization:
    `AWS4-HMAC-SHA256 Credential=${localCredentials.accessKeyId}/20150928/${LOCAL_REGION}/dynamodb/aws4_request, ` +
    `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
};

const unsigned = new WeakSet<object>();

/**
 * A client of DynamoDB Local sends its requests without signing them (SigV4): the signature costs this
 * process about a quarter of a millisecond of CPU a call, a third of what the SDK spends on one, and
 * DynamoDB Local never checks it. One process runs every handler on one thread: over the demo's ~9,000
 * calls that is about 2 s of it. The handlers' client (functions/shared/runtime/config.ts) is made as
 * in Lambda; the local runtime takes only its signing step away, as it takes SES away for the outbox.
 */
export const unsignedForDynamoDbLocal = <Input extends object, Output extends object>(client: {
  middlewareStack: MiddlewareStack<Input, Output>;
}): void => {
  if (unsigned.has(client)) return;
  unsigned.add(client);
  client.middlewareStack.remove('httpSigningMiddleware');
  const withAnySignature: FinalizeRequestMiddleware<Input, Output> = (next) => async (args) => {
    const request = args.request as { headers?: Record<string, string> };
    if (request.headers) Object.assign(request.headers, ANY_SIGNATURE);
    return next(args);
  };
  client.middlewareStack.add(withAnySignature, {
    step: 'finalizeRequest',
    name: 'localUnsignedRequest',
    override: true,
  });
};

const withoutAgent = new WeakSet<object>();

/**
 * A client of DynamoDB Local sends no user agent of the SDK (its `user-agent` and `x-amz-user-agent`
 * headers): in the cloud they tell AWS the SDK's version and features, DynamoDB Local reads neither, and
 * the SDK builds them again on every call (escaping a dozen name/version pairs, about 0.02 ms of this
 * thread's CPU a call). The handlers' client keeps its user agent in Lambda: only the local runtime
 * takes this step away, as it takes the signature away.
 */
export const withoutUserAgentForDynamoDbLocal = <Input extends object, Output extends object>(client: {
  middlewareStack: MiddlewareStack<Input, Output>;
}): void => {
  if (withoutAgent.has(client)) return;
  withoutAgent.add(client);
  client.middlewareStack.remove('getUserAgentMiddleware');
};
