import type { FieldError } from '../shared/errors.js';
import { countryCodes, printable } from '../shared/values.js';
import { DEFAULT_MAX_LENGTH, type FormField, type RegistrationForm } from './form.js';

/**
 * The one evaluator of answers (CONTRACT 5.2): whether the answers of a registration body are valid for a
 * version of the form. Pure and allocation-light (it runs on every registration and correction). The JSON
 * Schema of json-schema.ts states the very same rules, with the same patterns: a property test holds the
 * two to the same verdict on random forms and bodies.
 */

export type Answers = Record<string, unknown>;

/** A calendar date YYYY-MM-DD, leap years included, as one regular expression (so JSON Schema has it too). */
export const DATE_PATTERN =
  '^(?:\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))|(?:\\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$';
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@.]+(?:\\.[^\\s@.]+)+$';
export const EMAIL_MAX_LENGTH = 254;
export const PHONE_PATTERN = '^\\+?[0-9][0-9 ().-]{2,30}[0-9]$';
export const TEXT_PATTERN = printable.source;

// JSON Schema patterns are ECMA-262 regular expressions with the `u` flag (Ajv's default): the same here.
const dateRe = new RegExp(DATE_PATTERN, 'u');
const emailRe = new RegExp(EMAIL_PATTERN, 'u');
const phoneRe = new RegExp(PHONE_PATTERN, 'u');
const textRe = new RegExp(TEXT_PATTERN, 'u');
const countries = new Set(countryCodes);

/** Length in code points, as JSON Schema's `maxLength` counts. */
const lengthOf = (value: string): number => {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
};

/** Whether a text has at most `max` code points; never more code points than UTF-16 units, so most need no count. */
const withinLength = (value: string, max: number): boolean => value.length <= max || lengthOf(value) <= max;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

import { fieldShown, hasOwn } from './conditions.js';

export { conditionHolds, fieldShown } from './conditions.js';

