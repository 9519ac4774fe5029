import {
  type Conference,
  type ConferenceState,
  conferenceDecider,
} from '../../../domain/conference/decider.js';
import type { ConferenceDetails } from '../../../domain/conference/events.js';
import { notFound } from '../http/errors.js';
import { defineCommand, loadStream, newStream } from './pipeline.js';
import { conferenceStream } from './streams.js';

/** The conference of a state read, or 404. */
export const existingConference = (state: ConferenceState, conferenceId: string): Conference => {
  if (state.status === 'none') throw notFound(`No conference ${conferenceId}`);
  const { status: _status, ...conference } = state;
  return conference;
};

/** A conference never changes once created, so each execution environment reads it once. */
export const loadConference = async (conferenceId: string): Promise<Conference> =>
  existingConference((await loadStream(conferenceStream(conferenceId))).state, conferenceId);

export const createConference = (conferenceId: string, details: ConferenceDetails) =>
  defineCommand({
    subject: `Conference ${conferenceId}`,
    reads: { conference: newStream(conferenceStream(conferenceId)) },
    decide: ({ conference }) => ({
      append: [
        {
          to: 'conference',
          events: conferenceDecider.decide({ type: 'CreateConference', conferenceId, details }, conference),
        },
      ],
      result: conferenceId,
    }),
  });
