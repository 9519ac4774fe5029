import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import { ProjectionRunner } from '../../functions/shared/projections/projection-runner.js';
import { waitlistProjection } from '../../functions/shared/projections/projections.js';
import { supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { EXPORTS_PATH, localExportFiles } from '../../local/export-files.js';
import { iclc2015 } from '../domain/fixtures.js';
import { storeWithCodec } from '../support/personal-data.js';
import { useRouteHandlers } from '../support/route-handlers.js';

/**
 * Exports and badge PDFs stored for a 303 hold names: an erasure of a registration of their conference
 * deletes them (issue 16 item 4d), through the erase route and the retention job both. The local store
 * (files under DATA_DIR/exports) and the real handlers on DynamoDB Local.
 */
const handlers = useRouteHandlers('erasure-exports', { logLevel: 'SILENT' });
const { call, organizer } = handlers;
let exportsDir: string;

beforeAll(async () => {
  exportsDir = await mkdtemp(join(tmpdir(), 'erasure-exports-'));
  supplyAdapters({ exportFiles: localExportFiles(exportsDir) });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
});

const conferenceWithDelegate = async (familyName: string) => {
  const created = await call(
    'CreateConference',
    {},
    { body: { ...iclc2015, personalDataRetentionDays: 1 }, headers: organizer() },
  );
  expect(created.status).toBe(201);
  const conferenceId = created.body.conferenceId as string;
  const registered = await call(
    'RegisterDelegate',
    { conferenceId },
    {
      body: {
        givenName: 'Ana',
        familyName,
        email: `${familyName.toLowerCase()}@example.org`,
        country: 'MX',
        city: 'Puebla',
        category: 'mayor',
        consent: true,
      },
    },
  );
  expect(registered.status).toBe(201);
  return { conferenceId, registrationId: registered.body.registrationId as string };
};

/** The folders of the stored exports (one per file). */
const storedFolders = async () => (await readdir(exportsDir)).sort();

/** Stores an export (the CSV: every answer goes through a 303 at an inline limit of 0) and its badge PDF. */
const storeExports = async (conferenceId: string, registrationId: string) => {
  const folders: string[] = [];
  for (const [route, params] of [
    ['ExportRegistrations', { conferenceId }],
    ['GetRegistrationBadge', { conferenceId, registrationId }],
  ] as const) {
    const answer = await call(route, params, { headers: organizer() });
    expect(answer.status, route).toBe(303);
  }
  for (const folder of await storedFolders()) folders.push(folder);
  return folders;
};

describe('exports of a conference when one of its registrations is erased', () => {
  it('deletes them with an erasure through the route, and with one by the retention job; others stay', async () => {
    vi.stubEnv('EXPORT_INLINE_LIMIT_BYTES', '0');
    const first = await conferenceWithDelegate('Erasedfirst');
    await storeExports(first.conferenceId, first.registrationId);
    const ofFirst = await storedFolders();
    expect(ofFirst).toHaveLength(2);
    const second = await conferenceWithDelegate('Keptsecond');
    await storeExports(second.conferenceId, second.registrationId);
    const all = await storedFolders();
    const ofSecond = all.filter((folder) => !ofFirst.includes(folder));
    expect(ofSecond).toHaveLength(2);
    // What the links serve is the export itself: a stored name never starts with the dot of the owner file.
    expect((await readdir(join(exportsDir, ofFirst[0] as string))).sort()[0]).toBe('.conference');
    expect(EXPORTS_PATH).toBe('/exports/');

    const erased = await call(
      'ErasePersonalData',
      { conferenceId: first.conferenceId, registrationId: first.registrationId },
      { headers: organizer() },
    );
    expect(erased.status).toBe(200);
    expect(await storedFolders()).toEqual(ofSecond.sort());

    // The retention job erases the second conference's registrations (its retention is long over); it
    // finds them in the waitlist read model, projected here as its projector would.
    const store = storeWithCodec(handlers.environment.tables.client, handlers.environment.tables);
    const runner = new ProjectionRunner(waitlistProjection, {
      client: handlers.environment.tables.client,
      tableName: handlers.environment.tables.readModels,
      store,
    });
    for (const event of await store.load(registrationStreamId(second.registrationId)))
      await runner.apply(event, 1);
    const { eraseExpiredRegistrations } = await import('../../functions/shared/personal-data/retention.js');
    const result = await eraseExpiredRegistrations({ today: '2099-01-01', correlationId: 'erasure-exports' });
    expect(result.erased).toBe(1);
    expect(await storedFolders()).toEqual([]);
  });
});
