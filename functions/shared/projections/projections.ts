import { type AgendaRow, agendaEventTypes, evolveAgendaRow } from '../../../domain/projections/agenda.js';
import {
  type DelegateCountsRow,
  delegateCountsChange,
  delegateCountsEventTypes,
  evolveDelegateCountsRow,
} from '../../../domain/projections/delegate-counts.js';
import {
  evolveWaitlistRow,
  type WaitlistRow,
  waitlistEventTypes,
} from '../../../domain/projections/waitlist.js';
import type { StreamProjection } from './projection-runner.js';

export const delegateCountsProjection: StreamProjection<DelegateCountsRow> = {
  name: 'delegate-counts',
  handles: delegateCountsEventTypes,
  evolveRow: evolveDelegateCountsRow,
  summaryChange: delegateCountsChange,
  tracksAsOf: true,
};

export const waitlistProjection: StreamProjection<WaitlistRow> = {
  name: 'waitlist',
  handles: waitlistEventTypes,
  evolveRow: evolveWaitlistRow,
};

export const agendaProjection: StreamProjection<AgendaRow> = {
  name: 'agenda',
  handles: agendaEventTypes,
  evolveRow: evolveAgendaRow,
};

/** Every projection: what `npm run rebuild -- --all` rebuilds. A new projection belongs here. */
export const projections = [delegateCountsProjection, waitlistProjection, agendaProjection] as const;
