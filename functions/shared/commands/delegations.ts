import {
  type Delegation,
  type DelegationState,
  delegationDecider,
} from '../../../domain/delegation/decider.js';
import type {
  CredentialsStatus,
  DelegationDetails,
  DelegationEvent,
} from '../../../domain/delegation/events.js';
import {
  DELEGATION_QUOTA_GUARD,
  delegationQuotaGuard,
  delegationQuotaKey,
  placesHeldOf,
} from '../../../domain/delegation/quota.js';
import type { RegistrationState } from '../../../domain/registration/decider.js';
import { InvalidCommandError } from '../../../domain/shared/errors.js';
import { conferenceLanguages } from '../../../domain/shared/languages.js';
import { notFound } from '../http/errors.js';
import { existingConference } from './conference.js';
import { defineCommand, loadStream, newStream } from './pipeline.js';
import { conferenceStream, delegationStream, registrationStream } from './streams.js';

/** A delegation of this conference, or 404 (one of another conference is not found here either). */
export const delegationOf = (
  state: DelegationState,
  conferenceId: string,
  delegationId: string,
): Delegation => {
  if (state.status === 'none' || state.conferenceId !== conferenceId)
    throw notFound(`No delegation ${delegationId} at conference ${conferenceId}`);
  return state;
};

/** Statuses of a registration that make it an active member of its delegation. */
const ACTIVE = new Set(['registered', 'waitlisted', 'checked-in', 'pending']);

/**
 * Whether a registration is an active member of the delegation: it was admitted into it (its admitted
 * event names the delegationId, set from the invitation it was made with) and is not cancelled or erased.
 */
export const isActiveMember = (registration: RegistrationState, delegationId: string): boolean =>
  registration.status !== 'none' &&
  ACTIVE.has(registration.status) &&
  (registration as { delegationId?: string }).delegationId === delegationId;

export interface NewDelegation {
  conferenceId: string;
  delegationId: string;
  details: DelegationDetails;
  now: string;
}

/**
 * Creates a delegation: its stream, and the guard item of its quota (places held 0) in the same
 * transaction. The focal point's language defaults to the conference's default language.
 */
export const createDelegation = ({ conferenceId, delegationId, details, now }: NewDelegation) =>
  defineCommand({
    subject: `The delegation ${delegationId}`,
    reads: {
      conference: conferenceStream(conferenceId),
      delegation: newStream(delegationStream(delegationId)),
    },
    decide: (streams) => {
      const conference = existingConference(streams.conference, conferenceId);
      const { languages, defaultLanguage } = conferenceLanguages(conference);
      const language = details.focalPoint.language ?? defaultLanguage;
      if (!languages.includes(language))
        throw new InvalidCommandError(`The conference does not offer the language ${language}`, [
          { path: 'focalPoint.language', message: `must be one of ${languages.join(', ')}` },
        ]);
      const events = delegationDecider.decide(
        {
          type: 'CreateDelegation',
          delegationId,
          conferenceId,
          details: { ...details, focalPoint: { ...details.focalPoint, language } },
          now,
        },
        streams.delegation,
      );
      return {
        append: [{ to: 'delegation', events }],
        unchanged: ['conference'],
        guards: [delegationQuotaGuard(delegationId, details.quota)],
        result: delegationId,
      };
    },
  });

export interface DelegationSettings {
  conferenceId: string;
  delegationId: string;
  status?: CredentialsStatus;
  quota?: number;
  now: string;
}

/**
 * The organizer's settings of a delegation: the credentials status and the quota. A quota is set on the
 * guard item only while the places held are at most the new quota: refused otherwise (decided again on
 * the item as it is then, so the 409 names the places held at that moment).
 */
