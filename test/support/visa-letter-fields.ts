import type { VisaLetterRequest } from '../../domain/visa-letter/events.js';

/** A calendar date as an English letter prints it ("September 28, 2015"), by Intl itself. */
export const longDate = (date: string) =>
  new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));

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
  longDate(letter.conference.startDate),
  longDate(letter.conference.endDate),
  letter.request.passportName,
  letter.request.passportNumber,
  letter.nationality,
  longDate(letter.request.dateOfBirth),
  letter.signatory.name,
  letter.signatory.title,
  letter.verificationCode,
];
