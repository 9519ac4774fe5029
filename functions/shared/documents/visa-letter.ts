import { countryName } from './country-names.js';
import { type DocumentFonts, qrCodePng, renderPdf } from './pdf.js';
import { drawFittedText } from './script-text.js';

export interface VisaLetterDocument {
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

/** The letter of invitation a consulate asks for, on one A4 page, verifiable by its code and QR code. */
export const visaLetterPdf = (letter: VisaLetterDocument, fonts: DocumentFonts): Promise<Buffer> =>
  renderPdf(
    { size: 'A4', margin: A4_MARGIN, title: `Letter of invitation: ${letter.conference.name}`, fonts },
    async (pdf) => {
      const { conference, delegate, signatory } = letter;
      pdf.addPage({ size: 'A4', margin: A4_MARGIN });
      const width = pdf.page.width - 2 * A4_MARGIN;
      pdf.font('bold').fontSize(15).text(conference.name, { width });
      pdf
        .font('regular')
        .fontSize(10)
        .text(`${conference.venue}, ${conference.city}, ${countryName(conference.country)}`)
        .text(`${conference.startDate} to ${conference.endDate}`)
        .moveDown(2);
      pdf
        .fontSize(11)
        .text(`Date: ${letter.issuedAt.slice(0, 10)}`, { align: 'right' })
        .moveDown();
      pdf.font('bold').fontSize(13).text('Letter of invitation').moveDown();
      pdf.font('regular').fontSize(11).text('To the consular officer concerned:').moveDown();
      pdf
        .text(
          `We are pleased to invite the person named below to attend the ${conference.name} (${conference.acronym}), ` +
            `held at ${conference.venue}, ${conference.city}, ${countryName(conference.country)}, from ` +
            `${conference.startDate} to ${conference.endDate}, as a registered delegate.`,
          { width, align: 'justify' },
        )
        .moveDown();
      const rows: [string, string][] = [
        ['Name as in passport', delegate.passportName],
        ['Passport number', delegate.passportNumber],
        ['Nationality', `${countryName(delegate.nationality)} (${delegate.nationality})`],
        ['Date of birth', delegate.dateOfBirth],
        ...(delegate.placeOfIssue ? ([['Place of issue', delegate.placeOfIssue]] as [string, string][]) : []),
      ];
      // The values in any script (a passport name in Arabic, Chinese...): each character in its script's font,
      // right-to-left runs in order (script-text.ts), on one line shrunk to fit.
      for (const [label, value] of rows) {
        const y = pdf.y;
        pdf.font('regular').fontSize(11).text(`${label}:`, A4_MARGIN, y, { width: 150 });
        const size = drawFittedText(pdf, value, 'bold', A4_MARGIN + 160, y, {
          width: width - 160,
          max: 11,
          align: 'left',
        });
        pdf.font('regular').fontSize(11);
        pdf.y = y + Math.max(size, 11) * 1.25;
        pdf.moveDown(0.3);
      }
      pdf.x = A4_MARGIN;
      pdf
        .moveDown()
        .font('regular')
        .text(
          'This letter does not commit the organizers to any financial obligation for travel, accommodation or ' +
            'other expenses. Its authenticity can be confirmed at the address below.',
          { width, align: 'justify' },
        )
        .moveDown(2);
      pdf.text('Yours faithfully,').moveDown(2);
      pdf.font('bold').text(signatory.name).font('regular').text(signatory.title).moveDown(2);

      const qrY = pdf.y;
      pdf.image(await qrCodePng(letter.verificationUrl), A4_MARGIN, qrY, { width: QR_SIZE, height: QR_SIZE });
      const textX = A4_MARGIN + QR_SIZE + 16;
      pdf
        .fontSize(10)
        .text('Verification code', textX, qrY + 16, { width: width - QR_SIZE - 16 })
        .font('bold')
        .fontSize(12)
        .text(letter.verificationCode)
        .font('regular')
        .fontSize(9)
        .text(letter.verificationUrl, { width: width - QR_SIZE - 16 });
    },
  );
