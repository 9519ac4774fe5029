import { describe, expect, it } from 'vitest';
import { documentFonts } from '../../functions/shared/documents/fonts.js';
import { type VisaLetterDocument, visaLetterPdf } from '../../functions/shared/documents/visa-letter.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';

const letter: VisaLetterDocument = {
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
      '2015-09-28',
      '2015-09-30',
      letter.delegate.passportName,
      letter.delegate.passportNumber,
      'Ethiopia',
      letter.delegate.dateOfBirth,
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
