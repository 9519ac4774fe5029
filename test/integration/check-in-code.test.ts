import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import {
  checkInCodeOf,
  isWellFormedCheckInCode,
  registrationIdOfCheckInCode,
} from '../../functions/shared/personal-data/check-in-code.js';
import { iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { readEmail } from '../support/email-reader.js';
import { importHandler } from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/** Check-in by code through the real handlers and event store on DynamoDB Local. */
const handlers = useRouteHandlers('check-in-code', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let notifier: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let store: EventStore;

const createConference = async () => {
  const created = await call(
    'CreateConference',
    {},
    { body: { ...iclc2015, capacity: 5 }, headers: organizer() },
  );
  return created.body.conferenceId as string;
};

const register = async (conferenceId: string, n: number) => {
  const response = await call(
    'RegisterDelegate',
    { conferenceId },
    {
      body: {
        givenName: 'Σοφία',
        familyName: `Παπαδοπούλου${n}`,
        email: `sofia.${n}.${conferenceId}@example.org`,
        country: 'GR',
        city: 'Athens',
        organization: 'Δήμος Αθηναίων',
        category: 'mayor',
        consent: true,
      },
    },
  );
  expect(response.status).toBe(201);
  return response.body as { registrationId: string; manageToken: string; status: string };
};

const checkIn = (conferenceId: string, code: unknown) =>
  call('CheckInByCode', { conferenceId }, { body: { code }, headers: organizer() });

beforeAll(async () => {
  notifier = await importHandler<typeof notifier>('functions/consumers/notifier.ts');
  store = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
}, 60_000);

describe('Check-in codes', () => {
  it('name their registration, verify by MAC, and refuse forgeries and malformed text', async () => {
    const code = await checkInCodeOf('8c1f0d1e-2b7a-4d7e-9d43-0f8a7c0e5b21');
    expect(code).toMatch(/^8c1f0d1e-2b7a-4d7e-9d43-0f8a7c0e5b21\.[\w-]{22}$/);
    expect(await checkInCodeOf('8c1f0d1e-2b7a-4d7e-9d43-0f8a7c0e5b21')).toBe(code);
    expect(await registrationIdOfCheckInCode(code)).toBe('8c1f0d1e-2b7a-4d7e-9d43-0f8a7c0e5b21');
    const tag = code.split('.')[1] as string;
    // Another registration's id with this tag, and this id with any other tag, are forgeries.
    expect(await registrationIdOfCheckInCode(`8c1f0d1e-2b7a-4d7e-9d43-0f8a7c0e5b22.${tag}`)).toBeUndefined();
    for (const position of [0, 10, 21]) {
      const altered = tag.slice(0, position) + (tag[position] === 'A' ? 'B' : 'A') + tag.slice(position + 1);
      expect(
        await registrationIdOfCheckInCode(`8c1f0d1e-2b7a-4d7e-9d43-0f8a7c0e5b21.${altered}`),
      ).toBeUndefined();
    }
    for (const malformed of ['', 'abc', `${code}x`, code.replace('.', '-'), `a b.${tag}`]) {
      expect(isWellFormedCheckInCode(malformed)).toBe(false);
      expect(await registrationIdOfCheckInCode(malformed)).toBeUndefined();
    }
  });
});

describe('POST /conferences/{conferenceId}/check-ins on DynamoDB Local', () => {
  let conferenceId: string;
  beforeAll(async () => {
    conferenceId = await createConference();
  });

  it('checks a seat holder in and tells the desk who arrived; a second scan is 409 saying since when', async () => {
    const sofia = await register(conferenceId, 1);
    const code = await checkInCodeOf(sofia.registrationId);
    const first = await checkIn(conferenceId, code);
    expect(first).toMatchObject({
      status: 200,
      body: {
        registrationId: sofia.registrationId,
        status: 'checked-in',
        givenName: 'Σοφία',
        familyName: 'Παπαδοπούλου1',
        organization: 'Δήμος Αθηναίων',
        country: 'GR',
        category: 'mayor',
      },
    });
    expect(Date.parse(first.body.checkedInAt)).not.toBeNaN();
    const second = await checkIn(conferenceId, code);
    expect(second.status).toBe(409);
    expect(second.body.detail).toContain(`since ${first.body.checkedInAt}`);
    const read = await call(
      'GetRegistration',
      { conferenceId, registrationId: sofia.registrationId },
      { headers: organizer() },
    );
    expect(read.body).toMatchObject({ status: 'checked-in', checkedInAt: first.body.checkedInAt });
  });

  it('lets one of two desks scanning the same code at once through: one 200, one 409', async () => {
    for (let n = 10; n < 13; n++) {
      const delegate = await register(conferenceId, n);
      const code = await checkInCodeOf(delegate.registrationId);
      const answers = await Promise.all([checkIn(conferenceId, code), checkIn(conferenceId, code)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      const events = await store.load(registrationStreamId(delegate.registrationId));
      expect(events.map((event) => event.type)).toEqual(['DelegateRegistered', 'DelegateCheckedIn']);
      // Cancel to free the seat for the next pair.
      await call(
        'CancelRegistration',
        { conferenceId, registrationId: delegate.registrationId },
        { headers: organizer() },
      );
    }
  });

  it('answers 400 malformed, 404 forged or of another conference, 409 waitlisted or cancelled, 410 erased', async () => {
    expect((await checkIn(conferenceId, 'not-a-code')).status).toBe(400);
    expect((await checkIn(conferenceId, 42)).status).toBe(400);
    const delegate = await register(conferenceId, 20);
    const code = await checkInCodeOf(delegate.registrationId);
    const forged = `${code.slice(0, -2)}${code.endsWith('AA') ? 'BB' : 'AA'}`;
    const unknown = await checkIn(conferenceId, forged);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).not.toContain(code);
    const other = await createConference();
    expect((await checkIn(other, code)).status).toBe(404);

    const path = { conferenceId, registrationId: delegate.registrationId };
    await call('CancelRegistration', path, { headers: organizer() });
    const cancelled = await checkIn(conferenceId, code);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.detail).toMatch(/cancelled/);
    await call('ErasePersonalData', path, { headers: organizer() });
    expect((await checkIn(conferenceId, code)).status).toBe(410);

    const full = await createConference();
    for (let n = 0; n < 5; n++) await register(full, 100 + n);
    const waiting = await register(full, 105);
    expect(waiting.status).toBe('waitlisted');
    const refused = await checkIn(full, await checkInCodeOf(waiting.registrationId));
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/waitlisted/);
  });
});

describe('The registration email carries the check-in code', () => {
  it('as text and as an inline QR code image, which an independent decoder reads back', async () => {
    const conferenceId = await createConference();
    const delegate = await register(conferenceId, 30);
    const [registered] = await store.load(registrationStreamId(delegate.registrationId));
    if (!registered) throw new Error('no event');
    const response = await notifier(
      { Records: [sqsRecord(registered, 'm1', { queue: 'Notifier', busEventId: 'bus-m1' })] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    const file = readdirSync(handlers.environment.outbox).find(
      (name) => name === `${registered.eventId}.eml`,
    );
    const email = await readEmail(readFileSync(join(handlers.environment.outbox, file ?? 'missing')));
    const code = await checkInCodeOf(delegate.registrationId);
    expect(email.text).toContain(code);
    expect(email.qrCodes).toEqual([{ contentId: 'check-in-code@learning-cities', text: code }]);
    expect(email.html).toContain('cid:check-in-code@learning-cities');
    expect((await checkIn(conferenceId, email.qrCodes[0]?.text)).status).toBe(200);
  });
});
