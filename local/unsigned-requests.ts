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

const lean = new WeakSet<object>();

/**
 * A client of DynamoDB Local sends its requests without signing them (SigV4) and without the SDK's user
 * agent: the signature costs this process about a quarter of a millisecond of CPU a call, a third of what
 * the SDK spends on one, and the user agent (its `user-agent` and `x-amz-user-agent` headers, a dozen
 * name/version pairs escaped again on every call) about 0.02 ms more. DynamoDB Local checks neither. One
 * process runs every handler on one thread: over the demo's ~6,000 calls that is about 1.6 s of it. The
 * handlers' client (functions/shared/runtime/config.ts) is made as in Lambda and keeps both there; the
 * local runtime takes these two steps away, as it takes SES away for the outbox.
 */
export const leanForDynamoDbLocal = <Input extends object, Output extends object>(client: {
  middlewareStack: MiddlewareStack<Input, Output>;
}): void => {
  if (lean.has(client)) return;
  lean.add(client);
  client.middlewareStack.remove('httpSigningMiddleware');
  client.middlewareStack.remove('getUserAgentMiddleware');
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
