import type { EventEnvelope } from '../events.js';
import { isOpenedPersonal, type PersonalPart } from '../registration/events.js';
import type { VisaLetterStatus } from '../visa-letter/decider.js';
import { visaLetterEventTypes } from '../visa-letter/events.js';

/**
 * The visa letters of a conference for the organizer's review list (CONTRACT section 4.4) and the
 * consulates' verification, as two kinds of per-stream rows of one projection: the registration stream's
 * row holds the delegate's names, the visa-letter stream's row the letter. The list joins them by
 * registration id; an erasure takes both away (the registration's row with its PersonalDataErased, the
 * letter's row when the runner closes it; every event of an erased registration also opens as erased).
 */

/** The names a letter is listed under, from the registration's own events. */
export interface VisaDelegateRow {
  kind: 'delegate';
  registrationId: string;
  givenName: string;
  familyName: string;
}

/** What a letter says and where it is in its life cycle. */
export interface VisaLetterRow {
  kind: 'letter';
  registrationId: string;
  conferenceId: string;
  status: VisaLetterStatus;
  requestedAt: string;
  decidedAt?: string;
  passportName: string;
  nationality: string;
  passportNumberLast4: string;
  issuedAt?: string;
  /** SHA-256 hex of the verification code once issued: the key it is verified by (the code itself is kept nowhere). */
  verificationKey?: string;
}

export type VisaLettersRow = VisaDelegateRow | VisaLetterRow;

/** The statuses `?status=` may name. */
export const visaLetterStatuses = [
  'requested',
  'issued',
  'declined',
] as const satisfies readonly VisaLetterStatus[];

/** Events whose personal part may carry a given or family name (DelegateDetailsChanged: only the changed ones). */
const delegateNameEvents = [
  'DelegateRegistered',
  'DelegateWaitlisted',
  'RegistrationPending',
  'DelegateDetailsChanged',
] as const;

export const visaLettersEventTypes = [
  ...delegateNameEvents,
  'PersonalDataErased',
  ...visaLetterEventTypes,
] as const;

/** A passport number as a consulate is shown it: its last four characters. */
export const lastFourOf = (passportNumber: string): string => passportNumber.slice(-4);

type Opened = Record<string, unknown>;

