import {
  type AgendaCommand,
  type AgendaState,
  agendaDecider,
  agendaStreamId,
} from '../../../domain/agenda/decider.js';
import type { AgendaEvent } from '../../../domain/agenda/events.js';
import { type AwardsState, awardDecider, awardsStreamId } from '../../../domain/award/decider.js';
import type { AwardEvent } from '../../../domain/award/events.js';
import type { Conference } from '../../../domain/conference/decider.js';
import {
  type AgendaReadModel,
  type AgendaRow,
  agendaReadModelOf,
} from '../../../domain/projections/agenda.js';
import { fold } from '../../../domain/shared/decider.js';
import type { IdempotencyWrite } from '../event-store/event-store.js';
import { eventStore, loadConference } from '../event-store/stores.js';
import { agendaProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { retryOnStreamConflict } from './command.js';

export interface Loaded<State> {
  state: State;
  /** The stream's version: the expected version of the next append. */
  version: number;
}

export const loadAgenda = async (conferenceId: string): Promise<Loaded<AgendaState>> => {
  const events = (await eventStore().load(agendaStreamId(conferenceId))) as AgendaEvent[];
  return { state: fold(agendaDecider, events), version: events.length };
};

export const loadAwards = async (conferenceId: string): Promise<Loaded<AwardsState>> => {
  const events = (await eventStore().load(awardsStreamId(conferenceId))) as AwardEvent[];
  return { state: fold(awardDecider, events), version: events.length };
};

export interface AgendaChange {
  conferenceId: string;
  command: AgendaCommand;
  metadata: { correlationId: string; actor?: string; now: string };
  idempotency?: IdempotencyWrite;
}

/**
 * Load → decide → append on a conference's agenda stream. Of concurrent bookings one appends first; the
 * others find the stream moved on, decide again on the new agenda and so see the clash.
 */
export const changeAgenda = ({ conferenceId, command, metadata, idempotency }: AgendaChange) =>
  retryOnStreamConflict(`The agenda of conference ${conferenceId}`, async () => {
    const { state, version } = await loadAgenda(conferenceId);
    const events = agendaDecider.decide(command, state);
    if (events.length > 0)
      await eventStore().append({
        ...metadata,
        conferenceId,
        streams: [{ streamId: agendaStreamId(conferenceId), expectedVersion: version, events }],
        idempotency,
      });
    return events;
  });

/**
 * The agenda read model of a conference. Until the projection has seen the conference, the conference is
 * read from the event store (404 when there is none), so a new conference shows its empty days at once.
 */
export const readAgenda = async (
  conferenceId: string,
): Promise<AgendaReadModel & { conference: Conference }> => {
  const model = agendaReadModelOf(await readModelRows<AgendaRow>(agendaProjection.name, conferenceId));
  return { ...model, conference: model.conference ?? (await loadConference(conferenceId)) };
};
