import { type Decider, unreachable } from '../shared/decider.js';
import { ConflictError, InvalidCommandError } from '../shared/errors.js';
import type { Signatory, VisaLetterEvent, VisaLetterRequest } from './events.js';

/** Oldest plausible age of a delegate: a date of birth further back is a typing error. */
export const OLDEST_PLAUSIBLE_AGE_YEARS = 120;

/** What the letter depends on, read from the registration and the conference streams. */
export interface VisaLetterContext {
  /** Registered or checked in: only a delegate holding a seat is invited. */
  seatHolder: boolean;
  conferenceEndDate: string;
  signatory?: Signatory;
}

export type VisaLetterCommand =
  | {
      type: 'RequestVisaLetter';
      registrationId: string;
      request: VisaLetterRequest;
      context: VisaLetterContext;
      now: string;
    }
  | {
      type: 'IssueVisaLetter';
      context: VisaLetterContext;
      /** Made by the caller from a secure random source; the decider only records it. */
      verificationCode: string;
      now: string;
    }
  | { type: 'DeclineVisaLetter'; reason: string; now: string };

export type VisaLetterStatus = 'requested' | 'issued' | 'declined';

/**
 * The letter's life cycle as its decisions need it. It holds no personal data (the passport data, the
 * verification code and the reason stay in the events' sealed parts), so its snapshot may be stored.
 */
export interface VisaLetter {
  registrationId: string;
  status: VisaLetterStatus;
  requestedAt: string;
  decidedAt?: string;
}

export type VisaLetterState = { status: 'none' } | VisaLetter;

/** One letter per registration, replaced by a new request until it is issued. */
export const visaLetterStreamId = (registrationId: string) => `visa-letter-${registrationId}`;

const dateOf = (instant: string) => instant.slice(0, 10);

const yearsBefore = (date: string, years: number): string =>
  `${String(Number(date.slice(0, 4)) - years).padStart(4, '0')}${date.slice(4)}`;

const requestViolations = (
  request: VisaLetterRequest,
  context: VisaLetterContext,
  today: string,
): { path: string; message: string }[] => {
  const errors: { path: string; message: string }[] = [];
  if (request.passportExpiresOn < context.conferenceEndDate)
    errors.push({
      path: 'passportExpiresOn',
      message: `the passport must be valid through the conference's last day, ${context.conferenceEndDate}`,
    });
  if (request.dateOfBirth >= today) errors.push({ path: 'dateOfBirth', message: 'must be in the past' });
  else if (request.dateOfBirth < yearsBefore(today, OLDEST_PLAUSIBLE_AGE_YEARS))
    errors.push({
      path: 'dateOfBirth',
      message: `must be less than ${OLDEST_PLAUSIBLE_AGE_YEARS} years ago`,
    });
  return errors;
};

const requested = (state: VisaLetterState, action: string): VisaLetter => {
  if (state.status === 'none') throw new ConflictError(`No visa letter was requested: nothing to ${action}`);
  if (state.status === 'issued')
    throw new ConflictError(`The visa letter was already issued on ${state.decidedAt}`);
  if (state.status === 'declined')
    throw new ConflictError(`The visa letter request was declined on ${state.decidedAt}`);
  return state;
};

export const visaLetterDecider: Decider<VisaLetterCommand, VisaLetterEvent, VisaLetterState> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'RequestVisaLetter': {
        if (!command.context.seatHolder)
          throw new ConflictError(
            'Only a delegate holding a seat can be invited: this registration holds none',
          );
        if (state.status === 'issued')
          throw new ConflictError(`The visa letter was already issued on ${state.decidedAt}`);
        const errors = requestViolations(command.request, command.context, dateOf(command.now));
        if (errors.length > 0) throw new InvalidCommandError('The visa letter request is not valid', errors);
        return [
          {
            type: 'VisaLetterRequested',
            data: {
              registrationId: command.registrationId,
              requestedAt: command.now,
              personal: command.request,
            },
          },
        ];
      }
      case 'IssueVisaLetter': {
        const letter = requested(state, 'issue');
        if (!command.context.signatory)
          throw new ConflictError('The conference has no visaLetterSignatory: set one in its settings first');
        if (!command.context.seatHolder)
          throw new ConflictError('The delegate no longer holds a seat: the letter cannot be issued');
        return [
          {
            type: 'VisaLetterIssued',
            data: {
              registrationId: letter.registrationId,
              issuedAt: command.now,
              signatory: command.context.signatory,
              personal: { verificationCode: command.verificationCode },
            },
          },
        ];
      }
      case 'DeclineVisaLetter': {
        const letter = requested(state, 'decline');
        if (command.reason.trim() === '')
          throw new InvalidCommandError('A reason is needed to decline', [
            { path: 'reason', message: 'must not be empty' },
          ]);
        return [
          {
            type: 'VisaLetterDeclined',
            data: {
              registrationId: letter.registrationId,
              declinedAt: command.now,
              personal: { reason: command.reason },
            },
          },
        ];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'VisaLetterRequested':
        return {
          registrationId: event.data.registrationId,
          requestedAt: event.data.requestedAt,
          status: 'requested',
        };
      case 'VisaLetterIssued':
        if (state.status === 'none') return state;
        return { ...state, status: 'issued', decidedAt: event.data.issuedAt };
      case 'VisaLetterDeclined':
        if (state.status === 'none') return state;
        return { ...state, status: 'declined', decidedAt: event.data.declinedAt };
      default:
        return unreachable(event);
    }
  },
};
