import type { VisaLetterRequest } from '../../domain/visa-letter/events.js';

/**
 * What the text of an issued visa letter shows, read back from its PDF: the conference, the passport data
 * as requested (`nationality` as printed, e.g. `Ethiopia (ET)`), the signatory and the verification code.
 */
export const visaLetterFields = (letter: {
  conference: { name: string; venue: string; city: string; startDate: string; endDate: string };
  request: Pick<VisaLetterRequest, 'passportName' | 'passportNumber' | 'dateOfBirth'>;
  nationality: string;
  signatory: { name: string; title: string };
  verificationCode: string;
}): string[] => [
  letter.conference.name,
  letter.conference.venue,
  letter.conference.city,
  letter.conference.startDate,
  letter.conference.endDate,
  letter.request.passportName,
  letter.request.passportNumber,
  letter.nationality,
  letter.request.dateOfBirth,
  letter.signatory.name,
  letter.signatory.title,
  letter.verificationCode,
];
