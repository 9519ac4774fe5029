import { createHash } from 'node:crypto';
import { type AgendaRow, agendaEventTypes, evolveAgendaRow } from '../../../domain/projections/agenda.js';
import {
  type AnswersSummaryRow,
  answersSummaryChange,
  answersSummaryEventTypes,
  evolveAnswersSummaryRow,
} from '../../../domain/projections/answers-summary.js';
import {
  type DelegateCountsRow,
  delegateCountsChange,
  delegateCountsEventTypes,
  evolveDelegateCountsRow,
  rejectionMessageOf,
} from '../../../domain/projections/delegate-counts.js';
import {
  evolveInvitationRow,
  type InvitationRow,
  invitationsEventTypes,
} from '../../../domain/projections/invitations.js';
import {
  evolveRegistrantRow,
  indexEntriesOf,
  PARTICIPANTS_DIMENSION,
  participantEntryOf,
  type RegistrantRow,
  registrantListEventTypes,
} from '../../../domain/projections/registrant-list.js';
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
import { familyNameOrderIndex } from '../../../infra/definitions/tables.js';
import type { StreamProjection } from './projection-runner.js';

/** The partition, beside the delegate counts' rows, of the rejections' messages (their languages only). */
export const rejectionMessagesPartition = (rowsPartition: string) => `${rowsPartition}#rejection-messages`;

/**
 * The delegate counts (domain/projections/delegate-counts.ts), and as side items the rejections that carry
 * a message, each with the languages it was written in (`l`), sort key its registrationId: what
 * `translations/missing` lists (no personal data: the message itself stays sealed in its event). Erasure
 * takes the row's message away, and with it the item, in the row's transaction.
 */
export const delegateCountsProjection: StreamProjection<DelegateCountsRow> = {
  name: 'delegate-counts',
  handles: delegateCountsEventTypes,
  evolveRow: evolveDelegateCountsRow,
  summaryChange: delegateCountsChange,
  tracksAsOf: true,
  sideItems: (pk, row) => {
    const message = rejectionMessageOf(row);
    return message
      ? [{ pk: rejectionMessagesPartition(pk), sk: message.registrationId, l: message.languages }]
      : [];
  },
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

/** The partition of a registrant-list dimension: beside the rows' partition, one per dimension. */
export const registrantIndexPartition = (rowsPartition: string, dimension: string) =>
  `${rowsPartition}#${dimension}`;

/**
 * The registration desk's list (domain/projections/registrant-list.ts): a row per registration, the
 * registration read back, with its index entries as side items (only their sort key and what the
 * filters test: s status, c country, k category, t search terms, d delegation), written in the row's
 * transaction.
 */
export const registrantListProjection: StreamProjection<RegistrantRow> = {
  name: 'registrant-list',
  handles: registrantListEventTypes,
  evolveRow: evolveRegistrantRow,
  sideItems: (pk, row) => {
    const participant = participantEntryOf(row);
    return [
      ...indexEntriesOf(row).map((entry) => ({
        pk: registrantIndexPartition(pk, entry.dimension),
        sk: entry.sortKeys.registeredAt,
        [familyNameOrderIndex.sortKey.name]: entry.sortKeys.familyName,
        s: entry.status,
        c: entry.country,
        k: entry.category,
        t: entry.terms,
        ...(entry.delegationId === undefined ? {} : { d: entry.delegationId }),
      })),
      // The public List of Participants (CONTRACT 5.3): its public fields only, for a consenting seat holder.
      ...(participant
        ? [
            {
              pk: registrantIndexPartition(pk, PARTICIPANTS_DIMENSION),
              sk: participant.sortKey,
              g: participant.givenName,
              f: participant.familyName,
              o: participant.organization,
              c: participant.country,
              ...(participant.delegationId === undefined ? {} : { d: participant.delegationId }),
            },
          ]
        : []),
    ];
  },
  opensPersonalData: true,
};

/**
 * The answers-summary (domain/projections/answers-summary.ts): counters per field and option, like the
 * delegate counts. It opens the personal part and the sensitive answers to read their tallies (never the
 * answers themselves into the read model), so it is granted both keys and shows nothing one by one.
 */
export const answersSummaryProjection: StreamProjection<AnswersSummaryRow> = {
  name: 'answers-summary',
  handles: answersSummaryEventTypes,
  evolveRow: evolveAnswersSummaryRow,
  summaryChange: answersSummaryChange,
  opensPersonalData: true,
};

/** The organizer's list of invitations (domain/projections/invitations.ts): the invitee's address in plaintext. */
export const invitationsProjection: StreamProjection<InvitationRow> = {
  name: 'invitations',
  handles: invitationsEventTypes,
  evolveRow: evolveInvitationRow,
  opensPersonalData: true,
};

/** Every projection: what `npm run rebuild -- --all` rebuilds. A new projection belongs here. */
export const projections = [
  delegateCountsProjection,
  waitlistProjection,
  agendaProjection,
  visaLettersProjection,
  registrantListProjection,
  answersSummaryProjection,
  invitationsProjection,
] as const;
