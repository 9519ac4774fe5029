import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { message } from '../../domain/notifications/messages/index.js';
import { delegateCategories } from '../../domain/registration/events.js';
import { LANGUAGES } from '../../domain/shared/languages.js';
import {
  awards,
  capacityRaise,
  conference,
  DEMO_ACRONYM,
  DEMO_CHECK_INS,
  delegates,
  deskCorrection,
  sessions,
  visaLetters,
} from '../../local/demo/iclc2015.js';
import { DemoLoadError, demoParts, loadDemoIfEmpty } from '../../local/demo/load-demo.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { silentLogger } from '../../local/log.js';

// The stack uses the run's DynamoDB Local (test/support/dynamodb-local.ts) with tables of its own.
let dataDir: string;
let stack: LocalStack;
let token: string;
const logged: string[] = [];
const log = (line: string) => logged.push(line);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'demo-test-'));
  stack = await startLocalStack({
    dataDir,
    port: 0,
    dynamoDb: { endpoint: inject('dynamoDbEndpoint') },
    tablePrefix: `demo-${randomUUID().slice(0, 8)}-`,
    logger: () => silentLogger,
  });
  token = await stack.organizerToken();
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const getJson = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${stack.apiUrl}${path}`);
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
};

describe('the demo data', () => {
  it('is deterministic, with unique example emails from at least 60 countries and every category', () => {
    const first = delegates();
    expect(delegates()).toEqual(first);
    expect(new Set(first.map((delegate) => delegate.email.toLowerCase())).size).toBe(first.length);
    expect(first.every((delegate) => /^[a-z0-9.-]+@example\.(org|com)$/.test(delegate.email))).toBe(true);
    expect(new Set(first.map((delegate) => delegate.country)).size).toBeGreaterThanOrEqual(60);
    expect(new Set(first.map((delegate) => delegate.category))).toEqual(new Set(delegateCategories));
    expect(first.length).toBeLessThanOrEqual(conference.capacity);
  });

  it('has 35 to 50 sessions over the three days', () => {
    expect(sessions.length).toBeGreaterThanOrEqual(35);
    expect(sessions.length).toBeLessThanOrEqual(50);
    expect(new Set(sessions.map((session) => session.date))).toEqual(
      new Set(['2015-09-28', '2015-09-29', '2015-09-30']),
    );
    expect(sessions.filter((session) => session.type === 'ceremony')).toHaveLength(1);
  });
});

describe('loadDemoIfEmpty', () => {
  it('stops at the first failed request, naming it and the problem detail', async () => {
    const failure = loadDemoIfEmpty({
      apiUrl: stack.apiUrl,
      token: 'not-a-token',
      log,
      outbox: join(dataDir, 'outbox'),
    });
    await expect(failure).rejects.toBeInstanceOf(DemoLoadError);
    await expect(failure).rejects.toThrow(/^POST \/conferences \(conference ICLC2015\) failed: 401 /);
  });

  // About 970 requests and their trip through the pipeline: the load prints how long it took (its speed
  // is measured by `npm run bench:demo`, never here).
  it('loads the demo conference into an empty store over HTTP', async () => {
    const result = await loadDemoIfEmpty({
      apiUrl: stack.apiUrl,
      token,
      log,
      outbox: join(dataDir, 'outbox'),
      settled: () => stack.settled(),
    });
    expect(result.loaded).toBe(true);
    expect(result.conferenceId).toEqual(expect.any(String));
    // Not a TTY here: plain progress lines, one per tenth.
    expect(logged.filter((line) => line.startsWith(`Loading demo ${DEMO_ACRONYM}: `))).toHaveLength(10);
    // It prints its time, and where the time went, part by part.
    expect(logged).toContainEqual(
      expect.stringMatching(new RegExp(`^Demo conference ${DEMO_ACRONYM} loaded in \\d+\\.\\d s: `)),
    );
    expect(result.phases?.map((phase) => phase.name)).toEqual(
      expect.arrayContaining([
        'conference',
        'agenda and awards',
        'registrations',
        'capacity raise, waiting for the counts and promotions',
        'visa letters',
        'desk (correction, check-ins)',
        'pipeline settling',
      ]),
    );
    const where = logged.find((line) => line.includes('where the time went'));
    for (const phase of result.phases ?? [])
      expect(where).toContain(
        `${phase.name} ${(phase.ms / 1000).toFixed(1)} s (from ${(phase.startedMs / 1000).toFixed(1)} s)`,
      );
    // Each part began once the parts it needs had ended, and not before: what is independent overlapped.
    const phase = (name: string) => {
      const found = result.phases?.find((candidate) => candidate.name === name);
      expect(found, name).toBeDefined();
      return { start: found?.startedMs ?? 0, end: (found?.startedMs ?? 0) + (found?.ms ?? 0) };
    };
    for (const part of demoParts)
      for (const needed of part.after)
        expect(phase(part.name).start).toBeGreaterThanOrEqual(phase(needed).end);
    expect(phase('agenda and awards').start).toBeLessThan(phase('registrations').end);
    expect(phase('pipeline settling').start).toBeGreaterThanOrEqual(
      Math.max(...demoParts.map((part) => phase(part.name).end)),
    );
    // Where the requests' time went: in the API, or queued in the loader.
    expect(logged).toContainEqual(
      expect.stringMatching(/^ {2}\d+ requests \(\d+ retried\) at most 8 at a time: \d+ ms each in the API/),
    );
    await stack.settled();
    const conferenceId = result.conferenceId as string;

    const { conferences } = await getJson<{ conferences: Array<{ conferenceId: string; acronym: string }> }>(
      '/conferences',
    );
    expect(conferences).toEqual([expect.objectContaining({ conferenceId, acronym: DEMO_ACRONYM })]);

    const agenda = await getJson<{
      days: Array<{ date: string; sessions: Array<{ type: string; awards: Array<{ city: string }> }> }>;
    }>(`/conferences/${conferenceId}/agenda`);
    expect(agenda.days.map((day) => day.date)).toEqual(['2015-09-28', '2015-09-29', '2015-09-30']);
    const listed = agenda.days.flatMap((day) => day.sessions);
    expect(listed).toHaveLength(sessions.length);
    const ceremonies = listed.filter((session) => session.type === 'ceremony');
    expect(ceremonies).toHaveLength(1);
    expect(ceremonies[0]?.awards).toHaveLength(12);

    const granted = await getJson<{ awards: Array<{ city: string; country: string }> }>(
      `/conferences/${conferenceId}/awards`,
    );
    const pairs = (list: ReadonlyArray<{ city: string; country: string }>) =>
      list.map(({ city, country }) => `${city} (${country})`).sort();
    expect(pairs(granted.awards)).toEqual(
      pairs([
        { city: 'Melton', country: 'AU' },
        { city: 'Sorocaba', country: 'BR' },
        { city: 'Beijing', country: 'CN' },
        { city: 'Bahir Dar', country: 'ET' },
        { city: 'Espoo', country: 'FI' },
        { city: 'Cork', country: 'IE' },
        { city: 'Amman', country: 'JO' },
        { city: 'Mexico City', country: 'MX' },
        { city: 'Ybycuí', country: 'PY' },
        { city: 'Balanga', country: 'PH' },
        { city: 'Namyangju', country: 'KR' },
        { city: 'Swansea', country: 'GB' },
      ]),
    );
    expect(pairs(granted.awards)).toEqual(pairs(awards));

    const counts = await getJson<{ registered: number; waitlisted: number; countries: number }>(
      `/conferences/${conferenceId}/delegate-counts`,
    );
    expect(counts.registered + counts.waitlisted).toBe(delegates().length);
    expect(counts.countries).toBeGreaterThanOrEqual(60);

    // The questions of 2015 (CONTRACT 5.2): one version of the form, the field visits limited.
    const form = await getJson<{ version: number; fields: Array<{ fieldId: string }> }>(
      `/conferences/${conferenceId}/registration-form`,
    );
    expect(form.version).toBe(1);
    expect(form.fields.map((field) => field.fieldId)).toEqual([
      'diet',
      'dietOther',
      'access',
      'interpretation',
      'fieldVisit',
      'position',
    ]);

    // The capacity raised once: the delegates waitlisted at the opening capacity were promoted.
    const waitlistedAtOpening = delegates().length - capacityRaise.openingCapacity;
    expect(result.capacityRaise).toEqual({
      from: capacityRaise.openingCapacity,
      to: conference.capacity,
      waitlisted: expect.any(Array),
      promoted: waitlistedAtOpening,
    });
    expect(result.capacityRaise?.waitlisted).toHaveLength(waitlistedAtOpening);
    expect(logged).toContain(
      `Capacity of ${DEMO_ACRONYM} raised from ${capacityRaise.openingCapacity} to ${conference.capacity} seats: ` +
        `${waitlistedAtOpening} of the ${waitlistedAtOpening} waitlisted delegates promoted`,
    );
    expect(counts).toMatchObject({ registered: delegates().length, waitlisted: 0 });
    expect((await getJson<{ capacity: number }>(`/conferences/${conferenceId}`)).capacity).toBe(
      conference.capacity,
    );
    for (const registrationId of result.capacityRaise?.waitlisted ?? []) {
      const response = await fetch(
        `${stack.apiUrl}/conferences/${conferenceId}/registrations/${registrationId}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(((await response.json()) as { status: string }).status).toBe('registered');
    }
    const outbox = join(dataDir, 'outbox');
    const promotionEmails = (await readdir(outbox)).filter((file) => file.endsWith('.eml'));
    // Each delegate is written to in their language: the promotion's subject in any of the six.
    const promoted = new Set(
      LANGUAGES.map((language) => message(language, 'subject.promoted', { acronym: DEMO_ACRONYM })),
    );
    const subjects = await Promise.all(
      promotionEmails.map(async (file) => (await simpleParser(await readFile(join(outbox, file)))).subject),
    );
    expect(subjects.filter((subject) => promoted.has(subject ?? ''))).toHaveLength(waitlistedAtOpening);

    // A handful of visa letters: some issued, one declined, some waiting, each verifiable once issued.
    const review = await fetch(`${stack.apiUrl}/conferences/${conferenceId}/visa-letters`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(review.status).toBe(200);
    const { visaLetters: reviewed } = (await review.json()) as {
      visaLetters: Array<{ registrationId: string; status: string; familyName: string }>;
    };
    const demoLetters = visaLetters();
    expect(reviewed).toHaveLength(demoLetters.length);
    const byStatus = (status: string) => reviewed.filter((letter) => letter.status === status).length;
    expect([byStatus('issued'), byStatus('declined'), byStatus('requested')]).toEqual([3, 1, 2]);
    expect(conference.visaLetterSignatory).toEqual({ name: expect.any(String), title: expect.any(String) });

    // desk-registration: the desk's first morning: arrivals checked in by code, a corrected registration.
    const desk = await getJson<{ checkedIn: number; byCategory: Record<string, number> }>(
      `/conferences/${conferenceId}/delegate-counts`,
    );
    expect(desk.checkedIn).toBe(DEMO_CHECK_INS);
    // The correction moved one seat holder into the category the organizer gave (all 420 hold a seat).
    const corrected = delegates()[deskCorrection.delegateIndex];
    const target = deskCorrection.changes.category;
    const before = delegates().filter((delegate) => delegate.category === target).length;
    expect(corrected?.category).not.toBe(target);
    expect(desk.byCategory[target]).toBe(before + 1);
  }, 600_000);

  it('loads nothing when the store has a conference, and finds the demo', async () => {
    const { conferences } = await getJson<{ conferences: Array<{ conferenceId: string }> }>('/conferences');
    const again = await loadDemoIfEmpty({
      apiUrl: stack.apiUrl,
      token,
      log,
      outbox: join(dataDir, 'outbox'),
    });
    expect(again).toEqual({ conferenceId: conferences[0]?.conferenceId, loaded: false });
    expect(await getJson<{ conferences: unknown[] }>('/conferences')).toEqual({ conferences });
  });
});
