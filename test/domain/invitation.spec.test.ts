import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events.js';
import {
  type InvitationCommand,
  invitationDecider,
  invitationRefusal,
  inviteeOf,
  ReminderTooSoonError,
} from '../../domain/invitation/decider.js';
import type { InvitationEvent } from '../../domain/invitation/events.js';
import { registrationDecider } from '../../domain/registration/decider.js';
import { personalDataErased } from '../../domain/registration/events.js';
import { fold } from '../../domain/shared/decider.js';
import { ConflictError, InvalidCommandError, NotFoundError } from '../../domain/shared/errors.js';
import { deciderSpec } from '../support/decider-spec.js';

const given = deciderSpec(invitationDecider);
const sentAt = '2015-06-01T10:00:00.000Z';
const expiresAt = '2015-09-01T00:00:00.000Z';
const later = (hours: number) => new Date(Date.parse(sentAt) + hours * 3_600_000).toISOString();

const send: Extract<InvitationCommand, { type: 'SendInvitation' }> = {
  type: 'SendInvitation',
  invitationId: 'i1',
  conferenceId: 'c1',
  category: 'mayor',
  delegationId: 'd1',
  skipModeration: true,
  expiresAt,
  invitee: { email: 'Mayor@Espoo.fi', givenName: 'Jukka', familyName: 'Mäkelä', language: 'en' },
  emailKey: 'mac-of-mayor',
  now: sentAt,
};

const sent: InvitationEvent = {
  type: 'InvitationSent',
  data: {
    invitationId: 'i1',
    conferenceId: 'c1',
    category: 'mayor',
    delegationId: 'd1',
    skipModeration: true,
    sentAt,
    expiresAt,
    personal: {
      email: 'Mayor@Espoo.fi',
      givenName: 'Jukka',
      familyName: 'Mäkelä',
      language: 'en',
      emailKey: 'mac-of-mayor',
    },
  },
};

const registration = {
  conferenceId: 'c1',
  category: 'mayor' as const,
  emailKey: 'mac-of-mayor',
  now: later(1),
};

