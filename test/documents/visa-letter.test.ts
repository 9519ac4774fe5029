import { describe, expect, it } from 'vitest';
import { documentFonts } from '../../functions/shared/documents/fonts.js';
import { type VisaLetterDocument, visaLetterPdf } from '../../functions/shared/documents/visa-letter.js';
import { comparable, decodeQrOnPage, missingGlyphs, pdfGlyphs, pdfPagesText } from '../support/pdf-reader.js';

const letter: VisaLetterDocument = {
  language: 'en',
  conference: {
    name: '2nd International Conference on Learning Cities',
    acronym: 'ICLC2015',
    venue: 'Palacio de Bellas Artes',
    city: 'Mexico City',
    country: 'MX',
    startDate: '2015-09-28',
    endDate: '2015-09-30',
  },
  delegate: {
    passportName: 'KEBEDE ALEMU Tsehay',
    passportNumber: 'EP1234567',
    nationality: 'ET',
    dateOfBirth: '1971-03-14',
    placeOfIssue: 'Addis Ababa',
  },
  signatory: { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' },
  issuedAt: '2015-07-03T10:00:00.000Z',
  verificationCode: 'VL-q7Jc2mXvT9pL4sWd8yBn',
  verificationUrl: 'http://127.0.0.1:3000/visa-letters/VL-q7Jc2mXvT9pL4sWd8yBn',
};

describe('visa invitation letter PDF', () => {
  it('states everything a consulate needs, on one page, readable by an independent parser', async () => {
    const pages = await pdfPagesText(await visaLetterPdf(letter, documentFonts()));
    expect(pages).toHaveLength(1);
    const text = pages[0] ?? '';
    for (const field of [
      letter.conference.name,
      'Palacio de Bellas Artes',
      'Mexico City',
      'September 28, 2015',
      'September 30, 2015',
      letter.delegate.passportName,
      letter.delegate.passportNumber,
      'Ethiopia',
      'March 14, 1971',
      'as a registered delegate',
      letter.signatory.name,
      letter.signatory.title,
      letter.verificationCode,
      letter.verificationUrl,
    ])
      expect(text).toContain(field);
  });

  it('carries the verification URL as a QR code that an independent decoder reads from the rendered page', async () => {
    expect(await decodeQrOnPage(await visaLetterPdf(letter, documentFonts()), 1)).toBe(
      letter.verificationUrl,
    );
  });
});

/** A space without an outline: French puts one before a colon. */
const NO_BREAK_SPACE = '\u00a0';

describe('the letter in the conference’s default language (CONTRACT 5.4)', () => {
  // Arabic: words pdf.js reads back whole; it reads some joined letters of others as their dotless skeleton
  // (ق as ف), though the page shows them right (rendered by pdftoppm and looked at).
  const languages = [
    {
      language: 'es',
      says: ['Carta de invitación', 'Nombre según el pasaporte', 'Etiopía', '28 de septiembre de 2015'],
    },
    { language: 'fr', says: ['Lettre d’invitation', 'Nationalité', 'Éthiopie', '28 septembre 2015'] },
    { language: 'ru', says: ['Письмо-приглашение', 'Номер паспорта', 'Эфиопия', 'сентября 2015'] },
    { language: 'zh', says: ['邀请函', '护照号码', '埃塞俄比亚', '2015年9月28日'] },
    { language: 'ar', says: ['خطاب دعوة', 'إثيوبيا', 'الموظف'] },
    { language: 'en', says: ['Letter of invitation', 'Passport number', 'Ethiopia', 'September 28, 2015'] },
  ] as const;

  it.each(languages)(
    'prints the letter in $language, every glyph a real one, on one page',
    async ({ language, says }) => {
      const pdf = await visaLetterPdf({ ...letter, language }, documentFonts());
      const pages = await pdfPagesText(pdf);
      expect(pages).toHaveLength(1);
      const page = comparable(pages[0] ?? '');
      for (const text of [...says, letter.delegate.passportName, letter.verificationCode])
        expect(page, text).toContain(comparable(text));
      // No character fell back to the replacement character; the English text is only in the English letter.
      expect(page).not.toContain('\uFFFD');
      if (language !== 'en') expect(page).not.toContain(comparable('Letter of invitation'));
      for (const glyphs of await pdfGlyphs(pdf))
        expect(missingGlyphs(glyphs, [' ', NO_BREAK_SPACE])).toEqual([]);
      expect(await decodeQrOnPage(pdf, 1)).toBe(letter.verificationUrl);
    },
  );
});
