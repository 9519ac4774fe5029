import type { RegistrationFormState } from '../conference/decider.js';
import type { EventEnvelope } from '../events.js';
import {
  isOpenedPersonal,
  isOpenedSensitive,
  registrationEventTypes,
  SENSITIVE_TALLIES,
  type SensitivePart,
} from '../registration/events.js';
import type { Counters, SummaryChange } from './delegate-counts.js';

/**
 * The answers-summary of a conference (CONTRACT 5.2): the caterer's numbers. One row per registration
 * holds the tallies of its answers (domain/registration-form/evaluate.ts answerTallies: no free text, no
 * name), and its contribution to the conference's counters is a pure function of the row, as the delegate
 * counts do: exact whatever order or how many times the events are delivered. Active registrations
 * (registered, waitlisted, checked in) count; a cancelled or erased one, and sensitive answers whose key
 * was destroyed by their own retention, no longer do.
 */
export interface AnswersSummaryRow {
  registrationId: string;
  active: boolean;
  plain: string[];
  sensitive: string[];
}

export const answersSummaryEventTypes = registrationEventTypes;

const sensitiveTallies = (part: SensitivePart | undefined): string[] => {
  if (!isOpenedSensitive(part)) return [];
  const tallies = (part as Record<string, unknown>)[SENSITIVE_TALLIES];
  return Array.isArray(tallies) ? tallies.map(String) : [];
};

export const evolveAnswersSummaryRow = (
  row: AnswersSummaryRow | undefined,
  event: EventEnvelope,
): AnswersSummaryRow | undefined => {
  switch (event.type) {
    case 'DelegateRegistered':
    case 'DelegateWaitlisted':
    case 'RegistrationPending': {
      const { personal, sensitive } = event.data;
      return {
        registrationId: event.data.registrationId,
        active: true,
        plain: isOpenedPersonal(personal) ? (personal.tallies ?? []) : [],
        sensitive: sensitiveTallies(sensitive),
      };
    }
    case 'DelegateDetailsChanged': {
      if (!row || event.data.formVersion === undefined) return row;
      const { personal, sensitive } = event.data;
      const tallies = typeof personal === 'object' && 'tallies' in personal ? personal.tallies : undefined;
      return { ...row, plain: Array.isArray(tallies) ? tallies : [], sensitive: sensitiveTallies(sensitive) };
    }
    case 'RegistrationCancelled':
    case 'RegistrationRejected':
    case 'PersonalDataErased':
      return row ? { ...row, active: false } : row;
    case 'SensitiveAnswersErased':
      return row ? { ...row, sensitive: [] } : row;
    default:
      return row;
  }
};

/** A tally's counter: `a:<fieldId>` answered, `o:<fieldId>=<value>` an option, `t:<fieldId>` a number's sum. */
const countersOf = (row: AnswersSummaryRow | undefined): Counters => {
  const counters: Counters = {};
  if (!row?.active) return counters;
  for (const tally of [...row.plain, ...row.sensitive]) {
    const sum = tally.indexOf('+=');
    if (sum > 0) {
      const name = `t:${tally.slice(0, sum)}`;
      counters[name] = (counters[name] ?? 0) + Number(tally.slice(sum + 2));
    } else {
      const name = tally.includes('=') ? `o:${tally}` : `a:${tally}`;
      counters[name] = (counters[name] ?? 0) + 1;
    }
  }
  return counters;
};

export const answersSummaryChange = (
  before: AnswersSummaryRow | undefined,
  after: AnswersSummaryRow | undefined,
): SummaryChange => {
  const was = countersOf(before);
  const is = countersOf(after);
  const add: Counters = {};
  for (const name of new Set([...Object.keys(was), ...Object.keys(is)])) {
    const delta = (is[name] ?? 0) - (was[name] ?? 0);
    if (delta !== 0) add[name] = delta;
  }
  return { add, set: {} };
};

export interface AnswersSummary {
  fields: { fieldId: string; answered: number; options?: Record<string, number>; total?: number }[];
}

/** The summary as the API shows it: every field of the form in force, from the summary's counters. */
export const toAnswersSummary = (
  form: RegistrationFormState | undefined,
  summary: Record<string, unknown>,
): AnswersSummary => {
  const number = (name: string) => (typeof summary[name] === 'number' ? (summary[name] as number) : 0);
  return {
    fields: (form?.fields ?? []).map((field) => {
      const entry: AnswersSummary['fields'][number] = {
        fieldId: field.fieldId,
        answered: number(`a:${field.fieldId}`),
      };
      if (field.options)
        entry.options = Object.fromEntries(
          field.options.map((option) => [option.optionId, number(`o:${field.fieldId}=${option.optionId}`)]),
        );
      else if (field.type === 'yes-no')
        entry.options = {
          true: number(`o:${field.fieldId}=true`),
          false: number(`o:${field.fieldId}=false`),
        };
      else if (field.type === 'checkbox') entry.options = { true: number(`o:${field.fieldId}=true`) };
      else if (field.type === 'country') {
        const prefix = `o:${field.fieldId}=`;
        entry.options = Object.fromEntries(
          Object.keys(summary)
            .filter((name) => name.startsWith(prefix) && number(name) > 0)
            .sort()
            .map((name) => [name.slice(prefix.length), number(name)]),
        );
      } else if (field.type === 'number') entry.total = number(`t:${field.fieldId}`);
      return entry;
    }),
  };
};
