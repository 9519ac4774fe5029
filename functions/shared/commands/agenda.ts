import { type AgendaCommand, agendaDecider } from '../../../domain/agenda/decider.js';
import type { Conference } from '../../../domain/conference/decider.js';
import {
  type AgendaReadModel,
  type AgendaRow,
  agendaReadModelOf,
} from '../../../domain/projections/agenda.js';
import { agendaProjection } from '../projections/projections.js';
import { readModelRows } from '../projections/read-model-rows.js';
import { existingConference, loadConference } from './conference.js';
import { defineCommand } from './pipeline.js';
import { agendaStream, conferenceStream } from './streams.js';

/**
 * A change to a conference's agenda (schedule, reschedule, cancel a session). Of concurrent bookings one
 * appends first; the others find the stream moved on, decide again on the new agenda and so see a clash.
 */
export const changeAgenda = (conferenceId: string, command: (conference: Conference) => AgendaCommand) =>
  defineCommand({
    subject: `The agenda of conference ${conferenceId}`,
    reads: { conference: conferenceStream(conferenceId), agenda: agendaStream(conferenceId) },
    decide: (streams) => {
      const conference = existingConference(streams.conference, conferenceId);
      const events = agendaDecider.decide(command(conference), streams.agenda);
      return { append: [{ to: 'agenda', events }], result: events };
    },
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
