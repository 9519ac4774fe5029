import { type AgendaCommand, agendaDecider } from '../../domain/agenda/decider.js';
import type { SessionDetails } from '../../domain/agenda/events.js';
import { awardDecider } from '../../domain/award/decider.js';
import type { AwardGrant } from '../../domain/award/events.js';
import type { Conference } from '../../domain/conference/decider.js';
import type { DomainEvent, EventEnvelope } from '../../domain/events.js';
import { iclc2015 } from './fixtures.js';

export const conference: Conference = { conferenceId: 'c1', ...iclc2015 };

const session = (overrides: Partial<SessionDetails> & Pick<SessionDetails, 'title' | 'start' | 'end'>) => ({
  type: 'parallel' as const,
  date: '2015-09-28',
  room: 'Sala Principal',
  speakers: [],
  ...overrides,
});

const learningCityAward = (city: string, country: string, sessionId?: string): AwardGrant => ({
  award: 'UNESCO Learning City Award',
  year: 2015,
  city,
  country,
  ...(sessionId ? { sessionId } : {}),
});

/**
 * A realistic history of one conference's agenda and awards, made by the deciders (so it keeps every
 * rule), as the envelopes the event store would hold: sessions scheduled, one moved twice, one cancelled
 * and its slot taken by another, awards presented in a session and one without.
 */
export const agendaHistory = (): EventEnvelope[] => {
  const envelopes: EventEnvelope[] = [];
  const versions = new Map<string, number>();
  let clock = Date.UTC(2015, 8, 1, 12, 0);
  const record = (streamId: string, events: readonly DomainEvent[]) => {
    for (const event of events) {
      const version = (versions.get(streamId) ?? 0) + 1;
      versions.set(streamId, version);
      clock += 60_000;
      envelopes.push({
        ...event,
        eventId: `${streamId}#${version}`,
        streamId,
        version,
        conferenceId: conference.conferenceId,
        occurredAt: new Date(clock).toISOString(),
        metadata: { correlationId: 'history', schemaVersion: 1 },
      } as EventEnvelope);
    }
  };

  record('conference-c1', [{ type: 'ConferenceCreated', data: conference }]);

  let agenda = agendaDecider.initialState;
  const onAgenda = (command: AgendaCommand) => {
    const events = agendaDecider.decide(command, agenda);
    agenda = events.reduce(agendaDecider.evolve, agenda);
    record('agenda-c1', events);
  };
  const schedule = (sessionId: string, details: SessionDetails) =>
    onAgenda({ type: 'ScheduleSession', sessionId, conference, session: details });

  schedule(
    'opening',
    session({
      title: 'Opening plenary: Building Sustainable Learning Cities',
      type: 'plenary',
      start: '09:00',
      end: '10:30',
      track: 'Policy',
      language: 'es',
      speakers: [{ name: 'Aurelio Nuño Mayer', affiliation: 'Secretaría de Educación Pública' }],
    }),
  );
  schedule(
    'workshop',
    session({
      title: 'Measuring learning cities',
      type: 'workshop',
      room: 'Sala Manuel M. Ponce',
      start: '09:00',
      end: '12:00',
      abstract: 'Key features of learning cities, and how to measure them.',
      speakers: [{ name: 'Arne Carlsen', affiliation: 'UIL' }],
    }),
  );
  schedule('panel', session({ title: 'Panel: Cities and SDG 4', start: '11:00', end: '12:30' }));
  schedule(
    'ceremony',
    session({
      title: 'UNESCO Learning City Award ceremony',
      type: 'ceremony',
      start: '15:00',
      end: '16:00',
      speakers: [{ name: 'Irina Bokova', affiliation: 'UNESCO' }],
    }),
  );
  onAgenda({ type: 'RescheduleSession', sessionId: 'ceremony', conference, change: { date: '2015-09-29' } });
  onAgenda({ type: 'CancelSession', sessionId: 'panel', now: '2015-09-20T10:00:00.000Z' });
  schedule('replacement', session({ title: 'Mayors’ round table', start: '11:00', end: '12:00' }));
  onAgenda({ type: 'RescheduleSession', sessionId: 'ceremony', conference, change: { end: '16:30' } });

  let awards = awardDecider.initialState;
  const grant = (awardId: string, award: AwardGrant) => {
    const events = awardDecider.decide(
      {
        type: 'GrantAward',
        awardId,
        conferenceId: 'c1',
        grant: award,
        agenda,
        now: '2015-09-29T16:00:00.000Z',
      },
      awards,
    );
    awards = events.reduce(awardDecider.evolve, awards);
    record('awards-c1', events);
  };
  grant('a1', learningCityAward('Melton', 'AU', 'ceremony'));
  grant('a2', learningCityAward('Sorocaba', 'BR', 'ceremony'));
  grant('a3', learningCityAward('Beijing', 'CN'));

  return envelopes;
};