/** Why an answer does not fit its field (type, range, length, option), or undefined when it fits. */
export const answerProblem = (field: FormField, value: unknown): string | undefined => {
  switch (field.type) {
    case 'text':
    case 'textarea': {
      if (typeof value !== 'string') return 'must be text';
      const max = field.maxLength ?? DEFAULT_MAX_LENGTH[field.type] ?? 500;
      if (value.length === 0) return 'must not be empty';
      if (!withinLength(value, max)) return `must be at most ${max} characters`;
      return textRe.test(value) ? undefined : 'must not contain control characters';
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
      return undefined;
    case 'yes-no':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'checkbox':
      return value === true ? undefined : 'must be true (a ticked box); leave an unticked box out';
    case 'date':
      return typeof value === 'string' && dateRe.test(value) ? undefined : 'must be a date YYYY-MM-DD';
    case 'email':
      return typeof value === 'string' && withinLength(value, EMAIL_MAX_LENGTH) && emailRe.test(value)
        ? undefined
        : 'must be an email address';
    case 'phone':
      return typeof value === 'string' && phoneRe.test(value)
        ? undefined
        : 'must be a phone number, e.g. +52 55 1234 5678';
    case 'country':
      return typeof value === 'string' && countries.has(value)
        ? undefined
        : 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. MX';
    case 'single-choice':
      return typeof value === 'string' && (field.options ?? []).some((option) => option.optionId === value)
        ? undefined
        : `must be one of ${(field.options ?? []).map((option) => option.optionId).join(', ')}`;
    case 'multi-choice': {
      const ids = (field.options ?? []).map((option) => option.optionId);
      if (!Array.isArray(value)) return `must be a list of ${ids.join(', ')}`;
      const min = Math.max(1, field.min ?? 1);
      if (value.length < min) return `must choose at least ${min}`;
      if (field.max !== undefined && value.length > field.max) return `must choose at most ${field.max}`;
      if (!value.every((chosen) => typeof chosen === 'string' && ids.includes(chosen)))
        return `must only choose among ${ids.join(', ')}`;
      return new Set(value).size === value.length ? undefined : 'must not choose an option twice';
    }
  }
};

/** A form made ready to evaluate: its fields by id (built once per version and kept). */
export interface CompiledForm {
  form: RegistrationForm;
  byId: Map<string, FormField>;
  typeOf: (fieldId: string) => string | undefined;
}

const compiled = new WeakMap<RegistrationForm, CompiledForm>();

export const compileForm = (form: RegistrationForm): CompiledForm => {
  const known = compiled.get(form);
  if (known) return known;
  const byId = new Map(form.fields.map((field) => [field.fieldId, field]));
  const made = { form, byId, typeOf: (fieldId: string) => byId.get(fieldId)?.type };
  compiled.set(form, made);
  return made;
};

/**
 * Every error of the answers of a body for a form version, each at `answers.<fieldId>`: an answer to a
 * field the form does not have, to a field not shown (its condition false, or not for the category), a
 * missing required answer of a shown field, an answer that does not fit its field. None: valid.
 */
export const answerErrors = (
  form: RegistrationForm | undefined,
  category: string | undefined,
  answers: unknown,
): FieldError[] => {
  if (answers === undefined && !form) return [];
  if (answers !== undefined && !isObject(answers))
    return [{ path: 'answers', message: 'must be an object of answers by fieldId' }];
  const given = answers as Answers | undefined;
  const errors: FieldError[] = [];
  const { byId, typeOf } = compileForm(form ?? { version: 0, fields: [] });
  if (given)
    for (const fieldId of Object.keys(given))
      if (!byId.has(fieldId))
        errors.push({ path: `answers.${fieldId}`, message: 'is not a field of the registration form' });
  for (const field of form?.fields ?? []) {
    const answered = hasOwn(given, field.fieldId);
    const shown = fieldShown(field, category, given, typeOf);
    if (!shown) {
      if (answered)
        errors.push({
          path: `answers.${field.fieldId}`,
          message:
            field.categories?.includes(category as never) === false
              ? `is not asked of the category ${category}`
              : 'is not asked: its condition does not hold for these answers',
        });
      continue;
    }
    if (!answered) {
      if (field.required) errors.push({ path: `answers.${field.fieldId}`, message: 'is required' });
      continue;
    }
    const problem = answerProblem(field, given?.[field.fieldId]);
    if (problem) errors.push({ path: `answers.${field.fieldId}`, message: problem });
  }
  return errors;
};

/** A limited place an answer takes: the option and its limit (a guard of the registration's transaction). */
export interface LimitedChoice {
  fieldId: string;
  optionId: string;
  limit: number;
}

/** The limited options valid answers take, in the form's order. */
export const limitedChoices = (
  form: RegistrationForm | undefined,
  answers: Answers | undefined,
): LimitedChoice[] => {
  if (!form || !answers) return [];
  const choices: LimitedChoice[] = [];
  for (const field of form.fields) {
    if (!field.options || !hasOwn(answers, field.fieldId)) continue;
    const answer = answers[field.fieldId];
    const chosen = Array.isArray(answer) ? answer : [answer];
    for (const option of field.options)
      if (option.limit !== undefined && chosen.includes(option.optionId))
        choices.push({ fieldId: field.fieldId, optionId: option.optionId, limit: option.limit });
  }
  return choices;
};

/** The answers split by where they are kept: sensitive ones under the registration's second key. */
export const splitAnswers = (
  form: RegistrationForm | undefined,
  answers: Answers | undefined,
): { plain: Answers; sensitive: Answers } => {
  const plain: Answers = {};
  const sensitive: Answers = {};
  if (!answers) return { plain, sensitive };
  const { byId } = compileForm(form ?? { version: 0, fields: [] });
  for (const [fieldId, value] of Object.entries(answers)) {
    if (byId.get(fieldId)?.sensitive) sensitive[fieldId] = value;
    else plain[fieldId] = value;
  }
  return { plain, sensitive };
};

/**
 * What the answers-summary counts of valid answers, computed where the form is known (the decision) and
 * kept inside the sealed part beside the answers: `fieldId` for an answer, `fieldId=value` for a chosen
 * option (choices, yes-no, checkbox, country), `fieldId+=n` for a number. Free text is counted, never named.
 */
export const answerTallies = (form: RegistrationForm | undefined, answers: Answers): string[] => {
  if (!form) return [];
  const tallies: string[] = [];
  for (const field of form.fields) {
    if (!Object.hasOwn(answers, field.fieldId)) continue;
    const value = answers[field.fieldId];
    tallies.push(field.fieldId);
    switch (field.type) {
      case 'single-choice':
      case 'yes-no':
      case 'checkbox':
      case 'country':
        tallies.push(`${field.fieldId}=${String(value)}`);
        break;
      case 'multi-choice':
        for (const chosen of value as string[]) tallies.push(`${field.fieldId}=${chosen}`);
        break;
      case 'number':
        tallies.push(`${field.fieldId}+=${String(value)}`);
        break;
      default:
        break;
    }
  }
  return tallies;
};
