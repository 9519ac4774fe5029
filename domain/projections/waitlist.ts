import type { EventEnvelope } from '../events.js';
import { type RegistrationStatus, registrationEventTypes } from '../registration/events.js';

/** What the waitlist process needs of each registration: its status and how long it has waited. */
export interface WaitlistRow {
  registrationId: string;
  status: RegistrationStatus;
  registeredAt: string;
  /** When it joined the waitlist, if not when it registered: an approved moderated registration (5.3). */
  waitingSince?: string;
  /** Whether the registration joined the waitlist (and may since have been promoted or cancelled). */
  joinedWaitlist: boolean;
}

export const waitlistEventTypes = [...registrationEventTypes] as const;

/** What the waitlist process hears: its rows' events, and the settings changes that may raise capacity. */
export const waitlistProcessEventTypes = [...waitlistEventTypes, 'ConferenceSettingsChanged'] as const;

export const evolveWaitlistRow = (
  row: WaitlistRow | undefined,
  event: EventEnvelope,
): WaitlistRow | undefined => {
  switch (event.type) {
    case 'DelegateRegistered':
    case 'DelegateWaitlisted':
      return {
        registrationId: event.data.registrationId,
        status: event.type === 'DelegateRegistered' ? 'registered' : 'waitlisted',
        registeredAt: event.data.registeredAt,
        joinedWaitlist: event.type === 'DelegateWaitlisted',
      };
    case 'RegistrationPending':
      return {
        registrationId: event.data.registrationId,
        status: 'pending',
        registeredAt: event.data.registeredAt,
        joinedWaitlist: false,
      };
    // Approved into the waitlist, it waits from its approval on (CONTRACT 5.3: as a new registration would).
    case 'RegistrationApproved':
      return (
        row &&
        (event.data.status === 'waitlisted'
          ? { ...row, status: 'waitlisted', waitingSince: event.data.approvedAt, joinedWaitlist: true }
          : { ...row, status: 'registered' })
      );
    case 'RegistrationRejected':
      return row && { ...row, status: 'rejected' };
    case 'WaitlistedDelegatePromoted':
      return row && { ...row, status: 'registered' };
    case 'DelegateCheckedIn':
      return row && { ...row, status: 'checked-in' };
    case 'RegistrationCancelled':
      return row && row.status !== 'erased' ? { ...row, status: 'cancelled' } : row;
    case 'PersonalDataErased':
      return row && { ...row, status: 'erased' };
    default:
      return row;
  }
};

/** The waiting registrations, longest-waiting first. */
export const waitingInOrder = (rows: readonly WaitlistRow[]): WaitlistRow[] =>
  rows
    .filter((row) => row.status === 'waitlisted')
    .sort(
      (a, b) =>
        waitingFrom(a).localeCompare(waitingFrom(b)) || a.registrationId.localeCompare(b.registrationId),
    );

const waitingFrom = (row: WaitlistRow): string => row.waitingSince ?? row.registeredAt;

/**
 * Whether the rows hold every registration that joined the waitlist, given how many joined as the seat
 * guard counts them. Events of different registrations reach the process in any order, so a seat freed
 * by a cancellation can arrive before the waitlisting of someone who waited longer than everyone known.
 */
export const knowsEveryWaitlisting = (rows: readonly WaitlistRow[], waitlistJoined: number): boolean =>
  rows.filter((row) => row.joinedWaitlist).length >= waitlistJoined;

/**
 * Events after which a seat may be free while someone waits. A settings change naming `capacity` counts
 * whichever way it went: the process gives away only the seats the capacity has now and the guard has free.
 */
export const mayFreeASeat = (event: EventEnvelope): boolean =>
  (event.type === 'RegistrationCancelled' &&
    event.data.previousStatus !== 'waitlisted' &&
    event.data.previousStatus !== 'pending') ||
  event.type === 'DelegateWaitlisted' ||
  (event.type === 'RegistrationApproved' && event.data.status === 'waitlisted') ||
  (event.type === 'ConferenceSettingsChanged' && event.data.capacity !== undefined);
