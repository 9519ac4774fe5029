import type { DelegateCategory } from '../../../domain/registration/events.js';
import { fullName, type NameOrder, nameOrderOf } from '../../../domain/shared/names.js';
import { countryName } from './country-names.js';
import {
  type DocumentFonts,
  drawQrCode,
  fittingSize,
  fontsOf,
  type Pdf,
  type PdfOptions,
  renderPdf,
} from './pdf.js';
import { drawFittedText, drawLine, fittingLineSize, scriptLine } from './script-text.js';

export interface Badge {
  registrationId: string;
  givenName: string;
  familyName: string;
  /** The name as in the passport, in Latin letters: printed under the name when given. */
  latinName?: { givenName: string; familyName: string };
  nameOrder?: NameOrder;
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
  pdf.fill('#ffffff');
  drawFittedText(pdf, conference.name, 'bold', MARGIN, 12, { width, max: 12 });
  drawFittedText(
    pdf,
    `${conference.acronym} · ${conference.city} · ${conference.startDate} – ${conference.endDate}`,
    'regular',
    MARGIN,
    29,
    { width, max: 9, align: 'left' },
  );

  pdf.fill('#000000');
  let y = 70;
  const line = (text: string, weight: 'regular' | 'bold', max: number, gap: number) => {
    const size = drawFittedText(pdf, text, weight, MARGIN, y, { width: textWidth, max });
    y += size + gap;
  };
  // The name in its own script and order ("李明", "Ana Pérez"), the Latin name under it when given. A name
  // with a character no shipped font has is replaced by its Latin name; without one, U+FFFD marks it.
  const order = nameOrderOf(badge);
  const latin = badge.latinName ? fullName({ ...badge.latinName, nameOrder: order }) : undefined;
  const name = scriptLine(fullName(badge), 'bold', fontsOf(pdf));
  const printed = name.covered || !latin ? name : scriptLine(latin, 'bold', fontsOf(pdf));
  const nameSize = fittingLineSize(pdf, printed, textWidth, 28);
  drawLine(pdf, printed, MARGIN, y, { size: nameSize, width: textWidth });
  y += nameSize + 6;
  if (latin && printed === name && latin !== fullName(badge)) line(latin, 'regular', 16, 12);
  else y += 8;
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
