/**
 * The visa letter commands on DynamoDB Local, through the handlers: nothing of a request or of its
 * verification code lies in any table in plaintext (events, tips' snapshots, Idempotency-Key records);
 * a decision holds only while the registration it read is unchanged; two organizers issuing at once get
 * one letter.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visaLetterStreamId } from '../../domain/visa-letter/decider.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import {
  type Answer,
  expectProblem,
  type Harness,
  invoke,
  prepareProofEnvironment,
  routeNamed,
} from '../proof/harness.js';
import { type Handler, importRouteHandlers } from '../support/handler-environment.js';
import { searchTables } from '../support/marker-search.js';

let harness: Harness;
let http: Record<string, Handler>;
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };

const organizer = () => ({ authorization: `Bearer ${harness.organizerToken}` });
const call = (
  name: string,
  params: Record<string, string>,
  body?: unknown,
  headers: Record<string, string> = organizer(),
): Promise<Answer> => invoke(http[name] as Handler, routeNamed(name), params, { body, headers });

beforeAll(async () => {
  harness = await prepareProofEnvironment('visa-letter-commands');
  http = await importRouteHandlers();
});

afterAll(async () => {
  await harness?.dispose();
});

const newConference = async () => {
  const answer = await call('CreateConference', {}, { ...iclc2015, visaLetterSignatory: signatory });
  expect(answer.status, answer.text).toBe(201);
  return String(answer.json.conferenceId);
};

const newRegistration = async (conferenceId: string) => {
  const answer = await call(
    'RegisterDelegate',
    { conferenceId },
    { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
  );
  expect(answer.status, answer.text).toBe(201);
  return { registrationId: String(answer.json.registrationId), manageToken: String(answer.json.manageToken) };
};

const markedRequest = () => {
  const tag = randomBytes(4).toString('hex').toUpperCase();
  return {
    passportName: `MARKNAME${tag} ALEMU`,
    passportNumber: `MK${tag}`,
    nationality: 'ET',
    dateOfBirth: '1968-02-29',
    passportExpiresOn: '2031-12-13',
    placeOfIssue: `Markplace${tag}`,
  };
};

const letterEvents = async (registrationId: string) =>
  (
    await harness.tables.client.send(
      new QueryCommand({
        TableName: harness.tables.events,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': visaLetterStreamId(registrationId) }),
        ConsistentRead: true,
      }),
    )
  ).Items?.map((item) => unmarshall(item)) ?? [];

describe('visa letter commands on DynamoDB Local', () => {
  it('leave no field of the request and no verification code in any table in plaintext', async () => {
    const conferenceId = await newConference();
    const { registrationId, manageToken } = await newRegistration(conferenceId);
    const request = markedRequest();
    const ids = { conferenceId, registrationId };
    const requested = await call('RequestVisaLetter', ids, request, {
      'x-manage-token': manageToken,
      'idempotency-key': `request-${registrationId}`,
    });
    expect(requested.status, requested.text).toBe(202);
    const issued = await call('IssueVisaLetter', ids, undefined, {
      ...organizer(),
      'idempotency-key': `issue-${registrationId}`,
    });
    expect(issued.status, issued.text).toBe(200);
    const verificationCode = String(issued.json.verificationCode);
    expect(Buffer.from(verificationCode, 'base64url')).toHaveLength(16);

    const markers = [request.passportName, request.passportNumber, request.placeOfIssue, verificationCode];
    const tables = [
      harness.tables.events,
      harness.tables.streamState,
      harness.tables.readModels,
      harness.tables.personalReadModels,
    ];
    expect(await searchTables(harness.tables.client, markers, tables)).toEqual([]);

    const { Item } = await harness.tables.client.send(
      new GetItemCommand({
        TableName: harness.tables.streamState,
        Key: marshall({ pk: visaLetterStreamId(registrationId), sk: 0 }),
        ConsistentRead: true,
      }),
    );
    const tip = Item ? unmarshall(Item) : undefined;
    expect(tip).toMatchObject({ version: 2, snapshotSchema: 'visa-letter.v1' });
    // The snapshot is stored as JSON text (functions/shared/event-store: one attribute, not a nested map).
    expect(JSON.parse(String(tip?.snapshot))).toEqual({
      registrationId,
      status: 'issued',
      requestedAt: expect.any(String),
      decidedAt: expect.any(String),
    });
  });

  it('decides again when the registration changed meanwhile: a cancellation in between refuses the request', async () => {
    const conferenceId = await newConference();
    const { registrationId, manageToken } = await newRegistration(conferenceId);
    const letterStream = visaLetterStreamId(registrationId);
    // Just before the request's transaction is sent, an organizer cancels the registration it read.
    let cancellation: Answer | undefined;
    const { dynamoDb } = await import('../../functions/shared/runtime/config.js');
    const name = `cancel-before-${registrationId}`;
    dynamoDb().middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify((args as { input?: unknown }).input ?? {});
        if (
          !cancellation &&
          context.commandName === 'TransactWriteItemsCommand' &&
          input.includes(letterStream)
        ) {
          cancellation = await call('CancelRegistration', { conferenceId, registrationId });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const answer = await call('RequestVisaLetter', { conferenceId, registrationId }, markedRequest(), {
        'x-manage-token': manageToken,
      });
      expect(cancellation?.status, cancellation?.text).toBe(200);
      expectProblem(answer, 409);
      expect(answer.json.detail).toBe(
        'Only a delegate holding a seat can be invited: this registration holds none',
      );
    } finally {
      dynamoDb().middlewareStack.remove(name);
    }
    expect(await letterEvents(registrationId)).toEqual([]);
  });

  it('issues one letter when two organizers issue at once', async () => {
    const conferenceId = await newConference();
    const { registrationId, manageToken } = await newRegistration(conferenceId);
    const ids = { conferenceId, registrationId };
    expect(
      (await call('RequestVisaLetter', ids, markedRequest(), { 'x-manage-token': manageToken })).status,
    ).toBe(202);
    const answers = await Promise.all([call('IssueVisaLetter', ids), call('IssueVisaLetter', ids)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const loser = answers.find((answer) => answer.status === 409) as Answer;
    expectProblem(loser, 409);
    expect(loser.json.detail).toMatch(/already issued/);
    expect((await letterEvents(registrationId)).map((event) => event.type)).toEqual([
      'VisaLetterRequested',
      'VisaLetterIssued',
    ]);
  });
});
