import type { Participant } from '../../../domain/documents/documents.js';
import { NO_DELEGATION } from '../../../domain/documents/documents.js';
import type { BadgeConference } from './badges.js';
import { countryName } from './country-names.js';
import type { DocumentFonts, Pdf, PdfOptions } from './pdf.js';

/** A4 portrait. */
const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const LINE = 15;
const HEADING = 24;

export const participantsListPdfOptions = (
  conference: BadgeConference,
  fonts: DocumentFonts,
): PdfOptions => ({
  size: PAGE,
  margin: MARGIN,
  title: `List of Participants: ${conference.name}`,
  fonts,
});

/**
 * The official List of Participants, drawn as it is read: a title page head, then each delegation under
 * its name, its participants by family name ("FAMILY, Given — organization, country"), one line each,
 * on as many A4 pages as it takes. Call `heading` and `participant` in the list's order, then `end`.
 */
export const participantsListWriter = (pdf: Pdf, conference: BadgeConference) => {
  const width = PAGE[0] - 2 * MARGIN;
  const bottom = PAGE[1] - MARGIN;
  let y = 0;
  let page = 0;
  let delegation: string | undefined;

  const newPage = () => {
    pdf.addPage({ size: PAGE, margin: 0 });
    page += 1;
    pdf
      .fill('#555555')
      .font('regular')
      .fontSize(8)
      .text(`${conference.acronym} · List of Participants · page ${page}`, MARGIN, PAGE[1] - MARGIN / 2, {
        width,
        align: 'right',
        lineBreak: false,
      })
      .fill('#000000');
    y = MARGIN;
  };

  newPage();
  pdf.font('bold').fontSize(18).text('List of Participants', MARGIN, y, { width, lineBreak: false });
  y += 26;
  pdf
    .font('regular')
    .fontSize(11)
    .text(
      `${conference.name} · ${conference.city} · ${conference.startDate} – ${conference.endDate}`,
      MARGIN,
      y,
      {
        width,
        lineBreak: false,
      },
    );
  y += 28;

  const line = (text: string, font: 'regular' | 'bold', size: number, height: number, indent = 0) => {
    if (y + height > bottom) newPage();
    pdf
      .font(font)
      .fontSize(size)
      .text(text, MARGIN + indent, y, { width: width - indent, lineBreak: false, ellipsis: true });
    y += height;
  };

  let count = 0;
  return {
    participant(participant: Participant) {
      if (participant.delegation !== delegation) {
        delegation = participant.delegation;
        // A heading is never the last line of a page.
        if (y + HEADING + LINE > bottom) newPage();
        else y += 6;
        line(delegation === NO_DELEGATION ? 'Other participants' : delegation, 'bold', 13, HEADING - 6);
      }
      const organization = participant.organization ? ` — ${participant.organization}` : '';
      line(
        `${participant.familyName.toUpperCase()}, ${participant.givenName}${organization}, ${countryName(participant.country)}`,
        'regular',
        10,
        LINE,
        12,
      );
      count += 1;
    },
    end() {
      if (count === 0) line('No participant has consented to be listed yet.', 'regular', 11, LINE);
    },
  };
};
