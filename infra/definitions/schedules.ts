import type { TableAccessDefinition } from './table-access.js';
import type { PersonalDataAccess } from './tables.js';

/**
 * Functions that run on a timetable, declared once: CDK makes an EventBridge schedule rule and a function
 * per entry; `npm start` runs the same handler modules on a timer of the same period.
 */
export interface ScheduleDefinition extends TableAccessDefinition {
  /** PascalCase, used for logical ids. */
  name: string;
  description: string;
  /** Handler module relative to the repository root; it exports `handler` (a ScheduledEvent). */
  entry: string;
  /** When it runs in the cloud, in UTC (EventBridge cron fields). */
  cron: { minute: string; hour: string };
  /** How often it runs locally (and once shortly after `npm start`). */
  localPeriodMs: number;
  /**
   * Appends events (runs commands). The tables its handler reads (`tables`) and any other writes
   * (`writesTo`) are declared as a route's (infra/definitions/table-access.ts): its role gets exactly
   * these, and the local scheduler holds its handler to them (local/table-grants.ts).
   */
  writes: boolean;
  personalData?: PersonalDataAccess;
  /** Erases personal data: deletes the stored exports of the conferences it erases in (as a route's). */
  deletesExports?: boolean;
}

export const schedules: ScheduleDefinition[] = [
  {
    name: 'EraseExpiredPersonalData',
    description: 'Erases the registrations of conferences past their personal-data retention (daily)',
    entry: 'functions/scheduled/erase-expired.ts',
    deletesExports: true,
    cron: { minute: '15', hour: '3' },
    localPeriodMs: 24 * 60 * 60 * 1000,
    // Erasures and expiries are commands: the conferences from the catalog index, the registrations
    // from their waitlist and answers-summary rows (read models), and the invitations past their
    // expiresAt (CONTRACT 5.3) from their list (the personal read models).
    writes: true,
    tables: ['events', 'stream-state', 'read-models', 'personal-read-models'],
    personalData: 'erase',
  },
];
