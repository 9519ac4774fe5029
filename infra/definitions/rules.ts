/**
 * The event bus and its rules, declared once. CDK makes an EventBridge rule with an SQS queue (+ DLQ)
 * and a consumer function per entry; the local in-process bus matches the very same patterns and
 * invokes the same consumer handlers with SQS batches of EventBridge events.
 */
export const EVENT_SOURCE = 'learning-cities.conference';

/** The subset of EventBridge's event pattern language that these rules use (exact values, nested). */
export type EventPattern = { [key: string]: string[] | EventPattern };

export interface RuleDefinition {
  /** PascalCase, used for logical ids. */
  name: string;
  description: string;
  pattern: EventPattern;
  /** SQS batch consumer module, relative to the repository root; it exports `handler`. */
  consumer: string;
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
  /** Read access to the event store (gap filling) and write access to the read models. */
  writesReadModels: boolean;
  /** Issues commands: write access to the event store. */
  writesEvents: boolean;
}

export const eventTypes = [
  'ConferenceCreated',
  'DelegateRegistered',
  'DelegateWaitlisted',
  'WaitlistedDelegatePromoted',
  'RegistrationCancelled',
  'DelegateCheckedIn',
  'SessionScheduled',
  'SessionRescheduled',
  'SessionCancelled',
  'AwardGranted',
] as const;

export type EventType = (typeof eventTypes)[number];

const ofTypes = (...types: EventType[]): EventPattern => ({ source: [EVENT_SOURCE], 'detail-type': types });

export const rules: RuleDefinition[] = [
  {
    name: 'DelegateCountsProjector',
    description: 'Builds the delegate counts read model',
    pattern: ofTypes(
      'ConferenceCreated',
      'DelegateRegistered',
      'DelegateWaitlisted',
      'WaitlistedDelegatePromoted',
      'RegistrationCancelled',
      'DelegateCheckedIn',
    ),
    consumer: 'functions/consumers/delegate-counts-projector.ts',
    maxReceiveCount: 5,
    writesReadModels: true,
    writesEvents: false,
  },
  {
    name: 'AgendaProjector',
    description: 'Builds the agenda read model (agenda, agenda.ics, schedule.json)',
    pattern: ofTypes(
      'ConferenceCreated',
      'SessionScheduled',
      'SessionRescheduled',
      'SessionCancelled',
      'AwardGranted',
    ),
    consumer: 'functions/consumers/agenda-projector.ts',
    maxReceiveCount: 5,
    writesReadModels: true,
    writesEvents: false,
  },
  {
    name: 'WaitlistProcess',
    description: 'Keeps the waitlist and promotes the longest-waiting delegate when a seat frees up',
    pattern: ofTypes(
      'DelegateRegistered',
      'DelegateWaitlisted',
      'WaitlistedDelegatePromoted',
      'RegistrationCancelled',
      'DelegateCheckedIn',
    ),
    consumer: 'functions/consumers/waitlist-process.ts',
    maxReceiveCount: 5,
    writesReadModels: true,
    writesEvents: true,
  },
  {
    name: 'Notifier',
    description: 'Emails delegates about their registration and publishes agenda changes',
    pattern: ofTypes(
      'DelegateRegistered',
      'DelegateWaitlisted',
      'WaitlistedDelegatePromoted',
      'RegistrationCancelled',
      'SessionRescheduled',
      'SessionCancelled',
    ),
    consumer: 'functions/consumers/notifier.ts',
    maxReceiveCount: 5,
    writesReadModels: true,
    writesEvents: false,
  },
];
