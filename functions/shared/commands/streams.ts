import type * as z from 'zod';
import { type SessionState, sessionDecider, sessionStreamId } from '../../../domain/agenda/decider.js';
import { type AgendaEvent, agendaEventTypes } from '../../../domain/agenda/events.js';
import { sessionStateSchema } from '../../../domain/agenda/state.js';
import { type AwardsState, awardDecider, awardsStreamId } from '../../../domain/award/decider.js';
import { type AwardEvent, awardEventTypes } from '../../../domain/award/events.js';
import { awardsStateSchema } from '../../../domain/award/state.js';
import {
  type ConferenceState,
  conferenceDecider,
  conferenceStreamId,
} from '../../../domain/conference/decider.js';
import { type ConferenceEvent, conferenceEventTypes } from '../../../domain/conference/events.js';
import { conferenceStateSchema } from '../../../domain/conference/state.js';
import {
  type DelegationState,
  delegationDecider,
  delegationStreamId,
} from '../../../domain/delegation/decider.js';
import { type DelegationEvent, delegationEventTypes } from '../../../domain/delegation/events.js';
import { delegationStateSchema } from '../../../domain/delegation/state.js';
import { type DomainEvent, type EventEnvelope, isEventOf } from '../../../domain/events.js';
import {
  type InvitationState,
  invitationDecider,
  invitationStreamId,
} from '../../../domain/invitation/decider.js';
import { type InvitationEvent, invitationEventTypes } from '../../../domain/invitation/events.js';
import { invitationStateSchema } from '../../../domain/invitation/state.js';
import {
  type RegistrationState,
  registrationDecider,
  registrationStreamId,
} from '../../../domain/registration/decider.js';
import { type RegistrationEvent, registrationEventTypes } from '../../../domain/registration/events.js';
import { registrationStateSchema } from '../../../domain/registration/state.js';
import {
  type VisaLetterState,
  visaLetterDecider,
  visaLetterStreamId,
} from '../../../domain/visa-letter/decider.js';
import { type VisaLetterEvent, visaLetterEventTypes } from '../../../domain/visa-letter/events.js';
import { visaLetterStateSchema } from '../../../domain/visa-letter/state.js';

/** What the pipeline needs to know of one kind of stream: how to fold it and how its snapshot looks. */
export interface StreamType<State, Event extends DomainEvent> {
  /** The snapshot's format; a new name (e.g. `.v2`) when the state changes shape makes old ones refold. */
  snapshot: string;
  stateSchema: z.ZodType<State>;
  initialState: State;
  evolve(state: State, event: Event): State;
  /** Whether an event read from the store belongs to this kind of stream (it is checked, never cast). */
  isEvent(envelope: EventEnvelope): envelope is EventEnvelope & Event;
  /** Its events carry personal parts (CONTRACT section 4.1), which its state keeps only as secrets. */
  personalData?: boolean;
}

/** One stream a command reads: its kind and its id. */
export interface StreamRef<State, Event extends DomainEvent> {
  type: StreamType<State, Event>;
  streamId: string;
}

export const conferenceStreamType: StreamType<ConferenceState, ConferenceEvent> = {
  snapshot: 'conference.v1',
  stateSchema: conferenceStateSchema,
  initialState: conferenceDecider.initialState,
  evolve: conferenceDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...conferenceEventTypes),
};

export const registrationStreamType: StreamType<RegistrationState, RegistrationEvent> = {
  // v2: no personal fields in the state, the email guard's HMAC and the manage token's hash as secrets.
  snapshot: 'registration.v2',
  stateSchema: registrationStateSchema,
  initialState: registrationDecider.initialState,
  evolve: registrationDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...registrationEventTypes),
  personalData: true,
};

/** One session's stream (its clashes with others are held by occupancy guards, not by its state). */
export const sessionStreamType: StreamType<SessionState, AgendaEvent> = {
  snapshot: 'session.v1',
  stateSchema: sessionStateSchema,
  initialState: sessionDecider.initialState,
  evolve: sessionDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...agendaEventTypes),
};

export const awardsStreamType: StreamType<AwardsState, AwardEvent> = {
  snapshot: 'awards.v1',
  stateSchema: awardsStateSchema,
  initialState: awardDecider.initialState,
  evolve: awardDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...awardEventTypes),
};

/**
 * A registration's visa letter. Its state holds no personal data, so it folds from sealed events: only
 * the writes (sealing) and the letter's readers need the registration's data key.
 */
export const visaLetterStreamType: StreamType<VisaLetterState, VisaLetterEvent> = {
  snapshot: 'visa-letter.v1',
  stateSchema: visaLetterStateSchema,
  initialState: visaLetterDecider.initialState,
  evolve: visaLetterDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...visaLetterEventTypes),
};

export const conferenceStream = (conferenceId: string) => ({
  type: conferenceStreamType,
  streamId: conferenceStreamId(conferenceId),
});
export const registrationStream = (registrationId: string) => ({
  type: registrationStreamType,
  streamId: registrationStreamId(registrationId),
});
export const sessionStream = (sessionId: string) => ({
  type: sessionStreamType,
  streamId: sessionStreamId(sessionId),
});
export const awardsStream = (conferenceId: string) => ({
  type: awardsStreamType,
  streamId: awardsStreamId(conferenceId),
});
export const visaLetterStream = (registrationId: string) => ({
  type: visaLetterStreamType,
  streamId: visaLetterStreamId(registrationId),
});

/** A delegation (CONTRACT 5.3). Its state holds no personal data: the focal point stays sealed in its event. */
export const delegationStreamType: StreamType<DelegationState, DelegationEvent> = {
  snapshot: 'delegation.v1',
  stateSchema: delegationStateSchema,
  initialState: delegationDecider.initialState,
  evolve: delegationDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...delegationEventTypes),
};

export const delegationStream = (delegationId: string) => ({
  type: delegationStreamType,
  streamId: delegationStreamId(delegationId),
});

/**
 * An invitation (CONTRACT 5.3). Its first event's personal part is sealed under the invitation's own data
 * key; folded opened, its state keeps the address's MAC, which a registration's MAC is compared with.
 */
export const invitationStreamType: StreamType<InvitationState, InvitationEvent> = {
  snapshot: 'invitation.v1',
  stateSchema: invitationStateSchema,
  initialState: invitationDecider.initialState,
  evolve: invitationDecider.evolve,
  isEvent: (envelope) => isEventOf(envelope, ...invitationEventTypes),
  personalData: true,
};

export const invitationStream = (invitationId: string) => ({
  type: invitationStreamType,
  streamId: invitationStreamId(invitationId),
});