/** The opened personal part of an event, or undefined when it is sealed or erased. */
const openedPart = (event: EventEnvelope): Opened | undefined => {
  const personal = (event.data as { personal?: PersonalPart }).personal;
  return personal !== undefined && isOpenedPersonal(personal) ? (personal as Opened) : undefined;
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * One step of a row, given how a verification code becomes its key (SHA-256 hex, computed outside the
 * pure domain). An event whose personal part is erased (or still sealed: never given to this projection)
 * leaves no row: nothing of an erased registration is kept.
 */
export const evolveVisaLettersRow =
  (verificationKeyOf: (verificationCode: string) => string) =>
  (row: VisaLettersRow | undefined, event: EventEnvelope): VisaLettersRow | undefined => {
    const type = event.type as string;
    if (type === 'PersonalDataErased') return undefined;
    if ((delegateNameEvents as readonly string[]).includes(type)) {
      const personal = openedPart(event);
      if (!personal) return undefined;
      const registrationId = String((event.data as { registrationId: string }).registrationId);
      const before = row?.kind === 'delegate' ? row : undefined;
      const givenName = text(personal.givenName) ?? before?.givenName;
      const familyName = text(personal.familyName) ?? before?.familyName;
      if (givenName === undefined || familyName === undefined) return row;
      return { kind: 'delegate', registrationId, givenName, familyName };
    }
    switch (event.type) {
      case 'VisaLetterRequested': {
        const personal = openedPart(event);
        if (!personal) return undefined;
        return {
          kind: 'letter',
          registrationId: event.data.registrationId,
          conferenceId: event.conferenceId,
          status: 'requested',
          requestedAt: event.data.requestedAt,
          passportName: String(personal.passportName),
          nationality: String(personal.nationality),
          passportNumberLast4: lastFourOf(String(personal.passportNumber)),
        };
      }
      case 'VisaLetterIssued': {
        const personal = openedPart(event);
        if (!personal || row?.kind !== 'letter') return undefined;
        return {
          ...row,
          status: 'issued',
          decidedAt: event.data.issuedAt,
          issuedAt: event.data.issuedAt,
          verificationKey: verificationKeyOf(String(personal.verificationCode)),
        };
      }
      case 'VisaLetterDeclined': {
        if (!openedPart(event) || row?.kind !== 'letter') return undefined;
        return { ...row, status: 'declined', decidedAt: event.data.declinedAt };
      }
      default:
        return row;
    }
  };

/** The lookup key of a letter by its verification key (SHA-256 hex of the code). */
export const verificationLookup = (verificationKey: string): string => `verification#${verificationKey}`;

/** The lookup keys of a row: an issued letter is found by its verification key. */
export const verificationLookupsOf = (row: VisaLettersRow | null | undefined): string[] =>
  row?.kind === 'letter' && row.status === 'issued' && row.verificationKey
    ? [verificationLookup(row.verificationKey)]
    : [];

/** One entry of `GET .../visa-letters`. */
export interface VisaLetterListEntry {
  registrationId: string;
  givenName: string;
  familyName: string;
  nationality: string;
  status: VisaLetterStatus;
  requestedAt: string;
  decidedAt?: string;
}

/**
 * The review list: every letter of the given statuses whose delegate is known (a letter whose
 * registration row is gone was erased), oldest request first.
 */
export const visaLetterList = (
  letters: readonly VisaLetterRow[],
  delegates: ReadonlyMap<string, VisaDelegateRow>,
  statuses: readonly VisaLetterStatus[],
): VisaLetterListEntry[] =>
  letters
    .filter((letter) => statuses.includes(letter.status))
    .flatMap((letter) => {
      const delegate = delegates.get(letter.registrationId);
      if (!delegate) return [];
      return [
        {
          registrationId: letter.registrationId,
          givenName: delegate.givenName,
          familyName: delegate.familyName,
          nationality: letter.nationality,
          status: letter.status,
          requestedAt: letter.requestedAt,
          ...(letter.decidedAt ? { decidedAt: letter.decidedAt } : {}),
        },
      ];
    })
    .sort(
      (a, b) =>
        a.requestedAt.localeCompare(b.requestedAt) || a.registrationId.localeCompare(b.registrationId),
    );

/** `?status=` parsed: comma-separated statuses; absent means every status. */
export const parseStatusFilter = (
  value: string | undefined,
): { statuses: VisaLetterStatus[] } | { unknown: string[] } => {
  if (value === undefined) return { statuses: [...visaLetterStatuses] };
  const named = value.split(',').map((part) => part.trim());
  const unknown = named.filter((part) => !(visaLetterStatuses as readonly string[]).includes(part));
  if (unknown.length > 0) return { unknown };
  return { statuses: [...new Set(named)] as VisaLetterStatus[] };
};

/** What `GET /visa-letters/{verificationCode}` tells a consulate. */
export interface VerificationAnswer {
  valid: true;
  conference: { name: string; city: string; country: string; startDate: string; endDate: string };
  passportName: string;
  nationality: string;
  passportNumberLast4: string;
  issuedAt: string;
}

export const verificationAnswer = (
  letter: VisaLetterRow,
  conference: VerificationAnswer['conference'],
): VerificationAnswer | undefined =>
  letter.status === 'issued' && letter.issuedAt
    ? {
        valid: true,
        conference: {
          name: conference.name,
          city: conference.city,
          country: conference.country,
          startDate: conference.startDate,
          endDate: conference.endDate,
        },
        passportName: letter.passportName,
        nationality: letter.nationality,
        passportNumberLast4: letter.passportNumberLast4,
        issuedAt: letter.issuedAt,
      }
    : undefined;
