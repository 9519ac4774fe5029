/** Region and dummy credentials of the local stack: DynamoDB Local (with -sharedDb) accepts any. */
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Configuration for an AWS SDK v3 client that talks to DynamoDB Local at `endpoint`. */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: localCredentials,
  maxAttempts: 3,
});
