import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../domain/events.js';
import {
  type AgendaRow,
  agendaReadModelOf,
  evolveAgendaRow,
  toAgenda,
} from '../../domain/projections/agenda.js';
import { agendaHistory, conference } from './agenda-history.js';

/** A projection row as the runner keeps it: the state and the version applied (the checkpoint). */
interface StoredRow {
  version: number;
  state: AgendaRow | undefined;
}

/**
 * The projection runner's rule in pure form: an event at or before the row's checkpoint is skipped; one
 * past a gap first applies the missing events, read from the store (here: the history in order).
 */
const deliver = (rows: Map<string, StoredRow>, event: EventEnvelope, history: readonly EventEnvelope[]) => {
  const row = rows.get(event.streamId) ?? { version: 0, state: undefined };
  if (event.version <= row.version) return;
  const missing = history.filter(
    (stored) =>
      stored.streamId === event.streamId && stored.version > row.version && stored.version <= event.version,
  );
  rows.set(event.streamId, { version: event.version, state: missing.reduce(evolveAgendaRow, row.state) });
};

const agendaAfter = (deliveries: readonly EventEnvelope[], history: readonly EventEnvelope[]) => {
  const rows = new Map<string, StoredRow>();
  for (const event of deliveries) deliver(rows, event, history);
  const states = [...rows.values()].flatMap((row) => (row.state ? [row.state] : []));
  return toAgenda(conference, agendaReadModelOf(states));
};

describe('Agenda projection', () => {
  const history = agendaHistory();

  it('shows every conference day, sessions by start then room, cancelled ones listed', () => {
    const agenda = agendaAfter(history, history);
    expect(agenda.conferenceId).toBe('c1');
    expect(agenda.timezone).toBe('America/Mexico_City');
    expect(agenda.days.map((day) => day.date)).toEqual(['2015-09-28', '2015-09-29', '2015-09-30']);
    const [first, second, third] = agenda.days;
    expect(first?.sessions.map((s) => [s.start, s.room, s.sessionId, s.status])).toEqual([
      ['09:00', 'Sala Manuel M. Ponce', 'workshop', 'scheduled'],
      ['09:00', 'Sala Principal', 'opening', 'scheduled'],
      ['11:00', 'Sala Principal', 'panel', 'cancelled'],
      ['11:00', 'Sala Principal', 'replacement', 'scheduled'],
    ]);
    expect(second?.sessions.map((s) => s.sessionId)).toEqual(['ceremony']);
    expect(third?.sessions).toEqual([]);
  });

  it('shows a session as the API does: null track when absent, speakers, awards presented in it', () => {
    const agenda = agendaAfter(history, history);
    const ceremony = agenda.days[1]?.sessions[0];
    expect(ceremony).toEqual({
      sessionId: 'ceremony',
      title: 'UNESCO Learning City Award ceremony',
      type: 'ceremony',
      start: '15:00',
      end: '16:30',
      room: 'Sala Principal',
      track: null,
      speakers: [{ name: 'Irina Bokova', affiliation: 'UNESCO' }],
      status: 'scheduled',
      awards: [
        { awardId: 'a1', award: 'UNESCO Learning City Award', year: 2015, city: 'Melton', country: 'AU' },
        { awardId: 'a2', award: 'UNESCO Learning City Award', year: 2015, city: 'Sorocaba', country: 'BR' },
      ],
    });
    expect(agenda.days[0]?.sessions[1]).toMatchObject({ track: 'Policy', awards: [] });
  });

  it('keeps the reschedule count and the new slot of a rescheduled session', () => {
    const rows = new Map<string, StoredRow>();
    for (const event of history) deliver(rows, event, history);
    const agendaRow = rows.get('agenda-c1')?.state;
    expect(agendaRow?.kind).toBe('agenda');
    const ceremony =
      agendaRow?.kind === 'agenda' ? agendaRow.sessions.find((s) => s.sessionId === 'ceremony') : undefined;
    expect(ceremony).toMatchObject({ sequence: 2, date: '2015-09-29', start: '15:00', status: 'scheduled' });
  });

  it('an agenda the projection has not seen has every day and no session', () => {
    expect(toAgenda(conference, agendaReadModelOf([])).days).toEqual([
      { date: '2015-09-28', sessions: [] },
      { date: '2015-09-29', sessions: [] },
      { date: '2015-09-30', sessions: [] },
    ]);
  });

  it('gives the same agenda when every event comes three times, in any order', () => {
    const inOrder = agendaAfter(history, history);
    const thrice = [...history, ...history, ...history];
    fc.assert(
      fc.property(fc.shuffledSubarray(thrice, { minLength: thrice.length }), (deliveries) => {
        expect(agendaAfter(deliveries, history)).toEqual(inOrder);
      }),
      { numRuns: 200 },
    );
  });
});
