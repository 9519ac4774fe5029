import { ConflictError } from '../../domain/shared/errors.js';
import { loadOpenedVisaLetter, visaLetterDocumentOf } from '../shared/commands/visa-letters.js';
import { documentFonts } from '../shared/documents/fonts.js';
import { visaLetterPdf } from '../shared/documents/visa-letter.js';
import { authorizeRegistrationDelegate } from '../shared/http/auth.js';
import { httpRoute, pathId, requestBaseUrl } from '../shared/http/http.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';

// Granted this registration's personal data (infra/definitions): the letter prints the opened request.
usePersonalData();

/**
 * CONTRACT 4.4: the issued letter as a PDF, for the delegate and the organizers. Its verification URL is
 * the address this API was called at: the one a consulate reaches the verification route by.
 */
export const handler = httpRoute('delegate', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const registrationId = pathId(request, 'registrationId');
  const { conference, letter } = await loadOpenedVisaLetter(conferenceId, registrationId, (registration) =>
    authorizeRegistrationDelegate(request.principal, registration),
  );
  if (!letter) throw new ConflictError('No visa letter was requested for this registration: none is issued');
  if (letter.status !== 'issued')
    throw new ConflictError(`The visa letter is not issued: its request is ${letter.status}`);
  const pdf = await visaLetterPdf(
    visaLetterDocumentOf(conference, { ...letter, status: 'issued' }, requestBaseUrl(request)),
    documentFonts(),
  );
  return {
    status: 200,
    body: pdf.toString('base64'),
    isBase64Encoded: true,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="visa-letter-${registrationId}.pdf"`,
      'cache-control': 'private, no-store',
    },
  };
});