describe('invitation decider', () => {
  it('sends an invitation whose personal part holds the address, names and the address MAC', () => {
    given().when(send).then(sent);
    expect(() => validateEvent(sent)).not.toThrow();
  });

  it('refuses an expiry that is not after the sending', () => {
    given()
      .when({ ...send, expiresAt: sentAt })
      .thenThrows(InvalidCommandError, /expire/);
  });

  it('reminds a pending invitation at most once in 24 hours, saying how long to wait', () => {
    given(sent)
      .when({ type: 'RemindInvitation', now: later(1) })
      .then({ type: 'InvitationReminded', data: { invitationId: 'i1', remindedAt: later(1) } });
    const reminded: InvitationEvent = {
      type: 'InvitationReminded',
      data: { invitationId: 'i1', remindedAt: later(1) },
    };
    const error = given(sent, reminded)
      .when({ type: 'RemindInvitation', now: later(2) })
      .thenThrows(ReminderTooSoonError) as ReminderTooSoonError;
    expect(error.retryAfterSeconds).toBe(23 * 3600);
    given(sent, reminded)
      .when({ type: 'RemindInvitation', now: later(25) })
      .then({ type: 'InvitationReminded', data: { invitationId: 'i1', remindedAt: later(25) } });
  });

  it('reminds, revokes and lets decline only a pending invitation', () => {
    const revoked: InvitationEvent = {
      type: 'InvitationRevoked',
      data: { invitationId: 'i1', revokedAt: later(1) },
    };
    given(sent, revoked)
      .when({ type: 'RemindInvitation', now: later(2) })
      .thenThrows(ConflictError, /not pending/);
    given(sent, revoked)
      .when({ type: 'RevokeInvitation', now: later(2) })
      .thenThrows(ConflictError, /not pending/);
    given(sent, revoked)
      .when({ type: 'DeclineInvitation', now: later(2) })
      .thenThrows(NotFoundError);
    given(sent)
      .when({ type: 'DeclineInvitation', now: later(2) })
      .then({ type: 'InvitationDeclined', data: { invitationId: 'i1', declinedAt: later(2) } });
    given()
      .when({ type: 'RevokeInvitation', now: later(2) })
      .thenThrows(NotFoundError);
  });

  it('expires a pending invitation only once its expiresAt passed', () => {
    given(sent)
      .when({ type: 'ExpireInvitation', now: later(1) })
      .then();
    given(sent)
      .when({ type: 'ExpireInvitation', now: expiresAt })
      .then({ type: 'InvitationExpired', data: { invitationId: 'i1', expiredAt: expiresAt } });
    const accepted: InvitationEvent = {
      type: 'InvitationAccepted',
      data: { invitationId: 'i1', registrationId: 'r1', acceptedAt: later(1) },
    };
    given(sent, accepted).when({ type: 'ExpireInvitation', now: expiresAt }).then();
    given(sent)
      .when({ type: 'RemindInvitation', now: expiresAt })
      .thenThrows(ConflictError, /expired/);
  });

  it('accepts a registration of the invited address and category, once', () => {
    const accept = { type: 'AcceptInvitation' as const, registrationId: 'r1', ...registration };
    const accepted: InvitationEvent = {
      type: 'InvitationAccepted',
      data: { invitationId: 'i1', registrationId: 'r1', acceptedAt: registration.now },
    };
    given(sent).when(accept).then(accepted);
    given(sent, accepted)
      .when({ ...accept, registrationId: 'r2' })
      .thenThrows(ConflictError);
    expect(fold(invitationDecider, [sent, accepted])).toMatchObject({
      status: 'accepted',
      registrationId: 'r1',
    });
  });

  it('admits no other address, category, conference, a used, revoked, declined or expired code', () => {
    const state = (...events: InvitationEvent[]) => fold(invitationDecider, [sent, ...events]);
    expect(invitationRefusal(state(), registration)).toBeUndefined();
    expect(invitationRefusal(state(), { ...registration, emailKey: 'mac-of-other' })).toBe('other-address');
    expect(invitationRefusal(state(), { ...registration, category: 'media' })).toBe('other-category');
    expect(invitationRefusal(state(), { ...registration, conferenceId: 'c2' })).toBe('other-conference');
    expect(invitationRefusal(state(), { ...registration, now: expiresAt })).toBe('expired');
    for (const event of [
      { type: 'InvitationRevoked', data: { invitationId: 'i1', revokedAt: later(1) } },
      { type: 'InvitationDeclined', data: { invitationId: 'i1', declinedAt: later(1) } },
      { type: 'InvitationExpired', data: { invitationId: 'i1', expiredAt: later(1) } },
      {
        type: 'InvitationAccepted',
        data: { invitationId: 'i1', registrationId: 'r9', acceptedAt: later(1) },
      },
    ] as InvitationEvent[])
      expect(invitationRefusal(state(event), registration)).toBe('not-pending');
    expect(invitationRefusal(invitationDecider.initialState, registration)).toBe('unknown');
    // Folded from sealed events (no MAC known), nothing is admitted.
    const sealed = { ...sent, data: { ...sent.data, personal: 'pd1.sealed' } } as InvitationEvent;
    expect(invitationRefusal(fold(invitationDecider, [sealed]), registration)).toBe('unreadable');
  });

  it('erases the invitee once (the retention): the address MAC is forgotten and nothing is admitted', () => {
    const erased: InvitationEvent = {
      type: 'InviteePersonalDataErased',
      data: { invitationId: 'i1', erasedAt: later(3), erasedBy: 'retention' },
    };
    given(sent)
      .when({ type: 'EraseInvitee', now: later(3) })
      .then(erased);
    given(sent, erased)
      .when({ type: 'EraseInvitee', now: later(4) })
      .then();
    const state = fold(invitationDecider, [sent, erased]);
    expect(state).not.toHaveProperty('emailKey');
    expect(invitationRefusal(state, registration)).toBe('unreadable');
  });

  it('tells the invitee as the events do, or erased once the key is gone', () => {
    expect(inviteeOf([sent])).toMatchObject({ email: 'Mayor@Espoo.fi', givenName: 'Jukka' });
    const erased = { ...sent, data: { ...sent.data, personal: personalDataErased } } as InvitationEvent;
    expect(inviteeOf([erased])).toBe('erased');
  });
});

describe('a registration made from an invitation', () => {
  it('carries the invitation and its delegation, and its erasure names the invitation', () => {
    const [admitted] = registrationDecider.decide(
      {
        type: 'RegisterDelegate',
        registrationId: 'r1',
        conferenceId: 'c1',
        delegate: {
          givenName: 'Jukka',
          familyName: 'Mäkelä',
          email: 'mayor@espoo.fi',
          country: 'FI',
          city: 'Espoo',
          category: 'mayor',
        },
        emailKey: 'mac-of-mayor',
        manageTokenHash: 'hash',
        seatAvailable: true,
        seatShard: 0,
        invitation: { invitationId: 'i1', delegationId: 'd1' },
        now: later(1),
      },
      registrationDecider.initialState,
    );
    expect(admitted?.data).toMatchObject({ invitationId: 'i1', delegationId: 'd1' });
    const state = fold(registrationDecider, admitted ? [admitted] : []);
    expect(state).toMatchObject({ invitationId: 'i1', delegationId: 'd1' });
    const erased = registrationDecider
      .decide({ type: 'ErasePersonalData', by: 'delegate', now: later(2) }, state)
      .find((event) => event.type === 'PersonalDataErased');
    expect(erased?.data).toMatchObject({ registrationId: 'r1', invitationId: 'i1' });
  });
});
