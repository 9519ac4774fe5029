import { calendarDate, message, textDirection } from '../../../domain/notifications/messages/index.js';
import type { Language } from '../../../domain/shared/languages.js';
import { countryName } from './country-names.js';
import { type DocumentFonts, qrCodePng, renderPdf } from './pdf.js';
import { drawFittedText, drawParagraph, type Weight } from './script-text.js';

export interface VisaLetterDocument {
  /** The conference's default language (CONTRACT 5.4): the letter's text, dates and country names in it. */
  language: Language;
  conference: {
    name: string;
    acronym: string;
    venue: string;
    city: string;
    country: string;
    startDate: string;
    endDate: string;
  };
  delegate: {
    passportName: string;
    passportNumber: string;
    nationality: string;
    dateOfBirth: string;
    placeOfIssue?: string;
  };
  signatory: { name: string; title: string };
  issuedAt: string;
  verificationCode: string;
  /** Where a consulate confirms the letter: the public verification route for this code. */
  verificationUrl: string;
}

const A4_MARGIN = 64;
const QR_SIZE = 110;
const QR_GAP = 16;
const LABEL_WIDTH = 150;
const GUTTER = 10;

/**
 * The letter of invitation a consulate asks for, on one A4 page, verifiable by its code and QR code. Its
 * text is in the conference's default language, laid out from the right in Arabic; every text in any script
 * (script-text.ts: each character in its script's font, right-to-left runs in order).
 */
export const visaLetterPdf = (letter: VisaLetterDocument, fonts: DocumentFonts): Promise<Buffer> => {
  const { conference, delegate, signatory, language } = letter;
  const say = (id: Parameters<typeof message>[1], values?: Parameters<typeof message>[2]) =>
    message(language, id, values);
  return renderPdf(
    { size: 'A4', margin: A4_MARGIN, title: `${say('letter.title')}: ${conference.name}`, fonts },
    async (pdf) => {
      pdf.addPage({ size: 'A4', margin: A4_MARGIN });
      const direction = textDirection(language);
      const rightToLeft = direction === 'rtl';
      const width = pdf.page.width - 2 * A4_MARGIN;
      /** A paragraph from `y` in the letter's language; returns the y below it. */
      const paragraph = (
        text: string,
        y: number,
        size: number,
        weight: Weight = 'regular',
        box: { x?: number; width?: number; align?: 'left' | 'right'; direction?: 'ltr' | 'rtl' } = {},
      ) =>
        drawParagraph(pdf, text, box.x ?? A4_MARGIN, y, {
          weight,
          size,
          width: box.width ?? width,
          language,
          direction: box.direction ?? direction,
          ...(box.align ? { align: box.align } : {}),
        });

      const place = {
        venue: conference.venue,
        city: conference.city,
        country: countryName(conference.country, language),
      };
      const dates = { start: calendarDate(conference.startDate), end: calendarDate(conference.endDate) };
      let y = A4_MARGIN;
      y = paragraph(conference.name, y, 15, 'bold');
      y = paragraph(say('letter.place', place), y, 10);
      y = paragraph(say('dates', dates), y, 10) + 24;
      const issued = calendarDate(letter.issuedAt.slice(0, 10));
      y = paragraph(say('letter.date', { issued }), y, 11, 'regular', {
        align: rightToLeft ? 'left' : 'right',
      });
      y = paragraph(say('letter.title'), y + 12, 13, 'bold') + 10;
      y = paragraph(say('letter.to'), y, 11) + 8;
      const invite = { conference: conference.name, acronym: conference.acronym, ...place, ...dates };
      y = paragraph(say('letter.invite', invite), y, 11) + 10;

      const rows: [label: string, value: string][] = [
        [say('letter.passportName'), delegate.passportName],
        [say('letter.passportNumber'), delegate.passportNumber],
        [
          say('letter.nationality'),
          `${countryName(delegate.nationality, language)} (${delegate.nationality})`,
        ],
        [say('letter.dateOfBirth'), say('date', { start: calendarDate(delegate.dateOfBirth) })],
        ...(delegate.placeOfIssue
          ? ([[say('letter.placeOfIssue'), delegate.placeOfIssue]] as [string, string][])
          : []),
      ];
      // Each label in its column on the side the text starts from (wrapped there), each value beside it
      // in any script on one line, shrunk to fit.
      const labelX = rightToLeft ? A4_MARGIN + width - LABEL_WIDTH : A4_MARGIN;
      const valueX = rightToLeft ? A4_MARGIN : A4_MARGIN + LABEL_WIDTH + GUTTER;
      for (const [label, value] of rows) {
        const labelBottom = paragraph(label, y, 11, 'regular', { x: labelX, width: LABEL_WIDTH });
        const size = drawFittedText(pdf, value, 'bold', valueX, y, {
          width: width - LABEL_WIDTH - GUTTER,
          max: 11,
          align: rightToLeft ? 'right' : 'left',
        });
        y = Math.max(labelBottom, y + Math.max(size, 11) * 1.3) + 4;
      }

      y = paragraph(say('letter.noObligation'), y + 10, 11) + 20;
      y = paragraph(say('letter.closing'), y, 11) + 24;
      y = paragraph(signatory.name, y, 11, 'bold');
      y = paragraph(signatory.title, y, 11) + 24;

      // The QR code on the side the text starts from; the code and the address always left to right.
      const qrX = rightToLeft ? A4_MARGIN + width - QR_SIZE : A4_MARGIN;
      pdf.image(await qrCodePng(letter.verificationUrl), qrX, y, { width: QR_SIZE, height: QR_SIZE });
      const beside = {
        x: rightToLeft ? A4_MARGIN : A4_MARGIN + QR_SIZE + QR_GAP,
        width: width - QR_SIZE - QR_GAP,
        align: rightToLeft ? ('right' as const) : ('left' as const),
      };
      let textY = paragraph(say('fact.verificationCode'), y + 16, 10, 'regular', beside);
      textY = paragraph(letter.verificationCode, textY, 12, 'bold', { ...beside, direction: 'ltr' });
      paragraph(letter.verificationUrl, textY, 9, 'regular', { ...beside, direction: 'ltr' });
    },
  );
};
