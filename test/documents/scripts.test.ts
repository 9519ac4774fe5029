import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Badge, badgesPdf } from '../../functions/shared/documents/badges.js';
import { documentFonts } from '../../functions/shared/documents/fonts.js';
import { renderPdf } from '../../functions/shared/documents/pdf.js';
import { visaLetterPdf } from '../../functions/shared/documents/visa-letter.js';
import { comparable, missingGlyphs, pdfGlyphs, pdfPagesText } from '../support/pdf-reader.js';

/**
 * Names in every script a delegate of the conference may write theirs in (issue 19.4), each read back from
 * the PDF by pdf.js, and checked glyph by glyph from the PDF's own text-showing operators.
 */

const conference = {
  name: 'Conférence internationale sur les villes apprenantes',
  acronym: 'ICLC2015',
  city: 'Ciudad de México',
  startDate: '2015-09-28',
  endDate: '2015-09-30',
};

interface Case {
  script: string;
  givenName: string;
  familyName: string;
  /** The name as it reads on the badge (in its own order). */
  reads: string;
  latinName?: { givenName: string; familyName: string };
  organization?: string;
  /** Indic scripts draw some vowel signs before the consonant they follow: text copied out of any PDF has them in drawn order. */
  visualOrder?: boolean;
}

const cases: Case[] = [
  { script: 'Latin', givenName: 'Ana', familyName: 'Pérez Núñez', reads: 'Ana Pérez Núñez' },
  { script: 'Greek', givenName: 'Γιώργος', familyName: 'Παπαδόπουλος', reads: 'Γιώργος Παπαδόπουλος' },
  { script: 'Cyrillic', givenName: 'Ольга', familyName: 'Смирнова', reads: 'Ольга Смирнова' },
  {
    script: 'Arabic',
    givenName: 'عمر',
    familyName: 'الخطيب',
    reads: 'عمر الخطيب',
    latinName: { givenName: 'Omar', familyName: 'Al-Khatib' },
    organization: 'محافظة القاهرة',
  },
  {
    script: 'Hebrew',
    givenName: 'אבי',
    familyName: 'כהן',
    reads: 'אבי כהן',
    latinName: { givenName: 'Avi', familyName: 'Cohen' },
  },
  {
    script: 'Chinese',
    givenName: '明',
    familyName: '李',
    reads: '李明',
    latinName: { givenName: 'Ming', familyName: 'Li' },
    organization: '北京市教育委员会',
  },
  {
    script: 'Japanese',
    givenName: 'さくら',
    familyName: '田中',
    reads: '田中さくら',
    latinName: { givenName: 'Sakura', familyName: 'Tanaka' },
  },
  {
    script: 'Korean',
    givenName: '민준',
    familyName: '김',
    reads: '김민준',
    latinName: { givenName: 'Minjun', familyName: 'Kim' },
    organization: '남양주시',
  },
  {
    script: 'Ethiopic',
    givenName: 'ተስፋዬ',
    familyName: 'ገብረ',
    reads: 'ተስፋዬ ገብረ',
    latinName: { givenName: 'Tesfaye', familyName: 'Gebre' },
    organization: 'ባሕር ዳር',
  },
  {
    script: 'Devanagari',
    givenName: 'राहुल',
    familyName: 'शर्मा',
    reads: 'राहुल शर्मा',
    latinName: { givenName: 'Rahul', familyName: 'Sharma' },
    visualOrder: true,
  },
  {
    script: 'Thai',
    givenName: 'สมชาย',
    familyName: 'ใจดี',
    reads: 'สมชาย ใจดี',
    latinName: { givenName: 'Somchai', familyName: 'Jaidee' },
  },
  {
    script: 'Persian (Arabic with ZWNJ)',
    givenName: 'مهر\u200Cنوش',
    familyName: 'رضایی',
    reads: 'مهر\u200Cنوش رضایی',
  },
];

const badgeOf = (entry: Case, index: number): Badge => ({
  registrationId: `r${index}`,
  givenName: entry.givenName,
  familyName: entry.familyName,
  ...(entry.latinName ? { latinName: entry.latinName } : {}),
  ...(entry.organization ? { organization: entry.organization } : {}),
  country: 'MX',
  category: 'mayor',
  checkInCode: `CK-${index}`,
});

