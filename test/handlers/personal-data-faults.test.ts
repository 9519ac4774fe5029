import { randomUUID } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { conferenceStreamId } from '../../domain/conference/decider.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { invoke, routeNamed } from '../proof/harness.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  importRouteHandlers,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';

/**
 * CONTRACT 4.1, bad input: a data key missing for a registration that is not erased is a server fault,
 * answered 503 by commands and retried by consumers, never taken for an erasure.
 */
let environment: HandlerEnvironment;
let http: Record<string, Handler>;
let notifier: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
const organizer = () => ({ authorization: `Bearer ${environment.organizerToken}` });

const call = (name: string, params: Record<string, string>, body?: unknown, headers = organizer()) =>
  invoke(http[name] as Handler, routeNamed(name), params, { body, headers });

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('personal-data-faults', { logLevel: 'SILENT' });
  http = await importRouteHandlers();
  notifier = await importHandler<typeof notifier>('functions/consumers/notifier.ts');
});

const registrationWithoutKey = async () => {
  const conferenceId = String((await call('CreateConference', {}, iclc2015)).json.conferenceId);
  const registered = await call(
    'RegisterDelegate',
    { conferenceId },
    { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
  );
  const registrationId = String(registered.json.registrationId);
  await environment.tables.client.send(
    new DeleteItemCommand({
      TableName: environment.tables.dataKeys,
      Key: marshall({ pk: registrationId, sk: 'data-key' }),
    }),
  );
  return { conferenceId, registrationId, manageToken: String(registered.json.manageToken) };
};

describe('a data key missing for a registration that is not erased', () => {
  it('is 503 problem+json with Retry-After on the read-back, in another execution environment', async () => {
    const { conferenceId, registrationId } = await registrationWithoutKey();
    // This environment made the key and caches it; a fresh import stands for another environment.
    const { DataKeys } = await import('../../functions/shared/personal-data/data-keys.js');
    const { keyService } = await import('../../functions/shared/personal-data/key-service.js');
    const fresh = new DataKeys({
      client: environment.tables.client,
      tableName: environment.tables.dataKeys,
      keyService: () => keyService(),
    });
    await expect(fresh.find(registrationId)).rejects.toThrow(/missing/);
    const { dataKeys } = await import('../../functions/shared/personal-data/personal-data.js');
    dataKeys().forget(registrationId);
    const answer = await call('GetRegistration', { conferenceId, registrationId });
    expect(answer.status, answer.text).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.text).not.toMatch(/erased/i);
  });

  it('is a failed record for the Notifier (SQS delivers it again), never an email-less success', async () => {
    const { conferenceId, registrationId } = await registrationWithoutKey();
    const { dataKeys } = await import('../../functions/shared/personal-data/personal-data.js');
    dataKeys().forget(registrationId);
    const [registered] = await storeWithCodec(environment.tables.client, environment.tables).load(
      registrationStreamId(registrationId),
    );
    const [created] = await storeWithCodec(environment.tables.client, environment.tables).load(
      conferenceStreamId(conferenceId),
    );
    if (!registered || !created) throw new Error('no event');
    const record = (envelope: typeof registered, id: string) =>
      sqsRecord(envelope, id, {
        queue: 'Notifier',
        busEventId: `bus-${id}`,
        receiptHandle: id,
        senderId: 'test',
        sentAt: 0,
      });
    // With an event the Notifier handles fine in the same batch: only the registration's is handed back.
    const response = await notifier(
      { Records: [record(created, 'ok'), record(registered, 'm1')] },
      lambdaContext('Notifier'),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });
});
