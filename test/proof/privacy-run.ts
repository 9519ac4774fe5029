/**
 * The proof of issue 10 (personal data), shared by `npm run proof:privacy` (test/proof/privacy.ts, which
 * writes docs/privacy.md) and test/proof/privacy.test.ts. It runs the local stack in this process, so it
 * sees every bus event (the enrichment's output, exactly what the poller publishes) and every log line.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { checkInCodeOf } from '../../functions/shared/personal-data/check-in-code.js';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import { localClientConfig } from '../../local/aws-config.js';
import { pendingHandovers, readDeadLetters, redriveFolder } from '../../local/dead-letters.js';
import type { SqsHandler } from '../../local/event-bus.js';
import { createLambdaContext, invokeHandler } from '../../local/lambda-context.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { findFreePort } from '../../local/ports.js';
import { redriveLocal } from '../../local/redrive.js';
import { importFunction, repoRoot } from '../../local/repo-modules.js';
import type { Enrich, EnrichedEnvelope } from '../../local/stream-poller.js';
import { runWithTableGrants } from '../../local/table-grants.js';
import { iclc2015 } from '../domain/fixtures.js';
import { dataKeyItemsOf } from '../support/data-keys.js';
import { httpClient } from '../support/http-client.js';
import { type MarkerHit, searchFiles, searchTables, searchTexts } from '../support/marker-search.js';

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface Search {
  phase: 'before erasure' | 'after erasure';
  store: string;
  searched: string;
  hits: MarkerHit[];
}

export interface PrivacyReport {
  delegates: number;
  markers: number;
  checks: Check[];
  searches: Search[];
  startedAt: string;
  ms: number;
}

interface Delegate {
  n: number;
  /** In every personal field but the email: with an accented letter, so NFC and NFD differ. */
  marker: string;
  /** In the email address (ASCII). */
  mailMarker: string;
  body: Record<string, unknown>;
  registrationId?: string;
  manageToken?: string;
  status?: string;
  /** In the passport number of the visa letter request (letters and digits only). */
  passportMarker: string;
  /** The code of the visa letter issued to the delegate, if one was. */
  verificationCode?: string;
}

const delegateWithMarkers = (n: number, run: string): Delegate => {
  const marker = `Pv${run}${n}Ñé`;
  const mailMarker = `pv${run}${n}mail`;
  return {
    n,
    marker,
    mailMarker,
    passportMarker: `PV${run}${n}PN`.replace(/[^A-Za-z0-9]/g, ''),
    body: {
      givenName: `${marker}Given`,
      familyName: `${marker}Family`,
      email: `${mailMarker}@example.org`,
      country: ['MX', 'FI', 'KR', 'JO'][n % 4],
      city: `${marker}City`,
      organization: `${marker}Org`,
      category: 'civil-society',
      consent: true,
    },
  };
};

/** stdout and stderr of this process while `capture` is on: Powertools logs of every handler, the stack's lines. */
const captureOutput = () => {
  const chunks: string[] = [];
  const originals = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const tap =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tap(originals.out) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err) as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    stop: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
};