export const settleDelegation = ({ conferenceId, delegationId, status, quota, now }: DelegationSettings) =>
  defineCommand({
    subject: `The delegation ${delegationId}`,
    reads: { delegation: delegationStream(delegationId) },
    guardReads: [delegationQuotaKey(delegationId)],
    decide: (streams, guards) => {
      let state = streams.delegation;
      delegationOf(state, conferenceId, delegationId);
      const events: DelegationEvent[] = [];
      if (status !== undefined) {
        const changed = delegationDecider.decide({ type: 'ChangeCredentials', status, now }, state);
        events.push(...changed);
        state = changed.reduce(delegationDecider.evolve, state);
      }
      const quotaChanges =
        quota === undefined || (state.status !== 'none' && state.quota === quota)
          ? []
          : delegationDecider.decide(
              {
                type: 'ChangeQuota',
                quota,
                placesHeld: placesHeldOf(guards.get(delegationQuotaKey(delegationId))),
                now,
              },
              state,
            );
      events.push(...quotaChanges);
      state = quotaChanges.reduce(delegationDecider.evolve, state);
      return {
        append: [{ to: 'delegation', events }],
        guards:
          quotaChanges.length > 0 && quota !== undefined ? [delegationQuotaGuard(delegationId, quota)] : [],
        result: delegationOf(state, conferenceId, delegationId),
      };
    },
    // Places were taken meanwhile: decide again on the item as it is now (409 naming how many).
    guardRefused: (refused) => (refused.includes(DELEGATION_QUOTA_GUARD) ? 'decide-again' : undefined),
  });

/**
 * Names the head of delegation: an active member of it (409 otherwise), still one when the event is
 * written (the registration's stream is checked unchanged in the same transaction).
 */
export const nameHeadOfDelegation = (
  conferenceId: string,
  delegationId: string,
  registrationId: string,
  now: string,
) =>
  defineCommand({
    subject: `The delegation ${delegationId}`,
    reads: { delegation: delegationStream(delegationId), registration: registrationStream(registrationId) },
    decide: (streams) => {
      delegationOf(streams.delegation, conferenceId, delegationId);
      const events = delegationDecider.decide(
        {
          type: 'NameHead',
          registrationId,
          member: isActiveMember(streams.registration, delegationId),
          now,
        },
        streams.delegation,
      );
      return {
        append: [{ to: 'delegation', events }],
        unchanged: ['registration'],
        result: registrationId,
      };
    },
  });

/**
 * Erases the focal point's personal data (the conference's retention): FocalPointPersonalDataErased, whose
 * seal destroys the delegation's data key in the same transaction. Nothing once already erased.
 */
export const eraseFocalPoint = (conferenceId: string, delegationId: string, now: string) =>
  defineCommand({
    subject: `The delegation ${delegationId}`,
    reads: { delegation: delegationStream(delegationId) },
    decide: (streams) => {
      delegationOf(streams.delegation, conferenceId, delegationId);
      const events = delegationDecider.decide({ type: 'EraseFocalPoint', now }, streams.delegation);
      return { append: [{ to: 'delegation', events }], result: { events } };
    },
  });

/** A delegation of the conference as it stands (404 when none). */
export const loadDelegation = async (conferenceId: string, delegationId: string): Promise<Delegation> =>
  delegationOf((await loadStream(delegationStream(delegationId))).state, conferenceId, delegationId);

/** Delegation names by id, as read once per execution environment: a delegation's name never changes. */
const knownNames = new Map<string, string>();

/**
 * The names of these delegations (read from their streams; the ones of another conference or unknown are
 * left out): what the list, the CSV, the public List of Participants and its document show beside the id.
 */
export const delegationNamesOf = async (
  conferenceId: string,
  delegationIds: Iterable<string>,
): Promise<Map<string, string>> => {
  const wanted = [...new Set(delegationIds)];
  await Promise.all(
    wanted
      .filter((id) => !knownNames.has(`${conferenceId}/${id}`))
      .map(async (id) => {
        const { state } = await loadStream(delegationStream(id));
        if (state.status !== 'none' && state.conferenceId === conferenceId)
          knownNames.set(`${conferenceId}/${id}`, state.name);
      }),
  );
  const names = new Map<string, string>();
  for (const id of wanted) {
    const name = knownNames.get(`${conferenceId}/${id}`);
    if (name !== undefined) names.set(id, name);
  }
  return names;
};

/** Rows with their delegation's name beside its id (rows of no delegation as they are). */
export const withDelegationNames = async <
  Row extends { delegationId?: string | null; delegationName?: string | null },
>(
  conferenceId: string,
  rows: Row[],
): Promise<Row[]> => {
  const ids = rows.flatMap((row) => (typeof row.delegationId === 'string' ? [row.delegationId] : []));
  if (ids.length === 0) return rows;
  const names = await delegationNamesOf(conferenceId, ids);
  return rows.map((row) => {
    const name = typeof row.delegationId === 'string' ? names.get(row.delegationId) : undefined;
    return name === undefined ? row : { ...row, delegationName: name };
  });
};
