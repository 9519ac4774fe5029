import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../local/aws-config.js';
import { iclc2015 } from '../domain/fixtures.js';
import { dataKeyItemsOf } from '../support/data-keys.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { searchFiles, searchTables } from '../support/marker-search.js';

/** CONTRACT section 4.1 over HTTP: erasure, its 404/403/410, the freed seat, and what is left of it. */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const emailsTo = (address: string) =>
  readdirSync(join(server.dataDir, 'outbox'))
    .filter((file) => file.endsWith('.eml'))
    .map((file) => readFileSync(join(server.dataDir, 'outbox', file), 'utf8'))
    .filter((mail) => mail.includes(address));

const marker = `Zq${Date.now().toString(36)}Érased`;
/** Email addresses are ASCII here; the names carry the accented marker (NFC/NFD matter there). */
const mailMarker = `zq${Date.now().toString(36)}mail`;
const markers = [marker, mailMarker];
const erasable = {
  givenName: `${marker}Given`,
  familyName: `${marker}Family`,
  email: `${mailMarker}@example.org`,
  country: 'FI',
  city: `${marker}City`,
  organization: `${marker}Org`,
  category: 'academic',
  consent: true,
};
const other = (n: number) => ({
  givenName: `Other${n}`,
  familyName: 'Delegate',
  email: `privacy.other.${n}@example.org`,
  country: 'MX',
  city: 'Mexico City',
  category: 'mayor',
  consent: true,
});

let erased: { registrationId: string; manageToken: string };
let waiting: { registrationId: string; manageToken: string };
let registeredAgain: { registrationId: string; manageToken: string };