/** Polls `done` until it holds (true) or `timeoutMs` passes (false). */
const waitFor = async (done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

export const runPrivacyProof = async (options: {
  dataDir: string;
  delegates?: number;
  say?: (line: string) => void;
}): Promise<PrivacyReport> => {
  const started = Date.now();
  const say = options.say ?? (() => {});
  const run = randomUUID().slice(0, 6);
  const count = Math.max(4, options.delegates ?? 8);
  const delegates = Array.from({ length: count }, (_, n) => delegateWithMarkers(n, run));
  const markers = delegates.flatMap((d) => [d.marker, d.mailMarker, d.passportMarker]);
  /**
   * The bus capture's control: the conference's name (not personal data) carries it, so its
   * ConferenceCreated event must be found holding it before erasure, by the same search as the markers.
   */
  const busControl = `PvCtl${run}Conference`;
  const checks: Check[] = [];
  const searches: Search[] = [];
  const check = (what: string, ok: boolean, detail = '') => {
    checks.push({ what, ok, detail });
    say(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  };

  // Logs at INFO, so that the lines the handlers write are there to be searched.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const output = captureOutput();
  const busEvents: Array<[string, string]> = [];
  const realEnrich = await importFunction<Enrich>(pipeDefinition.enrichment, 'toEnvelopes', repoRoot);
  const enrich: Enrich = async (records: DynamoDBRecord[]) => {
    const envelopes = await realEnrich(records);
    for (const envelope of envelopes as EnrichedEnvelope[])
      busEvents.push([
        `bus event ${envelope.type} ${(envelope as { eventId?: string }).eventId ?? ''}`,
        JSON.stringify(envelope),
      ]);
    return envelopes;
  };
  /** Until the erasure, the Notifier fails every delivery of promotions: they end in its dead letters. */
  let failPromotions = true;
  const loadConsumer = async (rule: (typeof rules)[number]): Promise<SqsHandler> => {
    const real = await importFunction<SqsHandler>(rule.consumer, 'handler', repoRoot);
    if (rule.name !== 'Notifier') return real;
    return async (event: SQSEvent, context) => {
      const failing = event.Records.filter(
        (record) =>
          failPromotions &&
          (JSON.parse(record.body) as { 'detail-type': string })['detail-type'] ===
            'WaitlistedDelegatePromoted',
      );
      const rest = event.Records.filter((record) => !failing.includes(record));
      const response = rest.length > 0 ? await real({ ...event, Records: rest }, context) : undefined;
      return {
        batchItemFailures: [
          ...((response as SQSBatchResponse | undefined)?.batchItemFailures ?? []),
          ...failing.map((record) => ({ itemIdentifier: record.messageId })),
        ],
      };
    };
  };

  let stack: LocalStack | undefined;
  let client: DynamoDBClient | undefined;
  try {
    stack = await startLocalStack({
      dataDir: options.dataDir,
      port: 0,
      dynamoDb: { port: await findFreePort(), inMemory: true },
      enrich,
      loadConsumer,
      retryDelay: { baseMs: 20, maxMs: 100 },
      logger: (component) => ({
        info: (message) => process.stdout.write(`[${component}] ${message}\n`),
        warn: (message) => process.stdout.write(`[${component}] ${message}\n`),
        error: (message, error) => process.stdout.write(`[${component}] ${message} ${String(error ?? '')}\n`),
      }),
    });
    client = new DynamoDBClient(localClientConfig(stack.dynamoDbEndpoint));
    const call = httpClient(stack.apiUrl);
    const organizer = { authorization: `Bearer ${await stack.organizerToken()}` };
    const live = stack;
    const outbox = join(live.paths.outbox);
    const emailsTo = async (address: string) => {
      const files = (await readdir(outbox)).filter((file) => file.endsWith('.eml'));
      const mails = await Promise.all(files.map((file) => readFile(join(outbox, file), 'utf8')));
      return mails.filter((mail) => mail.includes(address)).length;
    };

    // A conference of 2015 whose retention ended a day after it: the retention run erases what is left.
    const seats = Math.floor(count / 2);
    const created = await call(
      'POST',
      '/conferences',
      {
        ...iclc2015,
        name: `${iclc2015.name} ${busControl}`,
        capacity: seats,
        personalDataRetentionDays: 1,
        visaLetterSignatory: {
          name: 'Arne Carlsen',
          title: 'Director, UNESCO Institute for Lifelong Learning',
        },
      },
      organizer,
    );
    const conferenceId = String(created.body?.conferenceId);
    /** Each delegate's items in the data-keys table, read through DynamoDB's API. */
    const dataKeysOf = (group: Delegate[]) =>
      Promise.all(
        group.map((d) =>
          dataKeyItemsOf(client as DynamoDBClient, live.tables.dataKeys, String(d.registrationId)),
        ),
      );
    const registrationPath = (d: Delegate, action = '') =>
      `/conferences/${conferenceId}/registrations/${d.registrationId}${action}`;

    // The registration form (CONTRACT 5.2): a sensitive answer (sealed under the second key) and a plain
    // one, each carrying the delegate's marker.
    const form = await call(
      'PUT',
      `/conferences/${conferenceId}/registration-form`,
      {
        fields: [
          { fieldId: 'diet', type: 'text', label: 'Dietary needs', sensitive: true },
          { fieldId: 'position', type: 'text', label: 'Position' },
        ],
      },
      organizer,
    );
    check('a registration form with a sensitive field', form.status === 200);

    say(`Life cycle of ${count} delegates with markers in every personal field (capacity ${seats})`);
    for (const d of delegates) {
      const body = { ...d.body, answers: { diet: `${d.marker}Diet`, position: `${d.marker}Position` } };
      const answer = await call('POST', `/conferences/${conferenceId}/registrations`, body, {
        'idempotency-key': `register-${run}-${d.n}`,
      });
      Object.assign(d, answer.body);
    }
    const seated = delegates.filter((d) => d.status === 'registered');
    const waiting = delegates.filter((d) => d.status === 'waitlisted');
    check(
      'registrations: seats up to the capacity, the rest waitlisted',
      seated.length === seats && waiting.length === count - seats,
      `${seated.length} registered, ${waiting.length} waitlisted`,
    );

    // Every seat holder requests a visa letter with the markers in its free-text fields (the passport
    // name and place of issue carry the accented marker, the passport number the ASCII one); half of the
    // letters are issued, one declined with a reason that carries the marker too.
    const letterPath = (d: Delegate, action = '') => registrationPath(d, `/visa-letter${action}`);
    const requested = await Promise.all(
      seated.map((d) =>
        call(
          'POST',
          letterPath(d),
          {
            passportName: `${d.marker}Passport`,
            passportNumber: d.passportMarker,
            nationality: d.body.country,
            dateOfBirth: '1975-05-17',
            passportExpiresOn: '2031-01-31',
            placeOfIssue: `${d.marker}Place`,
          },
          { 'x-manage-token': String(d.manageToken), 'idempotency-key': `visa-${run}-${d.n}` },
        ),
      ),
    );
    const toIssue = seated.filter((_, i) => i % 2 === 0);
    const toDecline = seated.find((_, i) => i % 2 === 1);
    const decisions = await Promise.all([
      ...toIssue.map((d) => call('POST', letterPath(d, '/issue'), undefined, organizer)),
      ...(toDecline
        ? [
            call(
              'POST',
              letterPath(toDecline, '/decline'),
              { reason: `${toDecline.marker}Reason` },
              organizer,
            ),
          ]
        : []),
    ]);
    toIssue.forEach((d, i) => {
      d.verificationCode = String(decisions[i]?.body?.verificationCode);
    });
    check(
      'visa letters: every seat holder requests one (202), some are issued, one declined',
      requested.every((answer) => answer.status === 202) &&
        decisions.every((answer) => answer.status === 200),
      `${requested.length} requested, ${toIssue.length} issued, ${toDecline ? 1 : 0} declined`,
    );
    await live.settled();
    const verifications = await Promise.all(
      toIssue.map((d) => call('GET', `/visa-letters/${d.verificationCode}`)),
    );
    check(
      'each issued letter verifies (200) with the passport name as requested',
      verifications.every(
        (answer, i) => answer.status === 200 && answer.body?.passportName === `${toIssue[i]?.marker}Passport`,
      ),
      verifications.map((answer) => answer.status).join(', '),
    );

    const [checkIn, cancel] = seated;
    if (!checkIn || !cancel) throw new Error('too few seat holders');
    const checkedIn = await call('POST', registrationPath(checkIn, '/check-in'), undefined, organizer);
    const cancelled = await call('POST', registrationPath(cancel, '/cancel'), undefined, {
      'x-manage-token': String(cancel.manageToken),
      'idempotency-key': `cancel-${run}`,
    });
    check('check-in and cancellation', checkedIn.status === 200 && cancelled.status === 200);
    // A correction (its new values carry the delegate's marker too) and a check-in by code.
    const corrected = seated[2];
    if (corrected) {
      const changed = await call(
        'POST',
        registrationPath(corrected, '/details'),
        { city: `${corrected.marker}Moved`, organization: `${corrected.marker}NewOrg` },
        { 'x-manage-token': String(corrected.manageToken) },
      );
      const arrived = await call(
        'POST',
        `/conferences/${conferenceId}/check-ins`,
        { code: await checkInCodeOf(String(corrected.registrationId)) },
        organizer,
      );
      check(
        'a correction of the details and a check-in by code',
        changed.status === 200 && arrived.status === 200,
        `details ${changed.status}, check-in ${arrived.status}`,
      );
    }
    await live.settled();
    const promoted = waiting[0];
    const promotedBack = promoted
      ? await call('GET', registrationPath(promoted), undefined, organizer)
      : undefined;
    check(
      'the longest-waiting delegate is promoted to the freed seat',
      promotedBack?.body?.status === 'registered',
    );
    const letters = await readDeadLetters(live.paths.deadLetters, 'Notifier');
    check(
      'the promotion email is dead-lettered (the Notifier was made to fail it)',
      letters.length === 1,
      `${letters.length} dead letter(s) in dead-letters/Notifier.jsonl`,
    );
    const emailed = await Promise.all(delegates.map((d) => emailsTo(String(d.body.email))));
    check(
      'every delegate got their email(s)',
      emailed.every((n) => n >= 1),
      `${emailed.reduce((a, b) => a + b, 0)} emails`,
    );

    const { deleteOldGenerations, rebuild, rebuildableProjections } = await import(
      '../../functions/shared/projections/rebuild.js'
    );
    // As `npm run rebuild` does: the older generations are deleted once the new ones serve (an old
    // generation is fed no more events, so an erasure would not reach the personal data in it).
    const rebuildAll = async () => {
      const result = await rebuild({
        client: client as DynamoDBClient,
        tables: live.tables,
        projections: rebuildableProjections,
        pointerSettleMs: 6_000,
      });
      await deleteOldGenerations({
        client: client as DynamoDBClient,
        readModelsTable: live.tables.readModels,
        personalReadModelsTable: live.tables.personalReadModels,
        changes: result.changes,
        pointerSettleMs: 6_000,
      });
    };
    await rebuildAll();
    await live.settled();
    check('a rebuild of every read model before erasure', true);

    const searchEverything = async (phase: Search['phase']) => {
      const tableHits = await searchTables(client as DynamoDBClient, markers);
      const byTable = new Map<string, MarkerHit[]>();
      for (const hit of tableHits) {
        const table = hit.where.split(':')[0] ?? hit.where;
        byTable.set(table, [...(byTable.get(table) ?? []), hit]);
      }
      for (const name of Object.values(live.tables))
        searches.push({
          phase,
          store: `table ${name}`,
          searched: 'every item (Scan)',
          hits: byTable.get(`table ${name}`) ?? [],
        });
      searches.push({
        phase,
        store: 'files under DATA_DIR',
        searched: 'every file but outbox/ (sent mail) and dynamodb/ (DynamoDB Local\u2019s own files)',
        hits: await searchFiles(live.paths.dataDir, markers, ['outbox', 'dynamodb']),
      });
      searches.push({
        phase,
        store: 'bus events',
        searched: `${busEvents.length} events published`,
        hits: searchTexts(busEvents, markers),
      });
      const logs = output.text();
      searches.push({
        phase,
        store: 'logs',
        searched: `${logs.split('\n').length} lines (handlers at INFO, the local stack)`,
        hits: searchTexts([['logs', logs]], markers),
      });
      searches.push({
        phase,
        store: 'outbox (sent mail, the search\u2019s control)',
        searched: 'every .eml',
        hits: await searchFiles(outbox, markers),
      });
    };

    // No published event (nor a dead letter, nor a log line) carries a secret or its hash (CONTRACT 4.1).
    const secrets = delegates.flatMap((d) => {
      const token = String(d.manageToken);
      return [token, createHash('sha256').update(token).digest('hex')];
    });
    const secretHits = [
      ...searchTexts(busEvents, secrets),
      ...searchTexts([['logs', output.text()]], secrets),
      ...(await searchFiles(live.paths.dataDir, secrets, ['outbox', 'dynamodb'])),
    ];
    check(
      'no bus event, dead letter, file or log line holds a manage token or its hash',
      secretHits.length === 0,
      `${secrets.length / 2} tokens and their SHA-256 searched in ${busEvents.length} bus events, the logs and DATA_DIR; ${secretHits.length} hits`,
    );

    // Check-in codes are computed when needed: in the sent mail, and in no table, event, file or log line.
    const codes = await Promise.all(delegates.map((d) => checkInCodeOf(String(d.registrationId))));
    const tags = codes.map((code) => code.split('.')[1] as string);
    const codeHits = [
      ...searchTexts(busEvents, tags),
      ...searchTexts([['logs', output.text()]], tags),
      ...(await searchFiles(live.paths.dataDir, tags, ['outbox', 'dynamodb'])),
      ...(await searchTables(client as DynamoDBClient, tags)),
    ];
    const mailedCodes = await searchFiles(outbox, codes);
    check(
      'no bus event, table, file or log line holds a check-in code; the registration emails do',
      codeHits.length === 0 &&
        seated.every((d) => mailedCodes.some((hit) => hit.marker === codes[delegates.indexOf(d)])),
      `${codes.length} codes searched in ${busEvents.length} bus events, every table, the logs and DATA_DIR; ${codeHits.length} hits; ${mailedCodes.length} hits in the outbox`,
    );

    say('Searching every store before erasure');
    await searchEverything('before erasure');
    const before = searches.filter((s) => s.phase === 'before erasure');
    const outside = before.filter((s) => !s.store.startsWith('outbox') && !s.store.includes('ReadModels'));
    check(
      'before erasure: markers in no table, file, bus event or log line (read models may hold them)',
      outside.every((s) => s.hits.length === 0),
      outside
        .filter((s) => s.hits.length > 0)
        .map((s) => `${s.store}: ${s.hits.length}`)
        .join(', ') || '0 hits',
    );
    const control = before.find((s) => s.store.startsWith('outbox'));
    check(
      'the search finds what is there: every delegate\u2019s markers in the sent mail',
      delegates.every((d) => control?.hits.some((hit) => hit.marker === d.marker)),
      `${control?.hits.length ?? 0} hits in the outbox`,
    );
    // The captures' own controls: what must be in them before erasure is found there by the same search.
    const busControlHits = searchTexts(busEvents, [busControl]);
    check(
      'the bus capture holds what was published: the conference name\u2019s control marker, in its ConferenceCreated event',
      busControlHits.some((hit) => hit.where.includes('ConferenceCreated')),
      `${busControlHits.length} hits in ${busEvents.length} bus events`,
    );
    const registrationIds = delegates.map((d) => String(d.registrationId));
    const logControlHits = searchTexts([['logs', output.text()]], registrationIds);
    check(
      'the log capture holds the handlers\u2019 lines: every delegate\u2019s registration id, which the Notifier logs',
      registrationIds.every((id) => logControlHits.some((hit) => hit.marker === id)),
      `${new Set(logControlHits.map((hit) => hit.marker)).size} of ${registrationIds.length} registration ids found in the logs`,
    );
    const keysBefore = await dataKeysOf(delegates);
    check(
      'before erasure: every registration has its data key in the data-keys table',
      keysBefore.every((items) => items.dataKey && !items.erased),
      `${keysBefore.filter((items) => items.dataKey).length} of ${delegates.length} data keys`,
    );

    say('Erasing: two over HTTP (the delegate, an organizer), the rest by the retention run');
    const [byDelegate, byOrganizer] = delegates;
    if (!byDelegate || !byOrganizer) throw new Error('too few delegates');
    const erasedByDelegate = await call('POST', registrationPath(byDelegate, '/erase'), undefined, {
      'x-manage-token': String(byDelegate.manageToken),
      'idempotency-key': `erase-${run}`,
    });
    const erasedByOrganizer = await call(
      'POST',
      registrationPath(byOrganizer, '/erase'),
      undefined,
      organizer,
    );
    check(
      'erase over HTTP: 200 {status: "erased"}',
      erasedByDelegate.status === 200 && erasedByOrganizer.status === 200,
    );
    const keysAfterHttp = await dataKeysOf([byDelegate, byOrganizer]);
    check(
      'erase over HTTP: each erased registration\u2019s data key item is gone (the erasure\u2019s marker left)',
      keysAfterHttp.every((items) => !items.dataKey && items.erased),
      `${keysAfterHttp.filter((items) => items.dataKey).length} of 2 data keys left`,
    );
    const retentionSchedule = schedules.find((job) => job.name === 'EraseExpiredPersonalData');
    if (!retentionSchedule) throw new Error('no EraseExpiredPersonalData schedule');
    const retention = await importFunction<(event: unknown, context: unknown) => Promise<{ erased: number }>>(
      retentionSchedule.entry,
    );
    // Held to its schedule's declared tables, as the local scheduler runs it (local/table-grants.ts).
    const result = await runWithTableGrants(retentionSchedule, () =>
      invokeHandler(
        retention,
        {
          time: new Date().toISOString(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          detail: {},
        },
        createLambdaContext('EraseExpiredPersonalData', 15 * 60_000),
      ),
    );
    check(
      'the retention run erases every other registration',
      result.erased === count - 2,
      `${result.erased} erased`,
    );
    const byRetention = delegates.filter((d) => d !== byDelegate && d !== byOrganizer);
    const keysAfterRetention = await dataKeysOf(byRetention);
    check(
      'the retention run: each erased registration\u2019s data key item is gone (the erasure\u2019s marker left)',
      keysAfterRetention.every((items) => !items.dataKey && items.erased),
      `${keysAfterRetention.filter((items) => items.dataKey).length} of ${byRetention.length} data keys left`,
    );
    await live.settled();

    const emailsBeforeRedrive = await Promise.all(delegates.map((d) => emailsTo(String(d.body.email))));
    check(
      'no email to an erased delegate about the cancellation that erasing made',
      emailsBeforeRedrive.every((n, i) => n === emailed[i]),
    );
    failPromotions = false;
    const logsBeforeRedrive = output.text().length;
    // The promotions dead-lettered so far: the first one, and those the erasures' freed seats made.
    const toRedrive = (await readDeadLetters(live.paths.deadLetters, 'Notifier')).map((letter) =>
      String((letter.body as { detail: { data: { registrationId: string } } }).detail.data.registrationId),
    );
    const redriven = await redriveLocal({ deadLetterDir: live.paths.deadLetters, queue: 'Notifier', rules });
    // The bus takes the hand-over file and deletes it once its messages left their queues (delivered or
    // dead-lettered): wait for that, then for what the delivery set off.
    const handedOver = await waitFor(
      async () => (await pendingHandovers(redriveFolder(live.paths.deadLetters))).length === 0,
      30_000,
    );
    await live.settled();
    const emailsAfterRedrive = await Promise.all(delegates.map((d) => emailsTo(String(d.body.email))));
    const notifierLines = output
      .text()
      .slice(logsBeforeRedrive)
      .split('\n')
      .filter((line) => line.includes('Delegate not notified: personal data erased'));
    check(
      'the dead-lettered promotion, redriven after erasure, is delivered to the Notifier and sends no email',
      toRedrive.includes(String(promoted?.registrationId)) &&
        redriven.handedOver === toRedrive.length &&
        handedOver &&
        toRedrive.every((id) => notifierLines.some((line) => line.includes(id))) &&
        emailsAfterRedrive.every((n, i) => n === emailed[i]) &&
        (await readDeadLetters(live.paths.deadLetters, 'Notifier')).length === 0,
      `${toRedrive.length} dead-lettered promotion(s), ${redriven.handedOver} handed over, ` +
        `${handedOver ? 'delivered' : 'still pending after 30 s'}; ` +
        `${notifierLines.length} "not notified" log line(s) after the redrive`,
    );
    const gone = await Promise.all(
      delegates.map((d) =>
        call('GET', registrationPath(d), undefined, { 'x-manage-token': String(d.manageToken) }),
      ),
    );
    check(
      'every delegate route answers 410 afterwards',
      gone.every((answer) => answer.status === 410),
    );
    const issuedBefore = delegates.filter((d) => d.verificationCode);
    const unverified = await Promise.all(
      issuedBefore.map((d) => call('GET', `/visa-letters/${d.verificationCode}`)),
    );
    const neverIssued = await call('GET', `/visa-letters/${randomUUID().replaceAll('-', '')}`);
    check(
      'no issued visa letter verifies any more: 404, the answer to a code never issued',
      unverified.every(
        (answer) => answer.status === 404 && JSON.stringify(answer.body) === JSON.stringify(neverIssued.body),
      ) && neverIssued.status === 404,
      `${issuedBefore.length} codes: ${unverified.map((answer) => answer.status).join(', ')}`,
    );

    await rebuildAll();
    await live.settled();
    const counts = (await call('GET', `/conferences/${conferenceId}/delegate-counts`)).body;
    check(
      'after a rebuild: every registration erased (and cancelled), nothing restored',
      counts?.erased === count &&
        counts?.cancelled === count &&
        counts?.registered === 0 &&
        counts?.waitlisted === 0,
      JSON.stringify({
        erased: counts?.erased,
        cancelled: counts?.cancelled,
        registered: counts?.registered,
      }),
    );

    const verificationCodes = delegates.flatMap((d) => (d.verificationCode ? [d.verificationCode] : []));
    const verificationHits = [
      ...(await searchTables(client as DynamoDBClient, verificationCodes)),
      ...searchTexts(busEvents, verificationCodes),
      ...searchTexts([['logs', output.text()]], verificationCodes),
      ...(await searchFiles(live.paths.dataDir, verificationCodes, ['outbox', 'dynamodb'])),
    ];
    check(
      'no table, bus event, file or log line holds a visa letter’s verification code (only its SHA-256, as a key)',
      verificationHits.length === 0 && verificationCodes.length > 0,
      `${verificationCodes.length} codes searched; ${verificationHits.length} hits${verificationHits.length ? `: ${[...new Set(verificationHits.map((hit) => hit.where))].slice(0, 5).join('; ')}` : ''}`,
    );

    say('Searching every store after erasure');
    await searchEverything('after erasure');
    const after = searches.filter((s) => s.phase === 'after erasure' && !s.store.startsWith('outbox'));
    check(
      'after erasure: zero hits of any marker in any table, file, bus event or log line',
      after.every((s) => s.hits.length === 0),
      after
        .filter((s) => s.hits.length > 0)
        .map((s) => `${s.store}: ${s.hits.length}`)
        .join(', ') || '0 hits',
    );
  } finally {
    output.stop();
    client?.destroy();
    await stack?.stop();
  }
  return {
    delegates: count,
    markers: markers.length,
    checks,
    searches,
    startedAt: new Date(started).toISOString(),
    ms: Date.now() - started,
  };
};

/** docs/privacy.md: what was searched, with what, and what was found. */
export const privacyReportMarkdown = (report: PrivacyReport): string => {
  const lines = [
    '# Proof: personal data (issues 10 and 12)',
    '',
    `Written by \`npm run proof:privacy\` (test/proof/privacy.ts) on ${report.startedAt}, in ${(report.ms / 1000).toFixed(1)} s.`,
    '',
    `${report.delegates} delegates were registered with a unique marker in every personal field (${report.markers} markers:`,
    'one with an accented letter in the names, city and organization, one in the email address, one in the',
    'passport number), taken through the whole life cycle on the local stack (registered and waitlisted, a',
    'visa letter request by every seat holder with the markers in its passport name, number and place of',
    'issue, half of them issued and verified, one declined with a marked reason, a check-in, a',
    'cancellation and the promotion it frees, every email, a promotion email dead-lettered by a Notifier',
    'made to fail, a rebuild of every read model), then erased: two over HTTP, the rest by the retention',
    'run. Each store was searched for every marker as written, in lower case, NFC and NFD, and as the hex,',
    'base64 and base64url of each (at every byte alignment). The tables are read through DynamoDB\u2019s API',
    '(Scan), not DynamoDB Local\u2019s files, whose freed pages are not ours to scrub.',
    '',
    '## Checks',
    '',
    '| check | result | detail |',
    '| --- | --- | --- |',
    ...report.checks.map(
      (c) => `| ${c.what} | ${c.ok ? 'ok' : '**FAILED**'} | ${c.detail.replaceAll('|', '\\|')} |`,
    ),
    '',
    '## Searches',
    '',
    '| phase | store | searched | hits |',
    '| --- | --- | --- | --- |',
    ...report.searches.map((s) => `| ${s.phase} | ${s.store} | ${s.searched} | ${s.hits.length} |`),
    '',
    'The outbox holds the emails sent before the erasure (an email once sent cannot be unsent): it is the',
    'search\u2019s control, showing that the same search finds the markers where they are. The captures have',
    'controls of their own, checked before erasure: the bus capture must hold the conference name\u2019s',
    'control marker (in its ConferenceCreated event), the log capture every registration id the Notifier',
    'logs. The data-keys table is read per registration: each has its data key before erasure, and none',
    'after it, whether erased over HTTP or by the retention run. The redriven promotion is waited for until',
    'the bus has delivered its hand-over and the Notifier has logged that it sent nothing.',
    '',
  ];
  const found = report.searches.filter((s) => s.hits.length > 0 && !s.store.startsWith('outbox'));
  if (found.length > 0) {
    lines.push('## Hits outside the outbox', '');
    for (const s of found)
      for (const hit of s.hits.slice(0, 20)) lines.push(`- ${s.phase}, ${hit.where}: ${hit.encoding}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
};