describe('names in every script on badges (issue 19.4)', () => {
  it('the missing-glyph check can fail: Chinese drawn in DejaVu, as badges did, shows .notdef glyphs', async () => {
    const pdf = await renderPdf(
      { size: 'A6', margin: 20, title: 'control', fonts: documentFonts() },
      (doc) => {
        doc.addPage();
        doc.font('bold').text('北京 Beijing');
      },
    );
    const [glyphs = []] = await pdfGlyphs(pdf);
    expect(missingGlyphs(glyphs)).toHaveLength(2);
  });

  it('prints each name with real glyphs, read back by pdf.js in its own order, with the Latin name under it', async () => {
    const pdf = await badgesPdf(conference, cases.map(badgeOf), documentFonts());
    const pages = await pdfPagesText(pdf);
    const glyphs = await pdfGlyphs(pdf);
    expect(pages).toHaveLength(cases.length);
    cases.forEach((entry, index) => {
      const page = pages[index] ?? '';
      const pageGlyphs = glyphs[index] ?? [];
      expect(pageGlyphs.length, entry.script).toBeGreaterThan(10);
      expect(missingGlyphs(pageGlyphs), entry.script).toEqual([]);
      if (entry.visualOrder) {
        // Every character of the name is there (as drawn: the vowel sign ि before its consonant).
        const drawn = [...comparable(page)];
        for (const character of comparable(entry.reads)) expect(drawn, entry.script).toContain(character);
      } else expect(comparable(page), entry.script).toContain(comparable(entry.reads));
      if (entry.latinName) {
        expect(page, entry.script).toContain(entry.latinName.givenName);
        expect(page, entry.script).toContain(entry.latinName.familyName);
      }
      if (entry.organization) expect(page, entry.script).toContain(entry.organization);
    });
  });

  it('joins Arabic letters and lays the words of a right-to-left run out right to left', async () => {
    const arabic = cases.find((entry) => entry.script === 'Arabic') as Case;
    const habib = { ...badgeOf(arabic, 0), givenName: 'حبيب', familyName: 'عمر' };
    const pdf = await badgesPdf(conference, [habib], documentFonts());
    const [page] = await pdfPagesText(pdf);
    // The organization reads with its space, words in order (it printed as "القاهرةمحافظة").
    expect(page).toContain('محافظة القاهرة');
    expect(page).toContain('حبيب');
    // Joined: the two ب of حبيب are drawn with two different glyphs (medial and final forms); unjoined,
    // both would be the one isolated letter.
    const [glyphs = []] = await pdfGlyphs(pdf);
    const behs = glyphs.filter((glyph) => glyph.unicode === 'ب');
    expect(behs).toHaveLength(2);
    expect(behs[0]?.width).not.toBe(behs[1]?.width);
  });

  it('prints a name of a script no shipped font covers with a clear fallback: its Latin name, or U+FFFD', async () => {
    // Tamil: no shipped font has it (neither DejaVu nor the Noto families of font-files.ts).
    const tamil = { givenName: 'முருகன்', familyName: 'சுப்பிரமணியம்' };
    const withLatin: Badge = {
      ...badgeOf({ ...tamil, script: 'Tamil', reads: '' }, 0),
      latinName: { givenName: 'Murugan', familyName: 'Subramaniam' },
    };
    const withoutLatin: Badge = { ...badgeOf({ ...tamil, script: 'Tamil', reads: '' }, 1) };
    const ancient = { ...badgeOf({ script: 'Linear B', givenName: '𐀀𐀁', familyName: 'Ko', reads: '' }, 2) };
    const pdf = await badgesPdf(conference, [withLatin, withoutLatin, ancient], documentFonts());
    const pages = await pdfPagesText(pdf);
    expect(pages[0]).toContain('Murugan Subramaniam');
    expect(pages[0]).not.toContain('\uFFFD');
    expect(pages[1]).toContain('\uFFFD');
    expect(pages[2]).toContain('\uFFFD');
    for (const glyphs of await pdfGlyphs(pdf)) expect(missingGlyphs(glyphs)).toEqual([]);
  });

  it('prints the passport name of a visa letter in any script, the letter in English', async () => {
    for (const passportName of ['李明', 'عمر الخطيب', 'ተስፋዬ ገብረ', 'Ольга Смирнова']) {
      const pdf = await visaLetterPdf(
        {
          language: 'en',
          conference: { ...conference, venue: 'Palacio de Minería', country: 'MX' },
          delegate: {
            passportName,
            passportNumber: 'X1234567',
            nationality: 'CN',
            dateOfBirth: '1980-01-01',
          },
          signatory: { name: 'Alejandra Ruiz', title: 'Secretaria General' },
          issuedAt: '2015-08-01T10:00:00.000Z',
          verificationCode: 'VL-1234',
          verificationUrl: 'https://example.org/verify/VL-1234',
        },
        documentFonts(),
      );
      const [page = ''] = await pdfPagesText(pdf);
      expect(page).toContain('Letter of invitation');
      expect(comparable(page)).toContain(comparable(passportName));
      const [glyphs = []] = await pdfGlyphs(pdf);
      expect(missingGlyphs(glyphs), passportName).toEqual([]);
    }
  });
});

const pdftoppm = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8' });
const hasPdftoppm = pdftoppm.error === undefined;

describe.skipIf(!hasPdftoppm)('badges of every script as pictures (pdftoppm)', () => {
  it('renders a badge of each script to a PNG kept in .test-results/badges/', async () => {
    const directory = join('.test-results', 'badges');
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    const pdf = await badgesPdf(conference, cases.map(badgeOf), documentFonts());
    const file = join(directory, 'badges.pdf');
    writeFileSync(file, pdf);
    const result = spawnSync('pdftoppm', ['-png', '-r', '72', file, join(directory, 'badge')], {
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    // poppler warns on stderr about a glyph it cannot find in an embedded font.
    expect(result.stderr).toBe('');
    const pictures = readdirSync(directory).filter((name) => name.endsWith('.png'));
    expect(pictures).toHaveLength(cases.length);
  });
});
