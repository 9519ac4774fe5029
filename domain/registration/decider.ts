import type { Decider } from '../shared/decider.js';
import { unreachable } from '../shared/decider.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { Delegate, RegistrationEvent, RegistrationStatus } from './events.js';

export type RegistrationCommand =
  | {
      type: 'RegisterDelegate';
      registrationId: string;
      conferenceId: string;
      delegate: Delegate;
      manageTokenHash: string;
      /** Whether a seat is free; the seat guard written with the events makes the answer hold. */
      seatAvailable: boolean;
      now: string;
    }
  | { type: 'CancelRegistration'; by: 'delegate' | 'organizer'; now: string }
  | { type: 'CheckInDelegate'; now: string }
  | { type: 'PromoteWaitlistedDelegate'; now: string };

export type Registration = Delegate & {
  registrationId: string;
  conferenceId: string;
  status: RegistrationStatus;
  manageTokenHash: string;
  registeredAt: string;
  checkedInAt?: string;
  cancelledAt?: string;
  promotedAt?: string;
};

export type RegistrationState = { status: 'none' } | Registration;

export const registrationStreamId = (registrationId: string) => `registration-${registrationId}`;

const existing = (state: RegistrationState): Registration => {
  if (state.status === 'none') throw new NotFoundError('No such registration');
  return state;
};

export const registrationDecider: Decider<RegistrationCommand, RegistrationEvent, RegistrationState> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterDelegate': {
        if (state.status !== 'none') throw new ConflictError('The registration already exists');
        const data = {
          ...command.delegate,
          registrationId: command.registrationId,
          conferenceId: command.conferenceId,
          manageTokenHash: command.manageTokenHash,
          registeredAt: command.now,
        };
        return [
          command.seatAvailable ? { type: 'DelegateRegistered', data } : { type: 'DelegateWaitlisted', data },
        ];
      }
      case 'CancelRegistration': {
        const registration = existing(state);
        if (registration.status === 'cancelled')
          throw new ConflictError('The registration is already cancelled');
        return [
          {
            type: 'RegistrationCancelled',
            data: {
              registrationId: registration.registrationId,
              cancelledAt: command.now,
              previousStatus: registration.status,
              cancelledBy: command.by,
            },
          },
        ];
      }
      case 'CheckInDelegate': {
        const registration = existing(state);
        if (registration.status === 'checked-in')
          throw new ConflictError('The delegate is already checked in');
        if (registration.status !== 'registered')
          throw new ConflictError(`The delegate is not registered (status: ${registration.status})`);
        return [
          {
            type: 'DelegateCheckedIn',
            data: { registrationId: registration.registrationId, checkedInAt: command.now },
          },
        ];
      }
      case 'PromoteWaitlistedDelegate': {
        const registration = existing(state);
        if (registration.status !== 'waitlisted')
          throw new ConflictError(`The delegate is not waitlisted (status: ${registration.status})`);
        return [
          {
            type: 'WaitlistedDelegatePromoted',
            data: { registrationId: registration.registrationId, promotedAt: command.now },
          },
        ];
      }
      default:
        return unreachable(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DelegateRegistered':
        return { ...event.data, status: 'registered' };
      case 'DelegateWaitlisted':
        return { ...event.data, status: 'waitlisted' };
      case 'WaitlistedDelegatePromoted':
        return { ...existing(state), status: 'registered', promotedAt: event.data.promotedAt };
      case 'RegistrationCancelled':
        return { ...existing(state), status: 'cancelled', cancelledAt: event.data.cancelledAt };
      case 'DelegateCheckedIn':
        return { ...existing(state), status: 'checked-in', checkedInAt: event.data.checkedInAt };
      default:
        return unreachable(event);
    }
  },
};
