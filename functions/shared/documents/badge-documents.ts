import { type Conference, conferenceNameIn } from '../../../domain/conference/decider.js';
import type { DelegateCategory } from '../../../domain/registration/events.js';
import { ConflictError } from '../../../domain/shared/errors.js';
import type { NameOrder } from '../../../domain/shared/names.js';
import { exportFiles, fitsInline } from '../exports/export-files.js';
import { type HttpRequest, type HttpResponse, pathId, requestBaseUrl } from '../http/http.js';
import { checkInCodeOf } from '../personal-data/check-in-code.js';
import { type Badge, type BadgeConference, badgesPdf } from './badges.js';
import { documentFonts } from './fonts.js';

/** What a badge needs of a registration read back (a list row or one registration's events). */
export interface BadgeHolder {
  registrationId: string;
  status: string;
  givenName: string;
  familyName: string;
  organization?: string | null;
  country: string;
  category: DelegateCategory;
  latinName?: { givenName: string; familyName: string } | null;
  nameOrder?: NameOrder;
}

export const isSeatHolder = (status: string): boolean => status === 'registered' || status === 'checked-in';

/** The badge of a seat holder, with their check-in code (computed now, never stored). */
export const badgeOf = async (holder: BadgeHolder): Promise<Badge> => {
  if (!isSeatHolder(holder.status))
    throw new ConflictError(
      `Registration ${holder.registrationId} holds no seat (status: ${holder.status}): only seat holders have a badge`,
    );
  return {
    registrationId: holder.registrationId,
    givenName: holder.givenName,
    familyName: holder.familyName,
    ...(holder.organization ? { organization: holder.organization } : {}),
    ...(holder.latinName ? { latinName: holder.latinName } : {}),
    ...(holder.nameOrder ? { nameOrder: holder.nameOrder } : {}),
    country: holder.country,
    category: holder.category,
    checkInCode: await checkInCodeOf(holder.registrationId),
  };
};

export const badgeConference = (conference: Conference): BadgeConference => ({
  name: conferenceNameIn(conference),
  acronym: conference.acronym,
  city: conference.city,
  startDate: conference.startDate,
  endDate: conference.endDate,
});

/**
 * A PDF answered through API Gateway: its bytes in base64, which API Gateway decodes for the client. A
 * body whose base64 is over the inline limit (CONTRACT 4.3: 5 MB; the Lambda answer carries the base64,
 * at most 6 MB) is stored for download instead and answered 303 See Other with its link.
 */
export const pdfResponse = async (
  request: HttpRequest,
  pdf: Buffer,
  filename: string,
): Promise<HttpResponse> => {
  const body = pdf.toString('base64');
  if (!fitsInline(body)) {
    const location = await exportFiles().publish(
      {
        name: filename,
        contentType: 'application/pdf',
        body: pdf,
        conferenceId: pathId(request, 'conferenceId'),
      },
      { baseUrl: requestBaseUrl(request) },
    );
    return { status: 303, headers: { location, 'cache-control': 'no-store' } };
  }
  return {
    status: 200,
    body,
    isBase64Encoded: true,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  };
};

export const badgesDocument = (conference: Conference, badges: readonly Badge[]): Promise<Buffer> =>
  badgesPdf(badgeConference(conference), badges, documentFonts());
