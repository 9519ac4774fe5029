import { describe, expect, it } from 'vitest';
import { conferenceDecider, requiresEmailConfirmation } from '../../domain/conference/decider.js';
import type { ConferenceEvent } from '../../domain/conference/events.js';
import {
  alreadyRegisteredEmail,
  confirmationEmail,
  manageLinkEmail,
} from '../../domain/notifications/registration-request-email.js';
import { registrationDecider } from '../../domain/registration/decider.js';
import type { RegistrationEvent } from '../../domain/registration/events.js';
import { registrationGuards } from '../../domain/registration/invariants.js';
import {
  REQUEST_LIFETIME_SECONDS,
  requestEmailFor,
  requestExpired,
  requestExpiresAt,
} from '../../domain/registration/request.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, GoneError, InvalidCommandError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';
import { delegate, iclc2015 } from './fixtures.js';

/** CONTRACT 5.1: the setting, the decisions of a request, and the manage token a new link replaces. */
const { emailConfirmation: _v1, ...v12 } = iclc2015;
const created = (data: Record<string, unknown>): ConferenceEvent =>
  ({ type: 'ConferenceCreated', data: { conferenceId: 'c1', ...data } }) as ConferenceEvent;

describe('the emailConfirmation setting', () => {
  it('is on for a conference created without it, off when created with false', () => {
    const [on] = conferenceDecider.decide(
      { type: 'CreateConference', conferenceId: 'c1', details: v12 },
      conferenceDecider.initialState,
    );
    expect(on?.data).toMatchObject({ emailConfirmation: true });
    const [off] = conferenceDecider.decide(
      { type: 'CreateConference', conferenceId: 'c1', details: { ...v12, emailConfirmation: false } },
      conferenceDecider.initialState,
    );
    expect(off?.data).toMatchObject({ emailConfirmation: false });
    expect(requiresEmailConfirmation(fold(conferenceDecider, [on as ConferenceEvent]) as never)).toBe(true);
    expect(requiresEmailConfirmation(fold(conferenceDecider, [off as ConferenceEvent]) as never)).toBe(false);
  });

  it('reads false for a conference created before it existed (its ConferenceCreated has no such field)', () => {
    const state = fold(conferenceDecider, [created({ ...v12, personalDataRetentionDays: 365 })]);
    expect(state).toMatchObject({ status: 'created', emailConfirmation: false });
    expect(requiresEmailConfirmation(state as never)).toBe(false);
  });

  it('is changed by the settings, and setting the value it reads already changes nothing', () => {
    const before = [created({ ...v12, personalDataRetentionDays: 365 })];
    deciderSpec(conferenceDecider)(...before)
      .when({
        type: 'ChangeConferenceSettings',
        conferenceId: 'c1',
        change: { emailConfirmation: true },
        now: '2015-01-01T00:00:00.000Z',
      })
      .then({
        type: 'ConferenceSettingsChanged',
        data: { conferenceId: 'c1', changedAt: '2015-01-01T00:00:00.000Z', emailConfirmation: true },
      });
    deciderSpec(conferenceDecider)(...before)
      .when({
        type: 'ChangeConferenceSettings',
        conferenceId: 'c1',
        change: { emailConfirmation: false },
        now: '2015-01-01T00:00:00.000Z',
      })
      .thenThrows(InvalidCommandError, /change nothing/);
  });
});

describe('a registration request', () => {
  it('mails a notice to an address registered already, a confirmation link to any other', () => {
    expect(requestEmailFor(true)).toBe('already-registered');
    expect(requestEmailFor(false)).toBe('confirmation');
  });

  it('is void 24 hours after it was made, and not a second before', () => {
    const made = '2026-01-01T10:00:00.000Z';
    const expiresAt = requestExpiresAt(made);
    expect(expiresAt - Date.parse(made) / 1000).toBe(REQUEST_LIFETIME_SECONDS);
    expect(requestExpired(expiresAt, '2026-01-02T09:59:59.000Z')).toBe(false);
    expect(requestExpired(expiresAt, '2026-01-02T10:00:00.000Z')).toBe(true);
  });

  it('has emails whose notice holds no token, and whose manage link has the token only in the fragment', () => {
    const conference = { conferenceId: 'c1', ...iclc2015 };
    // The notice links the delegate's page without a token: the page offers to email a new link.
    const notice = alreadyRegisteredEmail(
      conference,
      'https://x/conferences/c1/registrations/r1/manage',
      'en',
    );
    expect(notice.paragraphs.join('\n')).not.toMatch(/token=/);
    expect(notice.paragraphs.join('\n')).toContain('https://x/conferences/c1/registrations/r1/manage');
    const confirm = confirmationEmail(
      conference,
      delegate,
      'https://api.example.org/registrations/confirm?token=abc',
      'en',
    );
    expect(confirm.paragraphs.join('\n')).toContain(
      'https://api.example.org/registrations/confirm?token=abc',
    );
    const link = manageLinkEmail(
      conference,
      'r1',
      'https://x/conferences/c1/registrations/r1/manage#token=t',
      'en',
    );
    expect(link.paragraphs.join('\n')).toContain('#token=t');
  });
});

describe('a new manage token', () => {
  const given = deciderSpec(registrationDecider);
  const now = '2026-02-01T10:00:00.000Z';
  const registered: RegistrationEvent = {
    type: 'DelegateRegistered',
    data: {
      registrationId: 'r1',
      conferenceId: 'c1',
      country: delegate.country,
      category: delegate.category,
      registeredAt: '2026-01-01T10:00:00.000Z',
      personal: {
        givenName: delegate.givenName,
        familyName: delegate.familyName,
        email: delegate.email,
        city: delegate.city,
        organization: delegate.organization,
        emailKey: 'mac-of-ana',
        manageTokenHash: 'old-hash',
      },
    },
  };
  const replace = { type: 'ReplaceManageToken' as const, manageTokenHash: 'new-hash', now };
  const replaced: RegistrationEvent = {
    type: 'ManageTokenReplaced',
    data: { registrationId: 'r1', replacedAt: now, personal: { manageTokenHash: 'new-hash' } },
  };

  it('replaces the hash the delegate is checked against, and needs no guard', () => {
    given(registered).when(replace).then(replaced);
    const state = fold(registrationDecider, [registered, replaced]);
    expect(state).toMatchObject({ status: 'registered', secrets: { manageTokenHash: 'new-hash' } });
    expect(registrationGuards(state as never, undefined, [replaced])).toEqual([]);
  });

  it('read sealed, keeps no secret rather than the replaced one', () => {
    const sealed = { ...replaced, data: { ...replaced.data, personal: 'sealed' } } as RegistrationEvent;
    expect(fold(registrationDecider, [registered, sealed])).not.toHaveProperty('secrets');
  });

  it('is refused to a cancelled registration (409) and an erased one (410)', () => {
    const cancelled: RegistrationEvent = {
      type: 'RegistrationCancelled',
      data: { registrationId: 'r1', cancelledAt: now, previousStatus: 'registered', cancelledBy: 'delegate' },
    };
    given(registered, cancelled).when(replace).thenThrows(ConflictError);
    given(registered, cancelled, {
      type: 'PersonalDataErased',
      data: { registrationId: 'r1', erasedAt: now, erasedBy: 'delegate' },
    })
      .when(replace)
      .thenThrows(GoneError);
  });
});
