import { type AgendaSession, agendaDecider, type SessionStatus } from '../agenda/decider.js';
import type { SessionType } from '../agenda/events.js';
import { awardDecider } from '../award/decider.js';
import type { GrantedAward } from '../award/events.js';
import type { Conference } from '../conference/decider.js';
import type { EventEnvelope } from '../events.js';
import { conferenceLanguages, type Language, textIn } from '../shared/languages.js';
import { datesBetween } from '../shared/values.js';

/**
 * The agenda read model of a conference, one row per stream: the conference (what the read side needs to
 * lay out days and calendars), one row per session (stream `session-<sessionId>`, an `agenda` row holding
 * that one session) and the awards (`awards-<id>`). Each row is folded from its own stream's events, which
 * the projection runner applies in version order exactly once, so no row grows with the agenda.
 */
export type AgendaRow =
  | { kind: 'conference'; conference: Conference }
  | { kind: 'agenda'; sessions: AgendaSession[]; updatedAt: string }
  | { kind: 'awards'; awards: GrantedAward[] };

export const agendaEventTypes = [
  'ConferenceCreated',
  'ConferenceSettingsChanged',
  'SessionScheduled',
  'SessionRescheduled',
  'SessionCancelled',
  'AwardGranted',
] as const;

export const evolveAgendaRow = (row: AgendaRow | undefined, event: EventEnvelope): AgendaRow | undefined => {
  switch (event.type) {
    case 'ConferenceCreated':
      return { kind: 'conference', conference: event.data };
    case 'ConferenceSettingsChanged': {
      if (row?.kind !== 'conference') return row;
      const { conferenceId: _conferenceId, changedAt: _changedAt, ...changes } = event.data;
      return { kind: 'conference', conference: { ...row.conference, ...changes } };
    }
    case 'SessionScheduled':
    case 'SessionRescheduled':
    case 'SessionCancelled': {
      const agenda = row?.kind === 'agenda' ? { sessions: row.sessions } : agendaDecider.initialState;
      return { kind: 'agenda', ...agendaDecider.evolve(agenda, event), updatedAt: event.occurredAt };
    }
    case 'AwardGranted': {
      const awards = row?.kind === 'awards' ? { awards: row.awards } : awardDecider.initialState;
      return { kind: 'awards', ...awardDecider.evolve(awards, event) };
    }
    default:
      return row;
  }
};

/** What the read side has of one conference's agenda, gathered from its rows. */
export interface AgendaReadModel {
  conference?: Conference;
  sessions: AgendaSession[];
  awards: GrantedAward[];
  /** When the agenda last changed; absent while it has no session. */
  updatedAt?: string;
}

/** A session with its texts in one language. */
export type LocalizedSession = Omit<AgendaSession, 'title' | 'abstract'> & {
  title: string;
  abstract?: string;
};
export type LocalizedConference = Omit<Conference, 'name' | 'theme'> & { name: string; theme?: string };
export type LocalizedAward = Omit<GrantedAward, 'citation'> & { citation?: string };

/** The agenda with every organizer text in one language (CONTRACT 5.4), as every read and export shows it. */
export interface LocalizedAgenda {
  conference: LocalizedConference;
  sessions: LocalizedSession[];
  awards: LocalizedAward[];
  updatedAt?: string;
}

/** The conference's texts in `language`, each falling back to the conference's default language. */
export const localizedConference = (conference: Conference, language: Language): LocalizedConference => {
  const { defaultLanguage } = conferenceLanguages(conference);
  const { theme, ...rest } = conference;
  const localizedTheme = textIn(theme, language, defaultLanguage);
  return {
    ...rest,
    name: textIn(conference.name, language, defaultLanguage),
    ...(localizedTheme === undefined ? {} : { theme: localizedTheme }),
  };
};

export const localizedAwards = (
  awards: readonly GrantedAward[],
  language: Language,
  defaultLanguage: Language,
): LocalizedAward[] =>
  awards.map(({ citation, ...award }) => {
    const text = textIn(citation, language, defaultLanguage);
    return { ...award, ...(text === undefined ? {} : { citation: text }) };
  });

