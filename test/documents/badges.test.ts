import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Badge, badgesPdf } from '../../functions/shared/documents/badges.js';
import { documentFonts } from '../../functions/shared/documents/fonts.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';

const conference = {
  name: '2nd International Conference on Learning Cities',
  acronym: 'ICLC2015',
  city: 'Mexico City',
  startDate: '2015-09-28',
  endDate: '2015-09-30',
};

const badges: Badge[] = [
  {
    registrationId: 'r1',
    givenName: 'Ana',
    familyName: 'Pérez Núñez',
    organization: 'Secretaría de Educación Pública',
    country: 'MX',
    category: 'education-executive',
    checkInCode: 'CK-7Q2M-XV9P-L4SW',
  },
  {
    registrationId: 'r2',
    givenName: 'Γιώργος',
    familyName: 'Παπαδόπουλος',
    organization: 'Δήμος Αθηναίων',
    country: 'GR',
    category: 'mayor',
    checkInCode: 'CK-D8YB-N3KF-T6HR',
  },
  {
    registrationId: 'r3',
    givenName: 'Ольга',
    familyName: 'Смирнова',
    country: 'RU',
    category: 'academic',
    checkInCode: 'CK-W2ZJ-C5GE-P9QA',
  },
  {
    registrationId: 'r4',
    givenName: 'Jürgen',
    familyName: 'Müller-Lüdenscheidt',
    organization: 'Beijing Municipal Education Commission',
    country: 'DE',
    category: 'international-organization',
    checkInCode: 'CK-H4MX-R7VB-S2LN',
  },
];

describe('badges PDF', () => {
  it('prints one page per seat holder with every field, in Latin, Greek and Cyrillic letters', async () => {
    const pdf = await badgesPdf(conference, badges, documentFonts());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = await pdfPagesText(pdf);
    expect(pages).toHaveLength(badges.length);
    badges.forEach((badge, index) => {
      const text = pages[index] ?? '';
      for (const field of [badge.givenName, badge.familyName, badge.checkInCode, conference.name])
        expect(text).toContain(field);
      if (badge.organization) expect(text).toContain(badge.organization);
    });
    expect(pages[0]).toContain('Mexico');
    expect(pages[0]).toContain('EDUCATION EXECUTIVE');
    expect(pages[1]).toContain('Greece');
    expect(pages[2]).toContain('Russian Federation');
  });

  it('carries each delegate’s check-in code as a QR code that an independent decoder reads from the rendered page', async () => {
    const pdf = await badgesPdf(conference, badges, documentFonts());
    for (const [index, badge] of badges.entries())
      expect(await decodeQrOnPage(pdf, index + 1)).toBe(badge.checkInCode);
  });

  it('embeds its font, so the names print the same on any printer', async () => {
    const pdf = await badgesPdf(conference, badges.slice(0, 1), documentFonts());
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/FontFile2/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
  });

  it('is still a valid one-page PDF when no seat holder matches', async () => {
    const pages = await pdfPagesText(await badgesPdf(conference, [], documentFonts()));
    expect(pages).toEqual(['No seat holder matches the filters.']);
  });

  it('the fonts are the DejaVu files the package ships', () => {
    const fonts = documentFonts();
    expect(
      fonts.file('regular').equals(readFileSync('node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    ).toBe(true);
  });
});
