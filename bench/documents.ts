/**
 * `npm run bench:documents` (issue 20, CONTRACT 5.5): 20,000 badges and the CSV of 20,000 registrations
 * made in the background, beside 600 badges printed by the synchronous route in the same run. Each run
 * is a process of its own (bench/support/document-worker.ts) on the same DynamoDB Local, so that its
 * peak RSS is its own; every file is read back by independent parsers (pdf.js counts the pages,
 * csv-parse the rows). Goals: time per badge within 1.5× the synchronous route's; peak RSS ≤ 1 GB for
 * 20,000 badges. The read model is seeded with the projection's own functions (as bench:desk does).
 * Writes the `documents` section of docs/benchmarks.md.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { conferenceDecider } from '../domain/conference/decider.js';
import type { RegistrantRow } from '../domain/projections/registrant-list.js';
import { delegateCategories } from '../domain/registration/events.js';
import { iclc2015 } from '../test/domain/fixtures.js';
import { BENCHMARKS_FILE } from './support/benchmarks-doc.js';
import {
  benchClient,
  handlerTables,
  localAdaptersWithOrganizer,
  withDynamoDbLocal,
} from './support/local-dynamodb.js';
import { appendNewStream } from './support/new-stream.js';
import { seedRegistrantRows } from './support/registrant-rows.js';
import { machineLine, table, writeSection } from './support/report.js';
import { verdict } from './support/stats.js';

const LARGE = Number(process.env.BENCH_DOCUMENTS ?? 20_000);
const SYNC = Number(process.env.BENCH_SYNC_BADGES ?? 600);
const GOAL_RATIO = 1.5;
const GOAL_RSS_BYTES = 1024 ** 3;

const givenNames = [
  'Ana María',
  'Jürgen',
  'Ольга',
  'Σοφία',
  'Seán',
  'Mekdes',
  'Wei',
  'Layla',
  'Tomás',
  'Chloé',
];
const familyNames = [
  'Pérez',
  'Müller',
  'Смирнова',
  'Παπαδοπούλου',
  "O'Brien",
  'Çelik',
  'Tesfaye',
  'Nguyễn',
  'Kowalski',
];
const organizations = [
  'Cork City Council',
  'Universidad de Sorocaba',
  'Bahir Dar University',
  'Δήμος Αθηναίων',
  null,
];
const countries = ['MX', 'FI', 'KR', 'JO', 'IE', 'ET', 'CN', 'GB', 'BR', 'DE', 'IN', 'NG'];

const seatHolder = (conferenceId: string, n: number): RegistrantRow => ({
  registrationId: randomUUID(),
  conferenceId,
  status: n % 5 === 4 ? 'checked-in' : 'registered',
  givenName: givenNames[n % givenNames.length] as string,
  familyName: familyNames[(n * 7) % familyNames.length] as string,
  email: `delegate.${n}@example.org`,
  language: 'en',
  latinName: null,
  nameOrder: 'given-family',
  country: countries[(n * 3) % countries.length] as string,
  city: 'Somewhere',
  organization: organizations[(n * 5) % organizations.length] ?? null,
  category: delegateCategories[n % delegateCategories.length] as RegistrantRow['category'],
  registeredAt: new Date(Date.UTC(2015, 3, 1) + n * 37_000).toISOString(),
  ...(n % 5 === 4 ? { checkedInAt: '2015-09-28T14:00:00.000Z' } : {}),
});

const run = async (input: Record<string, unknown>): Promise<Record<string, unknown>> => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/support/document-worker.ts', JSON.stringify(input)],
    { maxBuffer: 64 * 1024 * 1024, env: process.env },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Record<string, unknown>;
};

const pageCount = async (path: string): Promise<number> => {
  const task = getDocument({
    data: new Uint8Array(await readFile(path)),
    disableFontFace: true,
    verbosity: 0,
  });
  const document = await task.promise;
  const pages = document.numPages;
  // The last page too, to see that pdf.js reads it through (its text is the last seat holder's badge).
  await (await document.getPage(pages)).getTextContent();
  await task.destroy();
  return pages;
};

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;

const main = () =>
  withDynamoDbLocal(async (dynamo) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lc-bench-documents-'));
    try {
      const setup = benchClient(dynamo.endpoint);
      const tables = await handlerTables(setup, dynamo.endpoint, 'bench-documents-');
      await localAdaptersWithOrganizer(dataDir, { exports: true });
      const { eventStore } = await import('../functions/shared/event-store/stores.js');
      const { conferenceStream } = await import('../functions/shared/commands/streams.js');
      const conference = async (size: number) => {
        const conferenceId = randomUUID();
        await appendNewStream(
          eventStore(),
          conferenceId,
          conferenceStream(conferenceId),
          conferenceDecider.decide(
            { type: 'CreateConference', conferenceId, details: { ...iclc2015, capacity: size } },
            conferenceDecider.initialState,
          ),
        );
        await seedRegistrantRows(
          setup,
          tables.readModels,
          Array.from({ length: size }, (_, n) => seatHolder(conferenceId, n)),
        );
        return conferenceId;
      };
      const small = await conference(SYNC);
      const large = await conference(LARGE);
      process.stdout.write(`Seeded ${SYNC} and ${LARGE.toLocaleString('en-US')} seat holders\n`);
      const common = { endpoint: dynamo.endpoint, tables, dataDir };

      // The synchronous route twice (the first warms the machine's caches), then the background documents.
      await run({ ...common, conferenceId: small, mode: 'sync-badges' });
      const sync = await run({ ...common, conferenceId: small, mode: 'sync-badges' });
      process.stdout.write(`sync: ${JSON.stringify(sync)}\n`);
      const badges = await run({ ...common, conferenceId: large, mode: 'document', kind: 'badges' });
      process.stdout.write(`badges: ${JSON.stringify({ ...badges, progress: undefined })}\n`);
      const csv = await run({ ...common, conferenceId: large, mode: 'document', kind: 'registrations-csv' });
      process.stdout.write(`csv: ${JSON.stringify({ ...csv, progress: undefined })}\n`);

      const badgesPath = String(badges.path);
      const pages = await pageCount(badgesPath);
      const csvRows = (
        parse(await readFile(String(csv.path), 'utf8'), { bom: true, columns: true }) as unknown[]
      ).length;
      const perSync = Number(sync.ms) / SYNC;
      const perBackground = Number(badges.ms) / LARGE;
      const ratioMet = perBackground <= GOAL_RATIO * perSync;
      const rssMet = Number(badges.peakRssBytes) <= GOAL_RSS_BYTES;
      const pagesMet = pages === LARGE;
      const csvMet = csvRows === LARGE;
      const progressSeen = (badges.progress as Array<[number, number]>).filter(
        ([done]) => done > 0 && done < LARGE,
      );

      const rows = [
        [
          `${SYNC} badges, synchronous route (GetBadges), baseline`,
          `${(Number(sync.ms) / 1000).toFixed(1)} s`,
          `${perSync.toFixed(2)} ms`,
          mb(Number(sync.peakRssBytes)),
          `${mb(Number(sync.bytes))}`,
          '',
          '',
        ],
        [
          `${LARGE.toLocaleString('en-US')} badges in the background`,
          `${(Number(badges.ms) / 1000).toFixed(1)} s`,
          `${perBackground.toFixed(2)} ms (${(perBackground / perSync).toFixed(2)}× the route's)`,
          mb(Number(badges.peakRssBytes)),
          `${mb((await stat(badgesPath)).size)}; pdf.js: ${pages.toLocaleString('en-US')} pages`,
          `${progressSeen.length} progress reads between 0 and ${LARGE.toLocaleString('en-US')}`,
          `${verdict(ratioMet)} (≤ ${GOAL_RATIO}×), ${verdict(rssMet)} (≤ 1 GB), ${verdict(pagesMet)} (pages)`,
        ],
        [
          `CSV of ${LARGE.toLocaleString('en-US')} registrations in the background`,
          `${(Number(csv.ms) / 1000).toFixed(1)} s`,
          `${(Number(csv.ms) / LARGE).toFixed(3)} ms per row`,
          mb(Number(csv.peakRssBytes)),
          `${mb((await stat(String(csv.path))).size)}; csv-parse: ${csvRows.toLocaleString('en-US')} rows`,
          '',
          verdict(csvMet),
        ],
      ];
      const allMet = ratioMet && rssMet && pagesMet && csvMet;
      // What a page costs in memory until the end: the two processes' peaks, against their page counts.
      const perPage = (Number(badges.peakRssBytes) - Number(sync.peakRssBytes)) / (LARGE - SYNC);
      const reachesGb = LARGE + (GOAL_RSS_BYTES - Number(badges.peakRssBytes)) / perPage;
      const section = [
        `## Documents in the background: ${LARGE.toLocaleString('en-US')} badges and a ${LARGE.toLocaleString('en-US')}-row CSV (\`npm run bench:documents\`)`,
        '',
        `Goals (issue 20): time per badge in the background within ${GOAL_RATIO}× the synchronous route's, ` +
          `measured in the same run (${SYNC} badges through GetBadges, its second run); peak RSS ≤ 1 GB for ` +
          `${LARGE.toLocaleString('en-US')} badges; one PDF that pdf.js opens with a page per badge. Each row ` +
          'is a Node process of its own (bench/support/document-worker.ts) against the same DynamoDB Local (in ' +
          'memory, a separate Java process, not counted): POST documents through its handler, then the ' +
          "documents function's entry point with the SQS event the queue would give it, writing to the local " +
          "export store (files) as `npm start` does; peak RSS is the process's `maxRSS` (modules, fonts and " +
          'SDK included). Time runs from the request to the file stored; progress was read every 2 s through ' +
          'GetDocument while it ran.',
        '',
        table(['run', 'time', 'per item', 'peak RSS', 'file, read back', 'progress', 'goal'], rows),
        '',
        allMet ? 'Every goal met.' : 'A goal was **missed**: see the row.',
        '',
        'Memory: the badges are drawn in chunks of 400 and streamed out as pdfkit writes each page (the ' +
          'document waits while the export store is behind): the file is never in memory. What still grows ' +
          'with the page count is what pdfkit keeps of every page until the end (the page tree, the object ' +
          `offsets of the cross-reference table, the glyphs used for the font subsets): ${(perPage / 1024).toFixed(0)} KB a ` +
          `page here (the peaks above: ${LARGE.toLocaleString('en-US')} badges against ${SYNC}), so about ` +
          `${(Math.floor(reachesGb / 1000) * 1000).toLocaleString('en-US')} badges would reach 1 GB. In the cloud the bytes go to S3 ` +
          'in a multipart upload of 8 MB parts, two in flight; ' +
          'the function has 1,769 MB, for the full vCPU it buys and for that headroom.',
        '',
        machineLine(),
      ].join('\n');
      await writeSection(BENCHMARKS_FILE, 'documents', section, () => '# Benchmarks\n');
      process.stdout.write(`${section}\n`);
      if (!allMet) process.exitCode = 1;
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

await main();
