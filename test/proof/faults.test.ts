/**
 * Proof: DynamoDB faults under every command handler and every bus consumer lose no event and double
 * none, every retry is bounded, clients get 503 problem+json with Retry-After once retries are exhausted,
 * and consumers hand a failed record back to SQS (a batch item failure) instead of swallowing it.
 *
 * The handlers' own DynamoDB client (functions/shared/runtime/config.ts) is replaced by aws-sdk-client-mock. Each
 * call either gets an injected fault or goes through to the run's DynamoDB Local, so the state the
 * assertions read is real; every call and its outcome is logged to count retries.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  ThrottlingException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionStreamId } from '../../domain/agenda/decider.js';
import type { EventEnvelope } from '../../domain/events.js';
import { invitationStreamId } from '../../domain/invitation/decider.js';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { SEAT_SHARDS, seatShardKey, seatsGuardKey } from '../../domain/registration/invariants.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { checkInCodeOf } from '../../functions/shared/personal-data/check-in-code.js';
import { readModelPartition, rowKey, SUMMARY } from '../../functions/shared/projections/read-models.js';
import { type RuleDefinition, rules } from '../../infra/definitions/rules.js';
import { delegate as delegateFixture, iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { type Handler, importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { outboxMailsTo } from '../support/outbox.js';
import { storeWithCodec } from '../support/personal-data.js';
import {
  type Answer,
  documentJobsStarted,
  expectProblem,
  type Harness,
  invoke,
  prepareProofEnvironment,
  routeNamed,
} from './harness.js';

// ---------------------------------------------------------------------------------------------------
// The mock: every command goes through to DynamoDB Local unless a fault is planned for it.

const commands = {
  BatchGetItemCommand,
  QueryCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  DeleteItemCommand,
  TransactWriteItemsCommand,
} as const;
type CommandName = keyof typeof commands;

/** A planned answer: go through, fail without reaching DynamoDB, or reach it (and commit) and then fail. */
type Step = 'pass' | { fail: (input: unknown) => Error } | { commitThenFail: (input: unknown) => Error };

interface Call {
  command: CommandName;
  input: Record<string, unknown>;
  outcome: 'ok' | 'injected' | 'committed-then-injected' | 'refused';
}

let harness: Harness;
let real: DynamoDBClient;
let mock: AwsClientStub<DynamoDBClient>;
let store: EventStore;
const calls: Call[] = [];
const plans = new Map<
  CommandName,
  { steps: Step[]; rest: Step; used: number; only?: (input: Record<string, unknown>) => boolean }
>();

const installPassThrough = () => {
  mock.reset();
  plans.clear();
  calls.length = 0;
  for (const [name, Command] of Object.entries(commands) as Array<
    [CommandName, (typeof commands)[CommandName]]
  >) {
    mock.on(Command as never).callsFake(async (input: Record<string, unknown>) => {
      const plan = plans.get(name);
      const aimed = plan && (!plan.only || plan.only(input));
      const step: Step = plan && aimed ? (plan.steps[plan.used++] ?? plan.rest) : 'pass';
      if (step !== 'pass' && 'fail' in step) {
        calls.push({ command: name, input, outcome: 'injected' });
        throw step.fail(input);
      }
      let output: unknown;
      try {
        output = await real.send(new (Command as unknown as new (input: unknown) => never)(input));
      } catch (error) {
        calls.push({ command: name, input, outcome: 'refused' });
        // Refused by DynamoDB (e.g. a condition): nothing was committed, so a fault planned for after a
        // commit waits for the next call it is aimed at.
        if (step !== 'pass' && plan) plan.used--;
        throw error;
      }
      if (step !== 'pass') {
        calls.push({ command: name, input, outcome: 'committed-then-injected' });
        throw step.commitThenFail(input);
      }
      calls.push({ command: name, input, outcome: 'ok' });
      return output;
    });
  }
};

/**
 * From now on `command` answers `steps` in turn, then `rest`; with `only`, just the calls it picks do
 * (the others pass through and use no step).
 */
const plan = (
  command: CommandName,
  steps: Step[],
  rest: Step = 'pass',
  only?: (input: Record<string, unknown>) => boolean,
) => {
  plans.set(command, { steps, rest, used: 0, only });
};

const callsOf = (command: CommandName, outcome?: Call['outcome']) =>
  calls.filter((call) => call.command === command && (!outcome || call.outcome === outcome));

/** The event items a TransactWriteItems input puts, as `streamId@version#eventId`. */
const eventsIn = (input: Record<string, unknown>): string[] =>
  ((input as unknown as TransactWriteItemsCommandInput).TransactItems ?? []).flatMap((item) => {
    const put = item.Put?.Item;
    if (put?.kind?.S !== 'event') return [];
    const event = unmarshall(put);
    return [`${event.streamId}@${event.version}#${event.eventId}`];
  });

// ---------------------------------------------------------------------------------------------------
// The faults, as DynamoDB and the SDK report them once the SDK's own retries (maxAttempts 4) are used up.

const metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 4, totalRetryDelay: 1200 });
const transactionItems = (input: unknown) =>
  ((input as TransactWriteItemsCommandInput).TransactItems ?? []).length || 1;
