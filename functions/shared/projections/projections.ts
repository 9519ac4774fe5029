import { createHash } from 'node:crypto';
import { type AgendaRow, agendaEventTypes, evolveAgendaRow } from '../../../domain/projections/agenda.js';
import {
  type DelegateCountsRow,
  delegateCountsChange,
  delegateCountsEventTypes,
  evolveDelegateCountsRow,
} from '../../../domain/projections/delegate-counts.js';
import {
  evolveVisaLettersRow,
  type VisaLettersRow,
  verificationLookupsOf,
  visaLettersEventTypes,
} from '../../../domain/projections/visa-letters.js';
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

/** The key a visa letter is verified by: SHA-256 hex of its code, so the code itself is stored nowhere. */
export const verificationKeyOf = (verificationCode: string): string =>
  createHash('sha256').update(verificationCode, 'utf8').digest('hex');

/** The visa letters' review list and their verification (domain/projections/visa-letters.ts). */
export const visaLettersProjection: StreamProjection<VisaLettersRow> = {
  name: 'visa-letters',
  handles: visaLettersEventTypes,
  evolveRow: evolveVisaLettersRow(verificationKeyOf),
  lookupsOf: verificationLookupsOf,
  opensPersonalData: true,
};

/** Every projection: what `npm run rebuild -- --all` rebuilds. A new projection belongs here. */
export const projections = [
  delegateCountsProjection,
  waitlistProjection,
  agendaProjection,
  visaLettersProjection,
] as const;
