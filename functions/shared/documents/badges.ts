import type { DelegateCategory } from '../../../domain/registration/events.js';
import { countryName } from './country-names.js';
import { type DocumentFonts, drawQrCode, fittingSize, type Pdf, type PdfOptions, renderPdf } from './pdf.js';

export interface Badge {
  registrationId: string;
  givenName: string;
  familyName: string;
  organization?: string;
  country: string;
  category: DelegateCategory;
  checkInCode: string;
}

export interface BadgeConference {
  name: string;
  acronym: string;
  city: string;
  startDate: string;
  endDate: string;
}

const categoryLabels: Record<DelegateCategory, string> = {
  'political-leader': 'Political leader',
  mayor: 'Mayor',
  'education-executive': 'Education executive',
  'civil-society': 'Civil society',
  academic: 'Academic',
  'private-sector': 'Private sector',
  'international-organization': 'International organization',
  media: 'Media',
  other: 'Delegate',
};

/** A6 landscape, the size of common badge holders: one badge per page. */
const PAGE: [number, number] = [419.53, 297.64];
const MARGIN = 22;
const QR_SIZE = 112;

/** One badge, on a page of its own. */
export const drawBadge = (pdf: Pdf, conference: BadgeConference, badge: Badge): void => {
  // No page margin: every position is set here, and text near the edge must not flow onto a new page.
  pdf.addPage({ size: PAGE, margin: 0 });
  const width = PAGE[0] - 2 * MARGIN;
  const textWidth = width - QR_SIZE - 12;
  pdf.rect(0, 0, PAGE[0], 46).fill('#1f4e79');
  pdf
    .fill('#ffffff')
    .font('bold')
    .fontSize(fittingSize(pdf, 'bold', conference.name, width, 12))
    .text(conference.name, MARGIN, 12, { width, lineBreak: false });
  pdf
    .font('regular')
    .fontSize(9)
    .text(
      `${conference.acronym} · ${conference.city} · ${conference.startDate} – ${conference.endDate}`,
      MARGIN,
      29,
      {
        width,
        lineBreak: false,
      },
    );

  pdf.fill('#000000');
  let y = 70;
  const line = (text: string, font: string, max: number, gap: number) => {
    const size = fittingSize(pdf, font, text, textWidth, max);
    pdf.font(font).fontSize(size).text(text, MARGIN, y, { width: textWidth, lineBreak: false });
    y += size + gap;
  };
  line(badge.givenName, 'bold', 30, 6);
  line(badge.familyName, 'bold', 22, 14);
  if (badge.organization) line(badge.organization, 'regular', 13, 6);
  line(countryName(badge.country), 'regular', 13, 6);

  pdf.rect(0, PAGE[1] - 34, PAGE[0], 34).fill('#e8eef5');
  pdf
    .fill('#1f4e79')
    .font('bold')
    .fontSize(14)
    .text(categoryLabels[badge.category].toUpperCase(), MARGIN, PAGE[1] - 24, {
      width: textWidth,
      lineBreak: false,
    });

  const qrX = PAGE[0] - MARGIN - QR_SIZE;
  const qrY = 62;
  drawQrCode(pdf, badge.checkInCode, qrX, qrY, QR_SIZE);
  // The code as text, for a desk without a scanner: one line across the badge, above the category band
  // (a code is `<registrationId>.<tag>`, too long to sit under the QR code legibly).
  pdf
    .fill('#000000')
    .font('regular')
    .fontSize(fittingSize(pdf, 'regular', badge.checkInCode, width, 8, 5))
    .text(badge.checkInCode, MARGIN, PAGE[1] - 34 - 14, { width, align: 'right', lineBreak: false });
};

/** The document the badges are drawn in. */
export const badgesPdfOptions = (conference: BadgeConference, fonts: DocumentFonts): PdfOptions => ({
  size: PAGE,
  margin: MARGIN,
  title: `Badges: ${conference.name}`,
  fonts,
});

/** The one page of a badge document that has no badge. */
export const drawNoBadges = (pdf: Pdf): void => {
  pdf.addPage();
  pdf
    .font('regular')
    .fontSize(14)
    .text('No seat holder matches the filters.', MARGIN, MARGIN * 3);
};

/** Badges of seat holders, one A6 page each, with the check-in code as a QR code and as text. */
export const badgesPdf = (conference: BadgeConference, badges: readonly Badge[], fonts: DocumentFonts) =>
  renderPdf(badgesPdfOptions(conference, fonts), (pdf) => {
    for (const badge of badges) drawBadge(pdf, conference, badge);
    if (badges.length === 0) drawNoBadges(pdf);
  });