/** The registration's items in the server's data-keys table (DataKeys), read through DynamoDB Local's API. */
const dataKeyOf = async (registrationId: string) => {
  const client = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${server.dynamoDbPort}`));
  try {
    return await dataKeyItemsOf(client, 'DataKeys', registrationId);
  } finally {
    client.destroy();
  }
};

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  conferenceId = (await call('POST', '/conferences', { ...iclc2015, capacity: 1 }, organizer())).body
    .conferenceId;
  erased = (await call('POST', `/conferences/${conferenceId}/registrations`, erasable)).body;
  waiting = (await call('POST', `/conferences/${conferenceId}/registrations`, other(1))).body;
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

const path = (registrationId: string, action = '') =>
  `/conferences/${conferenceId}/registrations/${registrationId}${action}`;

describe('npm start: erasing a delegate’s personal data', () => {
  it('reads the registration back decrypted before erasure, and keeps it out of the stores in plaintext', async () => {
    const back = await call('GET', path(erased.registrationId), undefined, {
      'x-manage-token': erased.manageToken,
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({
      givenName: erasable.givenName,
      email: erasable.email,
      status: 'registered',
    });
    await eventually(async () => (emailsTo(erasable.email).length === 1 ? true : undefined), 10_000);
    const client = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${server.dynamoDbPort}`));
    try {
      // Read models may hold personal data in plaintext (CONTRACT 4.1: they are deletable, and the desk's
      // lists are made of it), in their own table only (issue 16); the event store, the stream state, the
      // other read models and the data keys never do.
      const hits = await searchTables(client, markers);
      expect(hits.filter((hit) => !hit.where.startsWith('table PersonalReadModels:'))).toEqual([]);
      expect(hits.filter((hit) => hit.where.startsWith('table PersonalReadModels:')).length).toBeGreaterThan(
        0,
      );
    } finally {
      client.destroy();
    }
    // Each registration has its data key, as the erasure checks below expect to find it gone.
    expect(await dataKeyOf(erased.registrationId)).toEqual({ dataKey: true, erased: false });
    expect(await dataKeyOf(waiting.registrationId)).toEqual({ dataKey: true, erased: false });
  });

  it('answers 404 for an unknown registration and 403 for another delegate’s token', async () => {
    const unknown = await call('POST', path('no-such-registration', '/erase'), undefined, organizer());
    expect(unknown.status).toBe(404);
    const foreign = await call('POST', path(erased.registrationId, '/erase'), undefined, {
      'x-manage-token': waiting.manageToken,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toBe('application/problem+json');
    const none = await call('POST', path(erased.registrationId, '/erase'));
    expect(none.status).toBe(401);
  });

  it('erases: cancels in the same step, the seat goes to the waitlist, and no email goes to the erased delegate', async () => {
    const answer = await call('POST', path(erased.registrationId, '/erase'), undefined, {
      'x-manage-token': erased.manageToken,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ registrationId: erased.registrationId, status: 'erased' });
    // The data key is destroyed in the erasure's own transaction; a marker without key material is left.
    expect(await dataKeyOf(erased.registrationId)).toEqual({ dataKey: false, erased: true });
    expect(await dataKeyOf(waiting.registrationId)).toEqual({ dataKey: true, erased: false });

    const promoted = await eventually(async () => {
      const { body } = await call('GET', path(waiting.registrationId), undefined, organizer());
      return body?.status === 'registered' ? body : undefined;
    }, 10_000);
    expect(promoted.status).toBe('registered');
    const counts = await eventually(async () => {
      const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
      return body?.erased === 1 && body?.registered === 1 ? body : undefined;
    }, 10_000);
    expect(counts).toMatchObject({ registered: 1, waitlisted: 0, cancelled: 1, erased: 1, checkedIn: 0 });
    expect(counts.byCountry).toEqual({ MX: 1 });
    // Only the confirmation sent before the erasure: no cancellation email for the erased delegate.
    expect(emailsTo(erasable.email)).toHaveLength(1);
  });

  it('answers 410 on every delegate route afterwards, and to a second erasure', async () => {
    for (const [method, action, headers] of [
      ['GET', '', { 'x-manage-token': erased.manageToken }],
      ['GET', '', organizer()],
      ['POST', '/cancel', { 'x-manage-token': erased.manageToken }],
      ['POST', '/check-in', organizer()],
      ['POST', '/erase', { 'x-manage-token': erased.manageToken }],
      ['POST', '/erase', organizer()],
    ] as const) {
      const answer = await call(method, path(erased.registrationId, action), undefined, headers);
      expect(answer.status, `${method} ${action}`).toBe(410);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ status: 410, title: 'Gone' });
    }
  });

  it('lets the email register again', async () => {
    const again = await call('POST', `/conferences/${conferenceId}/registrations`, erasable);
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('waitlisted');
    registeredAgain = again.body;
    expect(await dataKeyOf(registeredAgain.registrationId)).toEqual({ dataKey: true, erased: false });
    const erasedAgain = await call('POST', path(again.body.registrationId, '/erase'), undefined, organizer());
    expect(erasedAgain.status).toBe(200);
    expect(await dataKeyOf(registeredAgain.registrationId)).toEqual({ dataKey: false, erased: true });
  });

  it('leaves no trace of the erased delegate in any table, nor in any file but the outbox of sent mail', async () => {
    const client = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${server.dynamoDbPort}`));
    try {
      await eventually(async () => {
        const { body } = await call('GET', `/conferences/${conferenceId}/delegate-counts`);
        return body?.erased === 2 ? true : undefined;
      }, 10_000);
      expect(await searchTables(client, markers)).toEqual([]);
    } finally {
      client.destroy();
    }
    expect(await searchFiles(server.dataDir, markers, ['outbox', 'dynamodb'])).toEqual([]);
    // The search itself finds what is there: the sent mail holds the marker.
    expect((await searchFiles(join(server.dataDir, 'outbox'), markers)).length).toBeGreaterThan(0);
  });

  it('destroys the data key of each registration the retention job erases', async () => {
    // The conference was held in 2015 with the default retention: the job erases what is left of it.
    expect(await dataKeyOf(waiting.registrationId)).toEqual({ dataKey: true, erased: false });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/ops/personal-data.ts', 'erase-expired'],
      { env: { ...process.env, DATA_DIR: server.dataDir, DYNAMODB_PORT: String(server.dynamoDbPort) } },
    );
    expect(stdout).toMatch(/\b1 registrations erased\b/);
    for (const { registrationId } of [erased, waiting, registeredAgain])
      expect(await dataKeyOf(registrationId), registrationId).toEqual({ dataKey: false, erased: true });
    const gone = await call('GET', path(waiting.registrationId), undefined, organizer());
    expect(gone.status).toBe(410);
  }, 60_000);
});
