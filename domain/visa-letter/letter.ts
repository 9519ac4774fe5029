import { type PersonalDataErasedMarker, personalDataErased } from '../registration/events.js';
import type { Signatory, VisaLetterEvent, VisaLetterRequest } from './events.js';

/** A visa letter as its events tell it, read opened: what the letter, its emails and its review show. */
export interface OpenedVisaLetter {
  registrationId: string;
  status: 'requested' | 'issued' | 'declined';
  request: VisaLetterRequest;
  requestedAt: string;
  decidedAt?: string;
  signatory?: Signatory;
  verificationCode?: string;
  declineReason?: string;
}

const isErased = (part: unknown): part is PersonalDataErasedMarker =>
  typeof part === 'object' && part !== null && 'unavailable' in part;

const opened = <Part>(part: string | PersonalDataErasedMarker | Part, eventType: string): Part => {
  if (typeof part === 'string') throw new Error(`${eventType} was read without opening its personal part`);
  return part as Part;
};

/**
 * The letter of a registration's visa letter events read opened (the latest request and the decision on
 * it), `undefined` when none was requested, or the erased marker once the registration's data key is gone.
 * Events read sealed are a programming error: only a reader granted the data key can tell the letter.
 */
export const openedVisaLetterOf = (
  events: readonly VisaLetterEvent[],
): OpenedVisaLetter | PersonalDataErasedMarker | undefined => {
  let letter: OpenedVisaLetter | undefined;
  for (const event of events) {
    if (isErased(event.data.personal)) return personalDataErased;
    switch (event.type) {
      case 'VisaLetterRequested':
        letter = {
          registrationId: event.data.registrationId,
          status: 'requested',
          request: opened(event.data.personal, event.type),
          requestedAt: event.data.requestedAt,
        };
        break;
      case 'VisaLetterIssued':
        if (!letter) break;
        letter = {
          ...letter,
          status: 'issued',
          decidedAt: event.data.issuedAt,
          signatory: event.data.signatory,
          verificationCode: opened(event.data.personal, event.type).verificationCode,
        };
        break;
      case 'VisaLetterDeclined':
        if (!letter) break;
        letter = {
          ...letter,
          status: 'declined',
          decidedAt: event.data.declinedAt,
          declineReason: opened(event.data.personal, event.type).reason,
        };
        break;
    }
  }
  return letter;
};
