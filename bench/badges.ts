/**
 * `npm run bench:badges`: 600 badges whose names mix every script a delegate may write theirs in (Latin,
 * Greek, Cyrillic, Arabic, Hebrew, Chinese, Japanese, Korean, Ethiopic, Devanagari, Thai), beside 600
 * Latin-only badges as they were printed before (the baseline), in the same process and the same run.
 * Goal (issue 19): mixed ≤ 2× Latin-only. Each kind is printed first cold (its fonts not yet read by the
 * process: what the first request of a fresh Lambda pays), then ROUNDS times warm, alternating.
 * Writes the `badges` section of docs/benchmarks.md.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Badge, BadgeConference } from '../functions/shared/documents/badges.js';
import { FONT_FILES } from '../functions/shared/documents/font-files.js';
import { writeBenchmarkSection } from './support/benchmarks-doc.js';
import { machineLine, repoRoot, table } from './support/report.js';
import { kib, median, ms, ratio, verdict } from './support/stats.js';

const COUNT = Number(process.env.BENCH_BADGES ?? 600);
const ROUNDS = Number(process.env.BENCH_BADGE_ROUNDS ?? 3);
const GOAL = 2;

const conference: BadgeConference = {
  name: '2nd International Conference on Learning Cities',
  acronym: 'ICLC2015',
  city: 'Mexico City',
  startDate: '2015-09-28',
  endDate: '2015-09-30',
};

type Name = [givenName: string, familyName: string, latin?: [string, string], organization?: string];

const latinNames: Name[] = [
  ['Ana', 'Pérez Núñez', undefined, 'Secretaría de Educación Pública'],
  ['Jürgen', 'Müller', undefined, 'Stadt Gelsenkirchen'],
  ['Mariam', 'Diallo', undefined, 'Ville de Dakar'],
  ['Lucía', 'Fernández', undefined, 'Ayuntamiento de Gijón'],
  ['Tom', 'Okafor', undefined, 'Lagos State'],
  ['Sofia', 'Lindqvist', undefined, 'Espoo'],
];

/** One name per script, each with its Latin name (printed under it), cycling over the 600 badges. */
const mixedNames: Name[] = [
  ['Ana', 'Pérez Núñez', undefined, 'Secretaría de Educación Pública'],
  ['Γιώργος', 'Παπαδόπουλος', ['Giorgos', 'Papadopoulos'], 'Δήμος Αθηναίων'],
  ['Ольга', 'Смирнова', ['Olga', 'Smirnova'], 'Министерство образования'],
  ['عمر', 'الخطيب', ['Omar', 'Al-Khatib'], 'أمانة عمّان الكبرى'],
  ['אבי', 'כהן', ['Avi', 'Cohen'], 'עיריית חיפה'],
  ['明', '李', ['Ming', 'Li'], '北京市教育委员会'],
  ['さくら', '田中', ['Sakura', 'Tanaka'], '岡山市'],
  ['민준', '김', ['Minjun', 'Kim'], '남양주시'],
  ['ተስፋዬ', 'ገብረ', ['Tesfaye', 'Gebre'], 'ባሕር ዳር'],
  ['राहुल', 'शर्मा', ['Rahul', 'Sharma'], 'नगर निगम'],
  ['สมชาย', 'ใจดี', ['Somchai', 'Jaidee'], 'กรุงเทพมหานคร'],
];

const badges = (names: Name[]): Badge[] =>
  Array.from({ length: COUNT }, (_, index) => {
    const [givenName, familyName, latin, organization] = names[index % names.length] as Name;
    return {
      registrationId: `r${index}`,
      givenName,
      familyName,
      ...(latin ? { latinName: { givenName: latin[0], familyName: latin[1] } } : {}),
      ...(organization ? { organization } : {}),
      country: 'MX',
      category: 'mayor',
      checkInCode: `r${index}.CK7Q2MXV9PL4SW${index}`,
    };
  });

const main = async () => {
  // Imported here so that the module loads (and its fonts' reading) fall inside the measured runs.
  const { badgesPdf } = await import('../functions/shared/documents/badges.js');
  const { documentFonts, loadedFonts } = await import('../functions/shared/documents/fonts.js');
  const kinds = { latin: badges(latinNames), mixed: badges(mixedNames) };
  const print = async (kind: keyof typeof kinds) => {
    const started = performance.now();
    const pdf = await badgesPdf(conference, kinds[kind], documentFonts());
    return { ms: performance.now() - started, bytes: pdf.length };
  };

  const coldLatin = await print('latin');
  const fontsAfterLatin = loadedFonts();
  const coldMixed = await print('mixed');
  const fontsAfterMixed = loadedFonts();
  const warm = { latin: [] as number[], mixed: [] as number[] };
  const bytes = { latin: coldLatin.bytes, mixed: coldMixed.bytes };
  for (let round = 0; round < ROUNDS; round++)
    for (const kind of round % 2 ? (['mixed', 'latin'] as const) : (['latin', 'mixed'] as const))
      warm[kind].push((await print(kind)).ms);

  const latin = median(warm.latin);
  const mixed = median(warm.mixed);
  const met = mixed <= GOAL * latin;
  const fontBytes = (keys: readonly string[]) =>
    keys.reduce(
      (sum, key) => sum + statSync(resolve(repoRoot, FONT_FILES[key as keyof typeof FONT_FILES])).size,
      0,
    );
  const allFonts = Object.keys(FONT_FILES);

  const rows = [
    [
      `${COUNT} Latin-only badges (baseline)`,
      ms(coldLatin.ms),
      ms(latin),
      '1.00×',
      kib(bytes.latin),
      `${fontsAfterLatin.length} (${kib(fontBytes(fontsAfterLatin))})`,
      '—',
      '—',
    ],
    [
      `${COUNT} badges mixing 11 scripts`,
      ms(coldMixed.ms),
      ms(mixed),
      ratio(mixed, latin),
      kib(bytes.mixed),
      `${fontsAfterMixed.length} (${kib(fontBytes(fontsAfterMixed))})`,
      `≤ ${GOAL}× Latin-only`,
      verdict(met),
    ],
  ];
  const content = [
    '## Badges in every script (`npm run bench:badges`)',
    '',
    `${COUNT} badges in one PDF (A6, one page each, name, Latin name, organization, country, QR code), printed by ` +
      '`badgesPdf` in one process: first cold (the fonts of its scripts not yet read: what the first request ' +
      `of a fresh function pays), then ${ROUNDS} times warm, alternating; the warm figure is the median. The ` +
      'mixed names cycle over Latin, Greek, Cyrillic, Arabic, Hebrew, Chinese, Japanese, Korean, Ethiopic, ' +
      'Devanagari and Thai, each with its Latin name under it. Fonts read: the font files the process had read ' +
      `after that kind's cold run (every shipped font: ${allFonts.length} files, ${kib(fontBytes(allFonts))}, ` +
      'beside the printing functions, never in their bundles); each PDF embeds only the glyphs it uses.',
    '',
    table(['run', 'cold', 'warm (median)', 'ratio', 'PDF size', 'fonts read', 'goal', 'verdict'], rows),
    '',
    machineLine(),
  ].join('\n');
  console.log(content);
  await writeBenchmarkSection('badges', content);
};

await main();
