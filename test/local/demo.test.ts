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
  awardCityMayors,
  awards,
  capacityRaise,
  conference,
  DEMO_ACRONYM,
  DEMO_CHECK_INS,
  delegates,
  delegations,
  deskCorrection,
  invitees,
  moderation,
  sessions,
  visaLetters,
} from '../../local/demo/iclc2015.js';
import { DEMO_CONCURRENCY, DemoLoadError, demoParts, loadDemoIfEmpty } from '../../local/demo/load-demo.js';
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

const getJson = async <T>(path: string, asOrganizer = false): Promise<T> => {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    headers: asOrganizer ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
};

/**
 * Who holds a seat or a waitlist place once the demo is loaded (CONTRACT 5.3): the generated delegates but
 * the civil society left pending and the one rejected, the award cities' mayors, every delegation's members
 * (a substitute in the place of the member substituted).
 */
const seatHolders = () => {
  const { pending, rejected } = moderation.of(delegates());
  const left = new Set([...pending, rejected].map((delegate) => delegate.email));
  return [
    ...delegates().filter((delegate) => !left.has(delegate.email)),
    ...awardCityMayors,
    ...delegations.flatMap((delegation) => [
      ...delegation.members.filter((member) => member.email !== delegation.substitution?.member),
      ...(delegation.substitution ? [delegation.substitution.substitute] : []),
    ]),
  ];
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
        'capacity raise, once the counts show every registration',
        'promotions, until the counts show them',
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
      expect.stringMatching(
        new RegExp(
          `^ {2}\\d+ requests \\(\\d+ retried\\) at most ${DEMO_CONCURRENCY} at a time: \\d+ ms each in the API`,
        ),
      ),
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
    expect(counts.registered + counts.waitlisted).toBe(seatHolders().length);
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
    const waitlistedAtOpening = seatHolders().length - capacityRaise.openingCapacity;
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
    expect(counts).toMatchObject({
      registered: seatHolders().length,
      waitlisted: 0,
      pending: moderation.leftPending,
    });
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
    // The correction moved one seat holder into the category the organizer gave (all of it hold a seat).
    const corrected = delegates()[deskCorrection.delegateIndex];
    const target = deskCorrection.changes.category;
    const before = delegates().filter((delegate) => delegate.category === target).length;
    expect(corrected?.category).not.toBe(target);
    expect(desk.byCategory[target]).toBe(before + 1);

    // Who may register (CONTRACT 5.3). The civil society is moderated: a few left pending, one rejected.
    const { pending, rejected } = moderation.of(delegates());
    type Row = { email: string; status: string; registrationId: string };
    const listedWith = async (query: string) =>
      (await getJson<{ registrations: Row[] }>(`/conferences/${conferenceId}/registrations?${query}`, true))
        .registrations;
    const emails = (rows: Row[]) => rows.map((row) => row.email).sort();
    expect(emails(await listedWith('status=pending'))).toEqual(
      pending.map((delegate) => delegate.email).sort(),
    );
    const [rejectedRow] = await listedWith('status=rejected');
    expect(emails(rejectedRow ? [rejectedRow] : [])).toEqual([rejected.email]);
    // Its message, in es and en, is a text still to translate in the four other languages (CONTRACT 5.4).
    const { missing: translations } = await getJson<{ missing: Record<string, string[]> }>(
      `/conferences/${conferenceId}/translations/missing`,
      true,
    );
    for (const language of ['ar', 'fr', 'ru', 'zh'])
      expect(translations[language]).toContain(`rejections.${rejectedRow?.registrationId}.message`);
    for (const language of ['es', 'en'])
      expect(translations[language]?.filter((path) => path.startsWith('rejections.'))).toEqual([]);
    // Every mayor was invited (by invitation only) and accepted: none left open.
    const invitations = async (status: string) =>
      (
        await getJson<{ invitations: Array<{ email: string; category: string }> }>(
          `/conferences/${conferenceId}/invitations?status=${status}`,
          true,
        )
      ).invitations;
    const accepted = await invitations('accepted');
    const invitedByOrganizers = invitees(delegates());
    const invitedByFocalPoints = delegations.flatMap((delegation) => [
      ...delegation.members,
      ...(delegation.substitution ? [delegation.substitution.substitute] : []),
    ]);
    expect(accepted.map((invitation) => invitation.email.toLowerCase()).sort()).toEqual(
      [...invitedByOrganizers, ...invitedByFocalPoints].map((invitee) => invitee.email.toLowerCase()).sort(),
    );
    expect(await invitations('sent')).toEqual([]);
    expect(invitedByOrganizers.map((invitee) => invitee.category)).toEqual(
      invitedByOrganizers.map(() => 'mayor'),
    );
    for (const mayor of awardCityMayors)
      expect(accepted.some((invitation) => invitation.email === mayor.email)).toBe(true);
    expect(pairs(awardCityMayors)).toEqual(pairs(awards));
    // The two delegations: their members, the head named, the credentials, one member substituted.
    expect(Object.keys(result.delegations ?? {}).sort()).toEqual(['Mexico City', 'Republic of Korea']);
    for (const delegation of delegations) {
      const delegationId = result.delegations?.[delegation.request.name] ?? '';
      const read = await getJson<{
        members: Array<{ registrationId: string; familyName: string; status: string }>;
        headOfDelegation?: string;
        credentials: string;
        quota: number;
      }>(`/conferences/${conferenceId}/delegations/${delegationId}`, true);
      const active = read.members.filter((member) => member.status === 'registered');
      const expected = [
        ...delegation.members.filter((member) => member.email !== delegation.substitution?.member),
        ...(delegation.substitution ? [delegation.substitution.substitute] : []),
      ];
      expect(active.map((member) => member.familyName).sort()).toEqual(
        expected.map((member) => member.familyName).sort(),
      );
      const head = read.members.find((member) => member.registrationId === read.headOfDelegation);
      expect(head?.familyName).toBe(delegation.members[0]?.familyName);
      expect(read.credentials).toBe(delegation.credentials);
      const rows = await listedWith(`delegationId=${delegationId}`);
      if (delegation.substitution) {
        const substituted = rows.find((row) => row.email === delegation.substitution?.member);
        expect(substituted?.status).toBe('cancelled');
      }
    }
    expect(delegations.some((delegation) => delegation.substitution)).toBe(true);
    // The List of Participants: the consenting seat holders (most of them), by delegation then family name.
    const { participants } = await getJson<{ participants: Array<Record<string, string>> }>(
      `/conferences/${conferenceId}/participants`,
    );
    const consenting = seatHolders().filter((delegate) => delegate.consentToPublish);
    expect(consenting.length).toBeGreaterThan(seatHolders().length / 2);
    expect(participants).toHaveLength(consenting.length);
    for (const participant of participants)
      expect(
        Object.keys(participant).every((key) =>
          ['givenName', 'familyName', 'organization', 'country', 'delegation'].includes(key),
        ),
      ).toBe(true);
    const collator = new Intl.Collator('en', { sensitivity: 'base' });
    const inOrder = delegations
      .map((delegation) => delegation.request.name)
      .sort(collator.compare)
      .flatMap((name) => {
        const delegation = delegations.find((candidate) => candidate.request.name === name);
        const expected = [
          ...(delegation?.members ?? []).filter(
            (member) => member.email !== delegation?.substitution?.member,
          ),
          ...(delegation?.substitution ? [delegation.substitution.substitute] : []),
        ];
        return expected
          .filter((member) => member.consentToPublish)
          .map((member) => `${name}: ${member.familyName}`)
          .sort(collator.compare);
      });
    // The delegations' members first, delegation by delegation, each by family name; those of none after.
    expect(
      participants
        .slice(0, inOrder.length)
        .map((participant) => `${participant.delegation}: ${participant.familyName}`),
    ).toEqual(inOrder);
    expect(
      participants.slice(inOrder.length).every((participant) => participant.delegation === undefined),
    ).toBe(true);
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
