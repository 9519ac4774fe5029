/**
 * The retention job says what it erased and why: `npm start`'s scheduler runs the scheduled function
 * and prints, per conference past its retention, the conference, how many registrations were erased
 * and the retention that applied; a run with nothing due says so (DynamoDB Local).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { schedules } from '../../infra/definitions/schedules.js';
import type { LocalLogger } from '../../local/log.js';
import { startScheduler } from '../../local/scheduler.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { type OrganizerCalls, organizerCalls, prepareProofEnvironment } from '../proof/harness.js';
import { deliverAlone, type SqsConsumer } from '../support/bus-events.js';
import { importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';

let send: OrganizerCalls['send'];
let call: OrganizerCalls['call'];
let waitlistProcess: SqsConsumer;
let store: EventStore;

beforeAll(async () => {
  const harness = await prepareProofEnvironment('retention-report');
  store = storeWithCodec(harness.tables.client, harness.tables);
  ({ send, call } = organizerCalls(await importRouteHandlers(), harness.organizerToken));
  waitlistProcess = await importHandler<SqsConsumer>('functions/consumers/waitlist-process.ts');
});

const register = async (conferenceId: string) => {
  const answer = await send(
    'RegisterDelegate',
    { conferenceId },
    { ...delegate, email: `${randomUUID()}@example.org`, consent: true },
  );
  expect(answer.status, answer.text).toBe(201);
  const registrationId = String(answer.json.registrationId);
  // The retention finds a conference's registrations in the waitlist process's rows.
  for (const event of await store.load(registrationStreamId(registrationId))) {
    const failures = await deliverAlone(waitlistProcess, event, {
      queue: 'retention-report',
      functionName: 'WaitlistProcess',
    });
    expect(failures).toEqual([]);
  }
  return registrationId;
};

/** The lines the scheduler prints for one run of the retention schedule, now. */
const runRetention = async () => {
  const lines: string[] = [];
  const logger: LocalLogger = {
    info: (message) => lines.push(message),
    warn: (message) => lines.push(message),
    error: (message) => lines.push(message),
  };
  const retention = schedules.filter((schedule) => schedule.name === 'EraseExpiredPersonalData');
  expect(retention).toHaveLength(1);
  const scheduler = startScheduler({ schedules: retention, firstRunMs: 3_600_000, logger });
  try {
    await scheduler.runNow();
  } finally {
    await scheduler.stop();
  }
  return lines;
};

describe('The retention run reports what it erased and why (DynamoDB Local)', () => {
  it('prints nothing erased while no conference is past its retention', async () => {
    const kept = String(
      (
        await call(
          'CreateConference',
          {},
          { ...iclc2015, acronym: 'KEPT', personalDataRetentionDays: 36_500 },
        )
      ).conferenceId,
    );
    await register(kept);
    const lines = await runRetention();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d{4}-\d{2}-\d{2}: no conference is past its personal-data retention; nothing erased$/,
    );
  });

  it('prints the conference, the count erased and the retention that applied', async () => {
    // Held in 2015 with the default retention (365 days), as the README's tutorial once was.
    expect(iclc2015).not.toHaveProperty('personalDataRetentionDays');
    const expired = String(
      (await call('CreateConference', {}, { ...iclc2015, acronym: 'GONE' })).conferenceId,
    );
    const changed = String(
      (await call('CreateConference', {}, { ...iclc2015, acronym: 'SHORT', personalDataRetentionDays: 30 }))
        .conferenceId,
    );
    const registrations = [await register(expired), await register(expired), await register(expired)];
    await register(changed);

    const lines = await runRetention();
    const gone = lines.filter((line) => line.startsWith(`GONE (${expired})`));
    expect(gone).toEqual([
      `GONE (${expired}): 3 registrations erased, because it ended on ${iclc2015.endDate} and its ` +
        `personalDataRetentionDays is 365 days (the default): past its retention since 2016-09-29`,
    ]);
    const short = lines.filter((line) => line.startsWith(`SHORT (${changed})`));
    expect(short).toEqual([
      `SHORT (${changed}): 1 registration erased, because it ended on ${iclc2015.endDate} and its ` +
        `personalDataRetentionDays is 30 days: past its retention since 2015-10-30`,
    ]);
    expect(lines.some((line) => line.includes('KEPT'))).toBe(false);
    for (const registrationId of registrations) {
      const read = await send('GetRegistration', { conferenceId: expired, registrationId });
      expect(read.status).toBe(410);
    }

    // A second run (its rows not told of the erasures yet) finds them erased already, and says so.
    const again = await runRetention();
    expect(again.filter((line) => line.startsWith(`GONE (${expired})`))).toEqual([
      `GONE (${expired}): 0 registrations erased (3 already erased), because it ended on ${iclc2015.endDate} ` +
        `and its personalDataRetentionDays is 365 days (the default): past its retention since 2016-09-29`,
    ]);
  });
});
