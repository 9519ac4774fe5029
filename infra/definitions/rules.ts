import type { EventType } from '../../domain/events.js';
import { notifierEventTypes } from '../../domain/notifications/delegate-email.js';
import { agendaEventTypes } from '../../domain/projections/agenda.js';
import { answersSummaryEventTypes } from '../../domain/projections/answers-summary.js';
import { delegateCountsEventTypes } from '../../domain/projections/delegate-counts.js';
import { invitationsEventTypes } from '../../domain/projections/invitations.js';
import { registrantListEventTypes } from '../../domain/projections/registrant-list.js';
import { visaLettersEventTypes } from '../../domain/projections/visa-letters.js';
import { waitlistProcessEventTypes } from '../../domain/projections/waitlist.js';
import { FONT_FILES } from '../../functions/shared/documents/font-files.js';
import type { TableAccessDefinition } from './table-access.js';
import type { PersonalDataAccess, SensitiveDataAccess } from './tables.js';
/**
 * The event bus and its rules, declared once. CDK makes an EventBridge rule with an SQS queue (+ DLQ)
 * and a consumer function per entry; the local in-process bus matches the very same patterns and
 * invokes the same consumer handlers with SQS batches of EventBridge events.
 */
export const EVENT_SOURCE = 'learning-cities.conference';

/**
 * What a consumer does outside the tables, each of which needs its own permission and configuration:
 * - `send-email`: sends email through Amazon SES v2 from the notification sender (NOTIFICATION_SENDER);
 * - `publish-agenda-changes`: publishes to the agenda changes SNS topic (AGENDA_CHANGES_TOPIC_ARN).
 * Locally both go to files under DATA_DIR/outbox.
 */
export const ruleEffects = ['send-email', 'publish-agenda-changes'] as const;

export type RuleEffect = (typeof ruleEffects)[number];

/** The subset of EventBridge's event pattern language that these rules use (exact values, nested). */
export type EventPattern = { [key: string]: string[] | EventPattern };

export interface RuleDefinition extends TableAccessDefinition {
  /** PascalCase, used for logical ids. */
  name: string;
  description: string;
  pattern: EventPattern;
  /** SQS batch consumer module, relative to the repository root; it exports `handler`. */
  consumer: string;
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
  /**
   * The most concurrent invocations the SQS event source starts (2–1000): a backlog cannot take the
   * account's whole Lambda concurrency, nor pile more writers on the items a consumer shares. Absent:
   * `defaultMaxConcurrency`.
   */
  maxConcurrency?: number;
  /**
   * Issues commands: appends to the event store (`events`, `stream-state` in `tables`). The tables its
   * consumer reads (`tables`) and the writes of its read model (`writesTo`) are declared as a route's
   * (infra/definitions/table-access.ts): its role gets exactly these, and the local bus holds its consumer
   * to them (local/table-grants.ts). A projector of plaintext personal data (`plaintextProjections`) uses
   * the personal read models table, and no other read model.
   */
  writes: boolean;
  /** Side effects beyond the tables; none when absent. */
  effects?: RuleEffect[];
  /** What it may do with personal data; without it, nothing (it sees the personal part sealed). */
  personalData?: PersonalDataAccess;
  /** What it may do with the sensitive answers' keys (CONTRACT 5.2); without it, it is denied them. */
  sensitiveData?: SensitiveDataAccess;
  /** Makes secrets from the server's secret (a focal point's delegation token in its email): kms:GenerateMac. */
  serverSecrets?: boolean;
  /** Files read at run time, copied beside the bundle (as a route's `files`): the fonts of the PDFs it attaches. */
  files?: string[];
}

/** The event source mapping's maxConcurrency of a rule that does not set its own. */
export const defaultMaxConcurrency = 5;

const ofTypes = (types: readonly EventType[]): EventPattern => ({
  source: [EVENT_SOURCE],
  'detail-type': [...types],
});