/** A transaction cancelled for `code` on its first item (the others: None), as DynamoDB reports it. */
const cancelled = (code: string) => (input: unknown) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${code}]`,
    $metadata: metadata(400),
    CancellationReasons: Array.from({ length: transactionItems(input) }, (_, index) => ({
      Code: index === 0 ? code : 'None',
      ...(code === 'TransactionConflict' && index === 0
        ? { Message: 'Transaction is ongoing for the item' }
        : {}),
    })),
  });

const fault = {
  provisionedThroughput: () =>
    new ProvisionedThroughputExceededException({
      message: 'The level of configured provisioned throughput for the table was exceeded.',
      $metadata: metadata(400),
    }),
  throttling: () =>
    new ThrottlingException({
      message: 'Rate of requests exceeds the allowed throughput.',
      $metadata: metadata(400),
    }),
  internal: () => new InternalServerError({ message: 'Internal server error', $metadata: metadata(500) }),
  /** What @smithy/node-http-handler throws when the request timeout elapses. */
  timeout: () => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }),
  /** A socket cut under a request (what Node reports for a connection reset by the peer). */
  socketReset: () =>
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 4 } }),
};

const transientWriteFaults = [
  ['ProvisionedThroughputExceededException', fault.provisionedThroughput],
  ['ThrottlingException', fault.throttling],
  ['TimeoutError', fault.timeout],
  ['socket reset (ECONNRESET)', fault.socketReset],
  ['InternalServerError (HTTP 500)', fault.internal],
] as const;

const cancellationReasons = [
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
] as const;

/**
 * The backoff between attempts is full jitter (Math.random × the exponential cap): set to its minimum
 * where a test counts attempts until they are exhausted, so it does not wait out up to seconds of backoff.
 * The number of attempts does not depend on it.
 */
const withoutBackoffWaits = () => {
  vi.spyOn(Math, 'random').mockReturnValue(0);
};

/** How a command reads the streams it decides on: their tips, in one request. */
const COMMAND_READ: CommandName = 'BatchGetItemCommand';
/** EventStore's attempts of one transaction (functions/shared/event-store/event-store.ts). */
const APPEND_ATTEMPTS = 6;
/** ProjectionRunner's attempts of one event (functions/shared/projections/projection-runner.ts). */
const PROJECTION_ATTEMPTS = 8;

// ---------------------------------------------------------------------------------------------------
// State read straight from DynamoDB Local.

const eventItemCount = async (): Promise<number> => {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await real.send(
      new ScanCommand({
        TableName: harness.tables.events,
        FilterExpression: 'kind = :event',
        ExpressionAttributeValues: marshall({ ':event': 'event' }),
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return count;
};

const readModelItem = async (pk: string, sk: string) => {
  const { Item } = await real.send(
    new GetItemCommand({
      // The projection's own table: the registrant list, the visa letters and the invitations are in the
      // personal one.
      TableName: /^(registrant-list|visa-letters|invitations)#/.test(pk)
        ? harness.tables.personalReadModels
        : harness.tables.readModels,
      Key: marshall({ pk, sk }),
      ConsistentRead: true,
    }),
  );
  return Item ? unmarshall(Item) : undefined;
};

/** The seats held: the sum over the seat pool's shards. */
const seatsHeld = async (conferenceId: string) => {
  let held = 0;
  for (let shard = 0; shard < SEAT_SHARDS; shard++) {
    const { Item } = await real.send(
      new GetItemCommand({
        TableName: harness.tables.streamState,
        Key: marshall({ pk: seatShardKey(seatsGuardKey(conferenceId), shard), sk: 0 }),
        ConsistentRead: true,
      }),
    );
    held += Item ? Number(unmarshall(Item).held ?? 0) : 0;
  }
  return held;
};

// ---------------------------------------------------------------------------------------------------
// Commands: every POST route, prepared through the handlers themselves (calls pass through meanwhile).

let http: Record<string, Handler>;
const organizer = () => ({ authorization: `Bearer ${harness.organizerToken}` });

const call = (
  name: string,
  params: Record<string, string>,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  invoke(http[name] as Handler, routeNamed(name), params, { body, headers: { ...organizer(), ...headers } });

const created = (answer: Answer, field: string): string => {
  expect(answer.status, answer.text).toBeLessThan(300);
  return String(answer.json[field]);
};

const newConference = async (capacity = 600) =>
  created(await call('CreateConference', {}, { ...iclc2015, capacity }), 'conferenceId');

const newRegistration = async (conferenceId: string) =>
  created(
    await call(
      'RegisterDelegate',
      { conferenceId },
      { ...delegateFixture, email: `${randomUUID()}@example.org`, consent: true },
    ),
    'registrationId',
  );

const sessionBody = (title = 'Plenary: Building Sustainable Learning Cities') => ({
  title,
  type: 'plenary',
  date: '2015-09-28',
  start: '09:30',
  end: '10:30',
  room: 'Sala Principal',
  speakers: [{ name: `Speaker ${randomUUID().slice(0, 8)}` }],
});

const newSession = async (conferenceId: string) =>
  created(await call('ScheduleSession', { conferenceId }, sessionBody()), 'sessionId');

const visaLetterRequestBody = {
  passportName: 'KEBEDE ALEMU',
  passportNumber: 'EP1234567',
  nationality: 'ET',
  dateOfBirth: '1971-03-14',
  passportExpiresOn: '2019-01-31',
};

/** A registration of a conference with a signatory whose visa letter waits for a decision. */
const requestedVisaLetter = async () => {
  const conferenceId = created(
    await call(
      'CreateConference',
      {},
      { ...iclc2015, visaLetterSignatory: { name: 'A. Carlsen', title: 'Director' } },
    ),
    'conferenceId',
  );
  const params = { conferenceId, registrationId: await newRegistration(conferenceId) };
  expect((await call('RequestVisaLetter', params, visaLetterRequestBody)).status).toBe(202);
  return params;
};

/** A registration request of a conference that confirms addresses (CONTRACT 5.1): its token, from the outbox. */
const requestedConfirmation = async () => {
  const { emailConfirmation: _v1, ...v12 } = iclc2015;
  const conferenceId = created(await call('CreateConference', {}, v12), 'conferenceId');
  const email = `${randomUUID()}@example.org`;
  const requested = await call(
    'RegisterDelegate',
    { conferenceId },
    { ...delegateFixture, email, consent: true },
  );
  expect(requested.status, requested.text).toBe(202);
  const [mail] = await outboxMailsTo(harness.outbox, email);
  const token = /token=([A-Za-z0-9_.-]+)/.exec(mail?.mail.text ?? '')?.[1];
  expect(token).toBeDefined();
  return token as string;
};

/** A conference whose mayors come by invitation (CONTRACT 5.3). */
const invitationConference = async () =>
  created(
    await call('CreateConference', {}, { ...iclc2015, registrationPolicy: { mayor: 'invitation' } }),
    'conferenceId',
  );

const sentInvitation = async (conferenceId: string, extra: Record<string, unknown> = {}) => {
  const email = `${randomUUID()}@example.org`;
  const invitationId = created(
    await call('SendInvitation', { conferenceId }, { email, category: 'mayor', ...extra }),
    'invitationId',
  );
  return { invitationId, email };
};

const invitationCode = async (invitationId: string): Promise<string> => {
  const { invitationCodeOf } = await import('../../functions/shared/invitations/invitation-code.js');
  return invitationCodeOf(invitationId);
};

const newDelegation = async (conferenceId: string) =>
  created(
    await call(
      'CreateDelegation',
      { conferenceId },
      {
        name: `Delegation ${randomUUID().slice(0, 8)}`,
        quota: 3,
        focalPoint: { email: `${randomUUID()}@example.org`, givenName: 'Focal', familyName: 'Point' },
      },
    ),
    'delegationId',
  );

/** A registration made from an invitation of a delegation: a member of it. */
const delegationMember = async () => {
  const conferenceId = await invitationConference();
  const delegationId = await newDelegation(conferenceId);
  const { invitationId, email } = await sentInvitation(conferenceId, { delegationId });
  const registrationId = created(
    await call(
      'RegisterDelegate',
      { conferenceId },
      {
        ...delegateFixture,
        email,
        category: 'mayor',
        consent: true,
        invitationCode: await invitationCode(invitationId),
      },
    ),
    'registrationId',
  );
  return { conferenceId, delegationId, registrationId };
};

interface CommandCase {
  route: string;
  /** Makes what the command needs and returns its request; called with every call passing through. */
  prepare: () => Promise<{ params: Record<string, string>; body?: unknown }>;
  /** Events one successful command appends. */
  events: number;
  /** Whether the command reads the event store before appending (its streams' tips, in one BatchGetItem). */
  reads: boolean;
  /** Answers 200 with a result per item of its batch (here one): a fault is that item's problem. */
  perItem?: boolean;
}

const commandCases: CommandCase[] = [
  {
    route: 'CreateConference',
    prepare: async () => ({ params: {}, body: iclc2015 }),
    events: 1,
    reads: false,
  },
  {
    route: 'RegisterDelegate',
    // A conference this execution environment has not read yet: the command reads it first.
    prepare: async () => ({
      params: { conferenceId: await newConference() },
      body: { ...delegateFixture, email: `${randomUUID()}@Example.org`, consent: true },
    }),
    events: 1,
    reads: true,
  },
  {
    route: 'CancelRegistration',
    prepare: async () => {
      const conferenceId = await newConference();
      return { params: { conferenceId, registrationId: await newRegistration(conferenceId) } };
    },
    events: 1,
    reads: true,
  },
  {
    // Cancels the registration and erases it: two events, and the data key destroyed in the same transaction.
    route: 'ErasePersonalData',
    prepare: async () => {
      const conferenceId = await newConference();
      return { params: { conferenceId, registrationId: await newRegistration(conferenceId) } };
    },
    events: 2,
    reads: true,
  },
  {
    route: 'CheckInDelegate',
    prepare: async () => {
      const conferenceId = await newConference();
      return { params: { conferenceId, registrationId: await newRegistration(conferenceId) } };
    },
    events: 1,
    reads: true,
  },
  // desk-registration: a correction (read opened, then appended) and a check-in by code.
  {
    route: 'ChangeRegistrationDetails',
    prepare: async () => {
      const conferenceId = await newConference();
      return {
        params: { conferenceId, registrationId: await newRegistration(conferenceId) },
        body: { city: 'Puebla', email: `${randomUUID()}@example.org` },
      };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'CheckInByCode',
    prepare: async () => {
      const conferenceId = await newConference();
      const registrationId = await newRegistration(conferenceId);
      return { params: { conferenceId }, body: { code: await checkInCodeOf(registrationId) } };
    },
    events: 1,
    reads: true,
  },
  {
    // A lowering, so the seat shards' new shares (and their lock) are in the transactions too.
    route: 'ChangeConferenceSettings',
    prepare: async () => {
      const conferenceId = await newConference();
      await newRegistration(conferenceId);
      return { params: { conferenceId }, body: { capacity: 500, editableUntil: '2015-09-25T00:00:00Z' } };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'ScheduleSession',
    prepare: async () => ({ params: { conferenceId: await newConference() }, body: sessionBody() }),
    events: 1,
    reads: true,
  },
  {
    route: 'RescheduleSession',
    prepare: async () => {
      const conferenceId = await newConference();
      return {
        params: { conferenceId, sessionId: await newSession(conferenceId) },
        body: { start: '11:00', end: '12:00' },
      };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'CancelSession',
    prepare: async () => {
      const conferenceId = await newConference();
      return { params: { conferenceId, sessionId: await newSession(conferenceId) } };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'GrantAward',
    prepare: async () => ({
      params: { conferenceId: await newConference() },
      body: {
        award: 'UNESCO Learning City Award',
        year: 2015,
        city: `Melton ${randomUUID()}`,
        country: 'AU',
      },
    }),
    events: 1,
    reads: true,
  },
  // Visa letters (CONTRACT 4.4): each decision reads the registration, the conference and the letter.
  {
    route: 'RequestVisaLetter',
    prepare: async () => {
      const conferenceId = await newConference();
      return {
        params: { conferenceId, registrationId: await newRegistration(conferenceId) },
        body: visaLetterRequestBody,
      };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'IssueVisaLetter',
    prepare: async () => ({ params: await requestedVisaLetter() }),
    events: 1,
    reads: true,
  },
  {
    route: 'DeclineVisaLetter',
    prepare: async () => ({ params: await requestedVisaLetter(), body: { reason: 'Unreadable scan' } }),
    events: 1,
    reads: true,
  },
  // Email confirmation (CONTRACT 5.1): the registration made on confirming (the token claimed in the
  // same transaction), and a new manage token for the owner of an active registration.
  {
    route: 'ConfirmRegistration',
    prepare: async () => ({ params: {}, body: { token: await requestedConfirmation() } }),
    events: 1,
    reads: true,
  },
  {
    route: 'RequestManageLink',
    prepare: async () => {
      const conferenceId = await newConference();
      const email = `${randomUUID()}@example.org`;
      created(
        await call('RegisterDelegate', { conferenceId }, { ...delegateFixture, email, consent: true }),
        'registrationId',
      );
      return { params: { conferenceId }, body: { email } };
    },
    events: 1,
    reads: true,
  },
  // Issue 18 (CONTRACT 5.3): decisions on pending registrations, invitations, delegations.
  {
    route: 'DecideRegistrations',
    prepare: async () => {
      const conferenceId = created(
        await call(
          'CreateConference',
          {},
          { ...iclc2015, registrationPolicy: { 'civil-society': 'moderated' } },
        ),
        'conferenceId',
      );
      const registrationId = created(
        await call(
          'RegisterDelegate',
          { conferenceId },
          {
            ...delegateFixture,
            category: 'civil-society',
            email: `${randomUUID()}@example.org`,
            consent: true,
          },
        ),
        'registrationId',
      );
      return { params: { conferenceId }, body: { decisions: [{ registrationId, decision: 'approve' }] } };
    },
    events: 1,
    reads: true,
    perItem: true,
  },
  {
    route: 'SendInvitation',
    prepare: async () => ({
      params: { conferenceId: await invitationConference() },
      body: { email: `${randomUUID()}@example.org`, category: 'mayor' },
    }),
    events: 1,
    reads: true,
  },
  {
    route: 'RemindInvitation',
    prepare: async () => {
      const conferenceId = await invitationConference();
      const { invitationId } = await sentInvitation(conferenceId);
      return { params: { conferenceId, invitationId } };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'RevokeInvitation',
    prepare: async () => {
      const conferenceId = await invitationConference();
      const { invitationId } = await sentInvitation(conferenceId);
      return { params: { conferenceId, invitationId } };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'DeclineInvitation',
    prepare: async () => {
      const { invitationId } = await sentInvitation(await invitationConference());
      return { params: {}, body: { invitationCode: await invitationCode(invitationId) } };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'CreateDelegation',
    prepare: async () => ({
      params: { conferenceId: await invitationConference() },
      body: {
        name: 'Mexico City',
        country: 'MX',
        quota: 3,
        focalPoint: { email: `${randomUUID()}@example.org`, givenName: 'Focal', familyName: 'Point' },
      },
    }),
    events: 1,
    reads: true,
  },
  {
    route: 'NameHeadOfDelegation',
    prepare: async () => {
      const { conferenceId, delegationId, registrationId } = await delegationMember();
      return { params: { conferenceId, delegationId }, body: { registrationId } };
    },
    events: 1,
    reads: true,
  },
  {
    route: 'ChangeDelegationCredentials',
    prepare: async () => {
      const conferenceId = await invitationConference();
      return {
        params: { conferenceId, delegationId: await newDelegation(conferenceId) },
        body: { status: 'verified' },
      };
    },
    events: 1,
    reads: true,
  },
  {
    // Cancels the member and invites the substitute, in one step.
    route: 'SubstituteDelegationMember',
    prepare: async () => {
      const { conferenceId, delegationId, registrationId } = await delegationMember();
      return {
        params: { conferenceId, delegationId },
        body: { registrationId, invitation: { email: `${randomUUID()}@example.org`, category: 'mayor' } },
      };
    },
    events: 3,
    reads: true,
  },
];

/**
 * Commands that append no event but put one item of their own (conditionally, so that a retry with the
 * same Idempotency-Key finds it): a document made in the background (CONTRACT 5.5), its status item.
 */
interface ItemCommandCase {
  route: string;
  prepare: () => Promise<{ params: Record<string, string>; body?: unknown }>;
  /** The write of its item. */
  write: CommandName;
  /** The items it put, read from DynamoDB Local. */
  items: (request: { params: Record<string, string> }) => Promise<number>;
}

/** The status items of a conference's documents (the stream-state table, `document#<conferenceId>#…`). */
const documentStatusItems = async (conferenceId: string): Promise<number> => {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await real.send(
      new ScanCommand({
        TableName: harness.tables.streamState,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: marshall({ ':prefix': `document#${conferenceId}#` }),
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return count;
};

const itemCommandCases: ItemCommandCase[] = [
  {
    route: 'StartDocument',
    prepare: async () => ({
      params: { conferenceId: await newConference() },
      body: { kind: 'registrations-csv' },
    }),
    write: 'PutItemCommand',
    items: ({ params }) => documentStatusItems(String(params.conferenceId)),
  },
];

it('covers every POST route of infra/definitions/routes.ts', async () => {
  const { routes } = await import('../../infra/definitions/routes.js');
  expect([...commandCases, ...itemCommandCases].map((c) => c.route).sort()).toEqual(
    routes
      .filter((route) => route.method === 'POST')
      .map((route) => route.name)
      .sort(),
  );
});

/** The answer to exhausted retries: 503 problem+json with a Retry-After of whole seconds. */
const expectServiceUnavailable = (answer: Answer) => {
  expectProblem(answer, 503);
  expect(String(answer.headers['retry-after'])).toMatch(/^[1-9]\d*$/);
};

describe.each(commandCases)('command $route under DynamoDB faults', (command) => {
  /**
   * The outcome of the one command sent. A command that answers each item of a batch on its own (200 with
   * a result per item, CONTRACT 5.3's decisions) reports a fault in its item: a 503 problem there.
   */
  const unavailable = (answer: Answer) => {
    // A fault before the items (the conference's read) is the request's own 503.
    if (!command.perItem || answer.status === 503) return expectServiceUnavailable(answer);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json.results, answer.text).toEqual([
      expect.objectContaining({
        problem: expect.objectContaining({ status: 503, title: 'Service Unavailable' }),
      }),
    ]);
  };
  const succeeded = (answer: Answer) => {
    expect(answer.status, answer.text).toBeLessThan(300);
    if (command.perItem)
      expect(answer.json.results, answer.text).toEqual([
        expect.not.objectContaining({ problem: expect.anything() }),
      ]);
  };
  let request: { params: Record<string, string>; body?: unknown };
  let before: number;
  const send = (idempotencyKey?: string) =>
    call(
      command.route,
      request.params,
      request.body,
      idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    );

  beforeEach(async () => {
    installPassThrough();
    request = await command.prepare();
    before = await eventItemCount();
    calls.length = 0;
  });

  it.each(transientWriteFaults)(
    '%s on the append: 503 + Retry-After, one attempt, nothing stored; a retry stores once',
    async (_, make) => {
      const key = `retry-${randomUUID()}`;
      plan('TransactWriteItemsCommand', [{ fail: make }]);
      unavailable(await send(key));
      expect(callsOf('TransactWriteItemsCommand')).toHaveLength(1);
      expect(await eventItemCount()).toBe(before);

      // The client's retry (same Idempotency-Key) goes through: stored exactly once.
      const retried = await send(key);
      succeeded(retried);
      expect(await eventItemCount()).toBe(before + command.events);
    },
  );

  if (command.reads)
    it.each(transientWriteFaults)('%s on the read: 503 + Retry-After, nothing appended', async (_, make) => {
      plan(COMMAND_READ, [], { fail: make });
      unavailable(await send());
      expect(callsOf(COMMAND_READ, 'injected')).toHaveLength(1);
      expect(callsOf('TransactWriteItemsCommand')).toHaveLength(0);
      expect(await eventItemCount()).toBe(before);
    });

  it.each(cancellationReasons)(
    'transaction cancelled for %s, then through: one append succeeds, events stored once',
    async (code) => {
      plan('TransactWriteItemsCommand', [{ fail: cancelled(code) }, { fail: cancelled(code) }]);
      const answer = await send();
      succeeded(answer);
      const attempts = callsOf('TransactWriteItemsCommand');
      expect(attempts.map((attempt) => attempt.outcome)).toEqual(['injected', 'injected', 'ok']);
      // The same events (same ids, versions) in every attempt, and exactly one attempt committed them.
      const written = attempts.map((attempt) => eventsIn(attempt.input));
      expect(written[0]).toHaveLength(command.events);
      expect(new Set(written.map((events) => events.join()))).toHaveProperty('size', 1);
      expect(await eventItemCount()).toBe(before + command.events);
    },
  );

  it.each(cancellationReasons)(
    'transaction cancelled for %s every time: 503 after exactly 6 attempts, nothing stored',
    async (code) => {
      withoutBackoffWaits();
      plan('TransactWriteItemsCommand', [], { fail: cancelled(code) });
      unavailable(await send());
      expect(callsOf('TransactWriteItemsCommand')).toHaveLength(APPEND_ATTEMPTS);
      expect(await eventItemCount()).toBe(before);
    },
  );

  it('a timeout after DynamoDB committed: 503; the retry with the same Idempotency-Key answers what was stored, storing nothing twice', async () => {
    const key = `retry-${randomUUID()}`;
    plan('TransactWriteItemsCommand', [{ commitThenFail: fault.timeout }]);
    const first = await send(key);
    // A command answering per item reads the item again after the timeout and finds its decision stored:
    // that item then succeeds; either way the events are stored once.
    const items = first.json.results as Array<{ problem?: unknown }> | undefined;
    if (command.perItem && first.status === 200 && !items?.[0]?.problem) succeeded(first);
    else unavailable(first);
    expect(await eventItemCount()).toBe(before + command.events);

    const committed = JSON.stringify(
      callsOf('TransactWriteItemsCommand', 'committed-then-injected').map((attempt) =>
        ((attempt.input as unknown as TransactWriteItemsCommandInput).TransactItems ?? []).map((item) =>
          item.Put?.Item ? unmarshall(item.Put.Item) : {},
        ),
      ),
    );
    const retried = await send(key);
    succeeded(retried);
    expect(await eventItemCount()).toBe(before + command.events);
    // No event written again (a command answering per item records its batch's answer in a transaction
    // of its own, after the item found its decision stored).
    if (command.perItem)
      expect(callsOf('TransactWriteItemsCommand', 'ok').flatMap((c) => eventsIn(c.input))).toEqual([]);
    else expect(callsOf('TransactWriteItemsCommand', 'ok')).toHaveLength(0);
    // The answer names what the first attempt stored (not a second, unstored id).
    for (const field of ['conferenceId', 'registrationId', 'sessionId', 'awardId'])
      if (typeof retried.json[field] === 'string') expect(committed).toContain(retried.json[field]);
  });
});

describe.each(itemCommandCases)('command $route under DynamoDB faults', (command) => {
  let request: { params: Record<string, string>; body?: unknown };
  let jobs: number;
  const send = (idempotencyKey?: string) =>
    call(
      command.route,
      request.params,
      request.body,
      idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    );

  beforeEach(async () => {
    installPassThrough();
    request = await command.prepare();
    expect(await command.items(request)).toBe(0);
    jobs = documentJobsStarted.length;
    calls.length = 0;
  });

  it.each(transientWriteFaults)(
    '%s on the write: 503 + Retry-After, one attempt, nothing stored nor started; a retry stores once',
    async (_, make) => {
      const key = `retry-${randomUUID()}`;
      plan(command.write, [{ fail: make }]);
      expectServiceUnavailable(await send(key));
      expect(callsOf(command.write)).toHaveLength(1);
      expect(await command.items(request)).toBe(0);
      expect(documentJobsStarted).toHaveLength(jobs);

      const retried = await send(key);
      expect(retried.status, retried.text).toBeLessThan(300);
      expect(await command.items(request)).toBe(1);
      expect(documentJobsStarted).toHaveLength(jobs + 1);
    },
  );

  it.each(transientWriteFaults)('%s on the read: 503 + Retry-After, nothing stored', async (_, make) => {
    plan(COMMAND_READ, [], { fail: make });
    expectServiceUnavailable(await send());
    expect(callsOf(COMMAND_READ, 'injected')).toHaveLength(1);
    expect(callsOf(command.write)).toHaveLength(0);
    expect(await command.items(request)).toBe(0);
  });

  it('a timeout after DynamoDB committed: 503; the retry with the same Idempotency-Key answers what was stored, storing nothing twice', async () => {
    const key = `retry-${randomUUID()}`;
    plan(command.write, [{ commitThenFail: fault.timeout }]);
    expectServiceUnavailable(await send(key));
    expect(await command.items(request)).toBe(1);

    const committed = JSON.stringify(
      callsOf(command.write, 'committed-then-injected').map((attempt) =>
        unmarshall((attempt.input as { Item: Parameters<typeof unmarshall>[0] }).Item),
      ),
    );
    const retried = await send(key);
    expect(retried.status, retried.text).toBeLessThan(300);
    expect(await command.items(request)).toBe(1);
    expect(callsOf(command.write, 'ok')).toHaveLength(0);
    for (const field of ['documentId'])
      if (typeof retried.json[field] === 'string') expect(committed).toContain(retried.json[field]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Consumers: every rule's consumer, fed one SQS record of an EventBridge event as the cloud feeds it
// (sqsRecord of test/support/bus-events.ts).

const eventOf = async (streamId: string, type: string): Promise<EventEnvelope> => {
  const found = (await store.load(streamId)).find((event) => event.type === type);
  if (!found) throw new Error(`No ${type} in ${streamId}`);
  return found;
};

type Deliver = (...envelopes: EventEnvelope[]) => Promise<SQSBatchResponse>;

interface Prepared {
  /** The event the fault hits. */
  envelope: EventEnvelope;
  /**
   * Another event of the rule, already applied, sent after it in the same batch: the consumer must hand
   * back only the failed record, and handle this one (again) without effect.
   */
  companion: EventEnvelope;
  /** The delegate the waitlist process must promote. */
  promotes?: string;
}

interface ConsumerCase {
  rule: string;
  /** The write that applies the event: the fault goes there. */
  write: CommandName;
  /** The read before it. */
  read: CommandName;
  /** Writes of one delivery while every transaction is cancelled: the consumer's bounded retries. */
  attemptsWhenCancelled: number;
  /**
   * With a batch path (busConsumer's `batch`, tried before record by record): the write it applies the
   * batch with, and its attempts of it while every transaction is cancelled.
   */
  batchWrite?: CommandName;
  batchAttemptsWhenCancelled?: number;
  /** Which calls a fault is aimed at: those naming the event's stream or id (default), or any. */
  aim?: 'event' | 'any';
  prepare: (deliver: Deliver) => Promise<Prepared>;
  /** The effect of the event, read from DynamoDB Local (or the outbox): from `none` to `once` on success. */
  effect: (prepared: Prepared) => Promise<unknown>;
  none: unknown;
  once: unknown;
}

let consumers: Record<string, Handler>;

const emailsFor = async (eventId: string) =>
  (await readdir(harness.outbox).catch(() => [] as string[])).filter((file) => file === `${eventId}.eml`)
    .length;

/** Two delegates of a new conference: the companion's event is delivered first. */
const twoRegistrations = async (deliver: Deliver): Promise<Prepared> => {
  const conferenceId = await newConference();
  const first = await eventOf(
    registrationStreamId(await newRegistration(conferenceId)),
    'DelegateRegistered',
  );
  const companion = await eventOf(
    registrationStreamId(await newRegistration(conferenceId)),
    'DelegateRegistered',
  );
  expect((await deliver(companion)).batchItemFailures).toEqual([]);
  return { envelope: first, companion };
};

/** A registration form with one choice (CONTRACT 5.2): its answers are what the answers summary counts. */
const formWithVisit = {
  fields: [
    {
      fieldId: 'visit',
      type: 'single-choice',
      label: 'Field visit',
      options: [
        { optionId: 'xochimilco', label: 'Xochimilco learning community' },
        { optionId: 'centro', label: 'Centro Histórico' },
      ],
    },
  ],
};

const consumerCases: ConsumerCase[] = [
  {
    rule: 'RegistrantListProjector',
    // The row with its index entries, in one transaction.
    write: 'TransactWriteItemsCommand',
    read: 'GetItemCommand',
    attemptsWhenCancelled: PROJECTION_ATTEMPTS,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    prepare: twoRegistrations,
    effect: async ({ envelope }) => {
      const row = await readModelItem(
        readModelPartition('registrant-list', 1, envelope.conferenceId),
        rowKey(envelope.streamId),
      );
      return { version: row?.version ?? 0, listed: row?.state ? 1 : 0 };
    },
    none: { version: 0, listed: 0 },
    once: { version: 1, listed: 1 },
  },
  {
    rule: 'DelegateCountsProjector',
    write: 'TransactWriteItemsCommand',
    // The row and the summary's asOf, in one request.
    read: 'BatchGetItemCommand',
    attemptsWhenCancelled: PROJECTION_ATTEMPTS,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    prepare: twoRegistrations,
    effect: async ({ envelope }) => {
      const summary = await readModelItem(
        readModelPartition('delegate-counts', 1, envelope.conferenceId),
        SUMMARY,
      );
      return { registered: summary?.registered ?? 0, waitlisted: summary?.waitlisted ?? 0 };
    },
    none: { registered: 1, waitlisted: 0 },
    once: { registered: 2, waitlisted: 0 },
  },
  {
    rule: 'AgendaProjector',
    write: 'PutItemCommand',
    read: 'GetItemCommand',
    attemptsWhenCancelled: 1,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    prepare: async (deliver) => {
      const conferenceId = await newConference();
      const companion = await eventOf(`conference-${conferenceId}`, 'ConferenceCreated');
      expect((await deliver(companion)).batchItemFailures).toEqual([]);
      const sessionId = await newSession(conferenceId);
      return { envelope: await eventOf(sessionStreamId(sessionId), 'SessionScheduled'), companion };
    },
    effect: async ({ envelope }) => {
      const row = await readModelItem(
        readModelPartition('agenda', 1, envelope.conferenceId),
        rowKey(envelope.streamId),
      );
      return {
        version: row?.version ?? 0,
        sessions: (row?.state as { sessions?: unknown[] })?.sessions?.length ?? 0,
      };
    },
    none: { version: 0, sessions: 0 },
    once: { version: 1, sessions: 1 },
  },
  {
    rule: 'WaitlistProcess',
    write: 'TransactWriteItemsCommand',
    read: 'QueryCommand',
    attemptsWhenCancelled: APPEND_ATTEMPTS,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    // The records of its batch are of one stream (the cancelled registration's): its reads name none.
    aim: 'any',
    // One seat: A holds it, B waits (and the process has seen both); A cancels: B must be promoted once.
    prepare: async (deliver) => {
      const conferenceId = await newConference(1);
      const a = await newRegistration(conferenceId);
      const b = await newRegistration(conferenceId);
      const companion = await eventOf(registrationStreamId(a), 'DelegateRegistered');
      expect(
        (await deliver(companion, await eventOf(registrationStreamId(b), 'DelegateWaitlisted')))
          .batchItemFailures,
      ).toEqual([]);
      expect((await call('CancelRegistration', { conferenceId, registrationId: a })).status).toBe(200);
      return {
        envelope: await eventOf(registrationStreamId(a), 'RegistrationCancelled'),
        companion,
        promotes: b,
      };
    },
    effect: async ({ envelope, promotes }) => ({
      promotions: (await store.load(registrationStreamId(String(promotes)))).filter(
        (event) => event.type === 'WaitlistedDelegatePromoted',
      ).length,
      seatsHeld: await seatsHeld(envelope.conferenceId),
    }),
    none: { promotions: 0, seatsHeld: 0 },
    once: { promotions: 1, seatsHeld: 1 },
  },
  {
    // A registration's row of the visa letters read model: the names its letters are listed under.
    rule: 'VisaLettersProjector',
    write: 'PutItemCommand',
    read: 'GetItemCommand',
    attemptsWhenCancelled: 1,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    prepare: twoRegistrations,
    effect: async ({ envelope }) => {
      const row = await readModelItem(
        readModelPartition('visa-letters', 1, envelope.conferenceId),
        rowKey(envelope.streamId),
      );
      return {
        version: row?.version ?? 0,
        named: typeof (row?.state as { familyName?: unknown } | undefined)?.familyName === 'string',
      };
    },
    none: { version: 0, named: false },
    once: { version: 1, named: true },
  },
  {
    rule: 'Notifier',
    write: 'PutItemCommand',
    read: 'QueryCommand',
    attemptsWhenCancelled: 1,
    prepare: twoRegistrations,
    effect: async ({ envelope, companion }) => ({
      emails: await emailsFor(envelope.eventId),
      companionEmails: await emailsFor(companion.eventId),
    }),
    none: { emails: 0, companionEmails: 1 },
    once: { emails: 1, companionEmails: 1 },
  },
  {
    // The row and the conference's counters, in one transaction.
    rule: 'AnswersSummaryProjector',
    write: 'TransactWriteItemsCommand',
    read: 'GetItemCommand',
    attemptsWhenCancelled: PROJECTION_ATTEMPTS,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    prepare: async (deliver) => {
      const conferenceId = await newConference();
      expect((await call('PutRegistrationForm', { conferenceId }, formWithVisit)).status).toBe(200);
      const answered = async () =>
        eventOf(
          registrationStreamId(
            created(
              await call(
                'RegisterDelegate',
                { conferenceId },
                {
                  ...delegateFixture,
                  email: `${randomUUID()}@example.org`,
                  consent: true,
                  answers: { visit: 'centro' },
                },
              ),
              'registrationId',
            ),
          ),
          'DelegateRegistered',
        );
      const envelope = await answered();
      const companion = await answered();
      expect((await deliver(companion)).batchItemFailures).toEqual([]);
      return { envelope, companion };
    },
    effect: async ({ envelope }) => {
      const summary = await readModelItem(
        readModelPartition('answers-summary', 1, envelope.conferenceId),
        SUMMARY,
      );
      return { centro: summary?.['o:visit=centro'] ?? 0, answered: summary?.['a:visit'] ?? 0 };
    },
    none: { centro: 1, answered: 1 },
    once: { centro: 2, answered: 2 },
  },
  {
    // An invitation's row of the organizer's list (CONTRACT 5.3): its status and the invitee's address.
    rule: 'InvitationsProjector',
    write: 'PutItemCommand',
    read: 'GetItemCommand',
    attemptsWhenCancelled: 1,
    batchWrite: 'TransactWriteItemsCommand',
    batchAttemptsWhenCancelled: PROJECTION_ATTEMPTS,
    prepare: async (deliver) => {
      const conferenceId = await invitationConference();
      const { invitationId } = await sentInvitation(conferenceId);
      const other = await sentInvitation(conferenceId);
      const companion = await eventOf(invitationStreamId(other.invitationId), 'InvitationSent');
      expect((await deliver(companion)).batchItemFailures).toEqual([]);
      return { envelope: await eventOf(invitationStreamId(invitationId), 'InvitationSent'), companion };
    },
    effect: async ({ envelope }) => {
      const row = await readModelItem(
        readModelPartition('invitations', 1, envelope.conferenceId),
        rowKey(envelope.streamId),
      );
      return {
        version: row?.version ?? 0,
        status: (row?.state as { status?: string } | undefined)?.status ?? 'none',
      };
    },
    none: { version: 0, status: 'none' },
    once: { version: 1, status: 'sent' },
  },
];

it('covers every rule of infra/definitions/rules.ts', () => {
  expect(consumerCases.map((c) => c.rule).sort()).toEqual(
    rules.map((rule: RuleDefinition) => rule.name).sort(),
  );
});

describe.each(consumerCases)('consumer $rule under DynamoDB faults', (consumer) => {
  let prepared: Prepared;
  let ids: string[] = [];
  const handler = () =>
    consumers[consumer.rule] as unknown as (
      event: SQSEvent,
      context: unknown,
    ) => Promise<SQSBatchResponse | undefined>;
  const deliverWithIds = async (records: Array<[EventEnvelope, string]>): Promise<SQSBatchResponse> =>
    (await handler()(
      { Records: records.map(([envelope, id]) => sqsRecord(envelope, id, { queue: 'proof' })) },
      lambdaContext(consumer.rule),
    )) ?? { batchItemFailures: [] };
  const deliver: Deliver = (...envelopes) =>
    deliverWithIds(envelopes.map((envelope) => [envelope, randomUUID()]));
  /** The batch of the test: the event under the fault, then the companion. */
  const deliverBatch = () =>
    deliverWithIds([
      [prepared.envelope, ids[0] as string],
      [prepared.companion, ids[1] as string],
    ]);

  beforeEach(async () => {
    installPassThrough();
    prepared = await consumer.prepare(deliver);
    ids = [randomUUID(), randomUUID()];
    expect(await consumer.effect(prepared)).toEqual(consumer.none);
    calls.length = 0;
    const { logger } = await import('../../functions/shared/runtime/observability.js');
    const info = vi.spyOn(logger, 'info');
    fellBack = () =>
      info.mock.calls.some(([message]) => message === 'Batch handed to record-by-record handling');
  });

  /** SQS delivers the failed record again until the consumer reports success, at most maxReceiveCount times. */
  const redeliverUntilDone = async () => {
    const rule = rules.find((r) => r.name === consumer.rule) as RuleDefinition;
    for (let receive = 2; receive <= rule.maxReceiveCount; receive++) {
      const response = await deliverWithIds([[prepared.envelope, ids[0] as string]]);
      if (response.batchItemFailures.length === 0) return receive;
    }
    throw new Error(`not done after ${rule.maxReceiveCount} receives`);
  };

  /**
   * What changed with batches: a projector and the waitlist process first apply a delivered batch at once
   * (busConsumer's `batch`, ProjectionRunner.applyBatch: the rows in TransactWriteItems) and, should that
   * fail, handle the batch again record by record; the notifier handles up to five streams at once. So a
   * fault is aimed at the calls that concern the event under test (its stream or its id), not at whichever
   * call comes first, and each guarantee is proved for both paths: a fault met in the batch path is absorbed
   * by the record-by-record fallback (every record applied exactly once, none twice, even when DynamoDB had
   * committed the batch's write); a fault met in the record path as well leaves exactly that record as a
   * batch item failure while the other is handled; the redelivery applies it once; and delivering the batch
   * yet again (at least once delivery) changes nothing. Attempts stay bounded in each path.
   */
  const aimed = (input: Record<string, unknown>) => {
    if (consumer.aim === 'any') return true;
    const text = JSON.stringify(input);
    return text.includes(prepared.envelope.streamId) || text.includes(prepared.envelope.eventId);
  };
  /** Calls that got an injected fault. */
  const faultsMet = (command?: CommandName) =>
    calls.filter(
      (c) =>
        (!command || c.command === command) &&
        (c.outcome === 'injected' || c.outcome === 'committed-then-injected'),
    );
  /** Whether the consumer's batch path failed and handed the batch to record-by-record handling. */
  let fellBack: () => boolean = () => false;

  it.each([
    ...transientWriteFaults.map(([name, make]) => [`${name} on the write`, 'write', { fail: make }] as const),
    ...transientWriteFaults.map(([name, make]) => [`${name} on the read`, 'read', { fail: make }] as const),
    ['a timeout after DynamoDB committed the write', 'write', { commitThenFail: fault.timeout }] as const,
  ])(
    '%s in the record path: that record alone is a batch item failure, then applied exactly once on redelivery',
    async (_, where, step) => {
      const command = where === 'write' ? consumer.write : consumer.read;
      // With a batch path: its write fails first (once), so the batch is handled record by record, where
      // the planned fault is met.
      const batchFault: Step = { fail: fault.throttling };
      if (consumer.batchWrite === command) plan(command, [batchFault, step as Step], 'pass', aimed);
      else {
        if (consumer.batchWrite) plan(consumer.batchWrite, [batchFault], 'pass', aimed);
        plan(command, [step as Step], 'pass', aimed);
      }
      const first = await deliverBatch();
      expect(fellBack()).toBe(consumer.batchWrite !== undefined);
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: ids[0] }]);
      // Each fault was met once; nothing went on past it within this delivery.
      expect(faultsMet()).toHaveLength(consumer.batchWrite ? 2 : 1);

      expect(await redeliverUntilDone()).toBe(2);
      expect(await consumer.effect(prepared)).toEqual(consumer.once);
      // Delivered yet again (at least once delivery): nothing changes.
      expect((await deliverBatch()).batchItemFailures).toEqual([]);
      expect(await consumer.effect(prepared)).toEqual(consumer.once);
    },
  );

  if (consumer.batchWrite)
    it.each([
      ...transientWriteFaults.map(([name, make]) => [name, { fail: make }] as const),
      ['a timeout after DynamoDB committed it', { commitThenFail: fault.timeout }] as const,
    ])(
      "%s on the batch path's write: handed to record-by-record handling, every record applied exactly once",
      async (_, step) => {
        const command = consumer.batchWrite as CommandName;
        plan(command, [step as Step], 'pass', aimed);
        const first = await deliverBatch();
        expect(faultsMet(command)).toHaveLength(1);
        expect(fellBack()).toBe(true);
        expect(first.batchItemFailures).toEqual([]);
        expect(await consumer.effect(prepared)).toEqual(consumer.once);
        // Delivered yet again (at least once delivery): nothing changes.
        expect((await deliverBatch()).batchItemFailures).toEqual([]);
        expect(await consumer.effect(prepared)).toEqual(consumer.once);
      },
    );

  if (consumer.write === 'TransactWriteItemsCommand')
    it.each(cancellationReasons)(
      'transactions cancelled for %s every time: bounded attempts in each path, then a batch item failure; applied once later',
      async (code) => {
        withoutBackoffWaits();
        plan(consumer.write, [], { fail: cancelled(code) }, aimed);
        const first = await deliverBatch();
        expect(first.batchItemFailures).toEqual([{ itemIdentifier: ids[0] }]);
        expect(fellBack()).toBe(consumer.batchWrite !== undefined);
        // The batch path's bounded attempts (when it has one), then the record path's.
        expect(faultsMet(consumer.write)).toHaveLength(
          (consumer.batchAttemptsWhenCancelled ?? 0) + consumer.attemptsWhenCancelled,
        );
        expect(await consumer.effect(prepared)).toEqual(consumer.none);

        plans.clear();
        expect(await redeliverUntilDone()).toBe(2);
        expect(await consumer.effect(prepared)).toEqual(consumer.once);
      },
    );
});

beforeAll(async () => {
  harness = await prepareProofEnvironment('proof-faults');
  const { dynamoDb } = await import('../../functions/shared/runtime/config.js');
  // Only the handlers' client is mocked; this one talks to DynamoDB Local for real.
  real = harness.tables.client;
  mock = mockClient(dynamoDb());
  installPassThrough();
  store = storeWithCodec(real, harness.tables);
  http = await importRouteHandlers();
  consumers = Object.fromEntries(
    await Promise.all(rules.map(async (rule) => [rule.name, await importHandler(rule.consumer)])),
  );
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(() => {
  mock?.restore();
});