const localizedSessions = (
  sessions: readonly AgendaSession[],
  language: Language,
  defaultLanguage: Language,
): LocalizedSession[] =>
  sessions.map(({ title, abstract, ...session }) => {
    const localizedAbstract = textIn(abstract, language, defaultLanguage);
    return {
      ...session,
      title: textIn(title, language, defaultLanguage),
      ...(localizedAbstract === undefined ? {} : { abstract: localizedAbstract }),
    };
  });

/** The agenda in `language` (by default the conference's default language). */
export const localizedAgenda = (
  model: AgendaReadModel & { conference: Conference },
  language?: Language,
): LocalizedAgenda => {
  const { defaultLanguage } = conferenceLanguages(model.conference);
  const chosen = language ?? defaultLanguage;
  return {
    conference: localizedConference(model.conference, chosen),
    sessions: localizedSessions(model.sessions, chosen, defaultLanguage),
    awards: localizedAwards(model.awards, chosen, defaultLanguage),
    ...(model.updatedAt === undefined ? {} : { updatedAt: model.updatedAt }),
  };
};

export const agendaReadModelOf = (rows: readonly AgendaRow[]): AgendaReadModel => {
  const model: AgendaReadModel = { sessions: [], awards: [] };
  for (const row of rows) {
    if (row.kind === 'conference') model.conference = row.conference;
    if (row.kind === 'agenda') {
      model.sessions.push(...row.sessions);
      if (model.updatedAt === undefined || row.updatedAt > model.updatedAt) model.updatedAt = row.updatedAt;
    }
    if (row.kind === 'awards') model.awards = row.awards;
  }
  return model;
};

export interface AgendaAward {
  awardId: string;
  award: string;
  year: number;
  city: string;
  country: string;
}

export interface AgendaSessionView {
  sessionId: string;
  title: string;
  type: SessionType;
  start: string;
  end: string;
  room: string;
  track: string | null;
  speakers: { name: string; affiliation: string | null }[];
  status: SessionStatus;
  awards: AgendaAward[];
}

/** The agenda as the API shows it (CONTRACT section 2). */
export interface Agenda {
  conferenceId: string;
  timezone: string;
  days: { date: string; sessions: AgendaSessionView[] }[];
}

/** Sessions by start, then room; the id breaks the remaining ties, so the order (and the ETag) is stable. */
type Placed = Pick<AgendaSession, 'date' | 'start' | 'room' | 'sessionId'>;
export const byStartThenRoom = (a: Placed, b: Placed): number =>
  a.date.localeCompare(b.date) ||
  a.start.localeCompare(b.start) ||
  a.room.localeCompare(b.room, 'en') ||
  a.sessionId.localeCompare(b.sessionId);

const toSessionView = (session: LocalizedSession, awards: readonly GrantedAward[]): AgendaSessionView => ({
  sessionId: session.sessionId,
  title: session.title,
  type: session.type,
  start: session.start,
  end: session.end,
  room: session.room,
  track: session.track ?? null,
  speakers: session.speakers.map((speaker) => ({
    name: speaker.name,
    affiliation: speaker.affiliation ?? null,
  })),
  status: session.status,
  awards: awards
    .filter((award) => award.sessionId === session.sessionId)
    .map(({ awardId, award, year, city, country }) => ({ awardId, award, year, city, country })),
});

/** Every day of the conference, each with its sessions (cancelled ones too) by start, then room. */
export const toAgenda = (
  conference: Pick<
    Conference,
    'conferenceId' | 'timezone' | 'startDate' | 'endDate' | 'languages' | 'defaultLanguage'
  >,
  model: Pick<AgendaReadModel, 'sessions' | 'awards'>,
  language?: Language,
): Agenda => {
  const { defaultLanguage } = conferenceLanguages(conference);
  const sessions = localizedSessions(model.sessions, language ?? defaultLanguage, defaultLanguage).sort(
    byStartThenRoom,
  );
  return {
    conferenceId: conference.conferenceId,
    timezone: conference.timezone,
    days: datesBetween(conference.startDate, conference.endDate).map((date) => ({
      date,
      sessions: sessions
        .filter((session) => session.date === date)
        .map((session) => toSessionView(session, model.awards)),
    })),
  };
};
