/**
 * The key service's KMS client, as a function builds it from its environment (no client given), against
 * a KMS endpoint that accepts requests and never answers: the call ends with an error within the
 * invocation's budget, as every AWS client of the functions does, instead of hanging until the function's
 * timeout. Each try is counted, and there are at most SDK_ATTEMPTS of them.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kmsKeyService } from '../../functions/shared/personal-data/key-service.js';
import { SDK_ATTEMPTS } from '../../functions/shared/resilience/aws-clients.js';
import { withinBudget } from '../../functions/shared/resilience/policy.js';

const held: ServerResponse[] = [];
let requests = 0;
const silent = createServer((request, response) => {
  requests++;
  request.resume();
  held.push(response); // never answered
});

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_ENDPOINT_URL_KMS', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const response of held) response.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('the KMS client of the key service', () => {
  it('gives up on a KMS that never answers within the budget, in at most SDK_ATTEMPTS tries', async () => {
    const service = kmsKeyService({ dataKeyId: 'data-key', macKeyId: 'mac-key' });
    // The function has 6 s left: its budget ends 1.5 s before, well inside vitest's 30 s.
    await expect(
      withinBudget({ getRemainingTimeInMillis: () => 6_000 }, () => service.mac(Buffer.from('check-in|r1'))),
    ).rejects.toThrow();
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThanOrEqual(SDK_ATTEMPTS);
  });
});