export const rules: RuleDefinition[] = [
  {
    name: 'DelegateCountsProjector',
    description: 'Builds the delegate counts read model',
    pattern: ofTypes(delegateCountsEventTypes),
    consumer: 'functions/consumers/delegate-counts-projector.ts',
    maxReceiveCount: 5,
    // Every event of a conference adds to its one summary item: more writers only conflict.
    maxConcurrency: 5,
    writes: false,
    // Gaps filled from the events; its rows and the conference's summary (counters, asOf) updated, the
    // rejection messages' side items (for translations/missing) deleted when a registration is erased.
    tables: ['events', 'read-models'],
    writesTo: { 'read-models': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
  },
  {
    name: 'AgendaProjector',
    description: 'Builds the agenda read model (agenda, agenda.ics, schedule.json)',
    pattern: ofTypes(agendaEventTypes),
    consumer: 'functions/consumers/agenda-projector.ts',
    maxReceiveCount: 5,
    maxConcurrency: 5,
    writes: false,
    // Gaps filled from the events; a row put per stream (no summary, no lookups).
    tables: ['events', 'read-models'],
    writesTo: { 'read-models': ['dynamodb:PutItem'] },
  },
  {
    name: 'WaitlistProcess',
    description:
      'Keeps the waitlist and promotes the longest-waiting delegates when seats free up or capacity is raised',
    pattern: ofTypes(waitlistProcessEventTypes),
    consumer: 'functions/consumers/waitlist-process.ts',
    maxReceiveCount: 5,
    // The least Lambda allows: promotions contend for the same seats, so more would only retry.
    maxConcurrency: 2,
    // Promotes (commands), and keeps its own rows of the waitlist, read back to choose whom to promote.
    writes: true,
    tables: ['events', 'stream-state', 'read-models'],
    writesTo: { 'read-models': ['dynamodb:PutItem'] },
  },
  {
    name: 'VisaLettersProjector',
    description: 'Builds the visa letters read model (the review list, the verification by code)',
    // DelegateDetailsChanged is listed for the names it changes, whoever adds the event to the catalogue.
    pattern: ofTypes(visaLettersEventTypes as readonly string[] as readonly EventType[]),
    consumer: 'functions/consumers/visa-letters-projector.ts',
    maxReceiveCount: 5,
    maxConcurrency: 5,
    writes: false,
    // Its rows and their verification lookups (put and deleted in the row's transaction).
    tables: ['events', 'personal-read-models'],
    writesTo: { 'personal-read-models': ['dynamodb:PutItem', 'dynamodb:DeleteItem'] },
    personalData: 'read',
  },
  {
    name: 'Notifier',
    description: 'Emails delegates about their registration and publishes agenda changes',
    pattern: ofTypes(notifierEventTypes),
    consumer: 'functions/consumers/notifier.ts',
    maxReceiveCount: 5,
    // Within SES's default sending rate.
    maxConcurrency: 5,
    writes: false,
    // Reads the conference, invitations and letters from the event store; claims each email once
    // (functions/shared/notifications/once.ts: a conditional put, withdrawn by a delete), reads no read model.
    tables: ['events', 'stream-state'],
    writesTo: { 'read-models': ['dynamodb:PutItem', 'dynamodb:DeleteItem'] },
    effects: ['send-email', 'publish-agenda-changes'],
    // The delegation link of a focal point's email carries a token made from the server's secret.
    serverSecrets: true,
    // The check-in code in registration and promotion emails is a MAC under the HMAC key.
    personalData: 'read-mac',
    // The issued visa letter is attached to its email as a PDF.
    files: Object.values(FONT_FILES),
  },
  {
    name: 'RegistrantListProjector',
    description: 'Builds the registrant list of the registration desk (list, search, CSV export, badges)',
    // DelegateDetailsChanged is projected from its agreed shape before its event type is declared.
    pattern: ofTypes(registrantListEventTypes),
    consumer: 'functions/consumers/registrant-list-projector.ts',
    maxReceiveCount: 5,
    maxConcurrency: 5,
    writes: false,
    // Its rows and index entries (transactions), and the erased registrant's rows of older generations
    // scrubbed in batches.
    tables: ['events', 'personal-read-models'],
    writesTo: {
      'personal-read-models': ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
    },
    // It opens every registration event: the list holds the delegates' names and addresses.
    personalData: 'read',
    // And keeps the sensitive answers apart, shown by the list and the CSV to `sensitive-data` only.
    sensitiveData: 'read',
  },
  {
    name: 'AnswersSummaryProjector',
    description: 'Builds the answers-summary of the registration form (counts per field and option)',
    pattern: ofTypes(answersSummaryEventTypes),
    consumer: 'functions/consumers/answers-summary-projector.ts',
    maxReceiveCount: 5,
    // Every answer of a conference adds to its one summary item: more writers only conflict.
    maxConcurrency: 5,
    writes: false,
    // Its rows and the conference's summary of counts.
    tables: ['events', 'read-models'],
    writesTo: { 'read-models': ['dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    // It opens the answers (sensitive ones too) for their tallies; the read model holds counts only.
    personalData: 'read',
    sensitiveData: 'read',
  },
  {
    name: 'InvitationsProjector',
    description: 'Builds the organizer’s list of invitations (CONTRACT 5.3)',
    // PersonalDataErased of a registration made from an invitation removes the invitation's row.
    pattern: ofTypes([...invitationsEventTypes, 'PersonalDataErased']),
    consumer: 'functions/consumers/invitations-projector.ts',
    maxReceiveCount: 5,
    maxConcurrency: 5,
    writes: false,
    // A row put per invitation (no lookups, no summary).
    tables: ['events', 'personal-read-models'],
    writesTo: { 'personal-read-models': ['dynamodb:PutItem'] },
    // It opens the invitee's address for the list.
    personalData: 'read',
  },
];
