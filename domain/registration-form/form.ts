import * as z from 'zod';
import { delegateCategories } from '../registration/events.js';
import { ConflictError, type FieldError, InvalidCommandError } from '../shared/errors.js';
import {
  DEFAULT_LANGUAGE,
  type Language,
  type Translatable,
  textIn,
  translatable,
} from '../shared/languages.js';

/**
 * The organizer's registration form (CONTRACT 5.2): typed fields, conditions over earlier fields, limited
 * options, categories and sensitivity. Pure: the HTTP layer parses with these schemas, the conference's
 * decider validates a new version with `formDefinitionErrors`, and `evaluate.ts` checks answers against it.
 */

/**
 * Every text an organizer writes on the form (label, help, option label): a string in the conference's
 * default language or a `{language: text}` map (CONTRACT 5.4).
 */
export const formText = (max: number) => translatable(max);
export type FormText = Translatable;
/** The text to show of a form text in `language`, falling back to the default language's. */
export const formTextOf = (
  value: FormText,
  language: Language = DEFAULT_LANGUAGE,
  defaultLanguage: Language = language,
): string => textIn(value, language, defaultLanguage);

export const fieldTypes = [
  'text',
  'textarea',
  'number',
  'yes-no',
  'checkbox',
  'date',
  'email',
  'phone',
  'country',
  'single-choice',
  'multi-choice',
] as const;
export type FieldType = (typeof fieldTypes)[number];

export const choiceTypes: readonly FieldType[] = ['single-choice', 'multi-choice'];

const identifier = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 letters, digits, _ or -, starting with a letter');

export const optionSchema = z
  .object({
    optionId: identifier,
    label: formText(200),
    /** How many registrations may hold this option at once (a field trip's 40 places). */
    limit: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

/** The value a condition compares an answer with: what an answer of the named field can be. */
const conditionValue = z.union([z.string().max(1000), z.number(), z.boolean()]);
export type ConditionValue = z.infer<typeof conditionValue>;

const comparisonSchema = z.union([
  z.object({ fieldId: identifier, equals: conditionValue }).strict(),
  z.object({ fieldId: identifier, in: z.array(conditionValue).min(1).max(200) }).strict(),
]);
const groupOf = <T extends z.ZodType>(inner: T) =>
  z.union([
    z.object({ all: z.array(inner).min(1).max(20) }).strict(),
    z.object({ any: z.array(inner).min(1).max(20) }).strict(),
  ]);

/**
 * A condition: a comparison with an earlier field's answer (`equals`, `in`), or `all`/`any` of conditions,
 * nested up to three levels (a schema without recursion, so OpenAPI and the event catalogue show it whole).
 */
export const conditionSchema = z.union([
  comparisonSchema,
  groupOf(z.union([comparisonSchema, groupOf(z.union([comparisonSchema, groupOf(comparisonSchema)]))])),
]);

export type Condition =
  | { fieldId: string; equals: ConditionValue }
  | { fieldId: string; in: ConditionValue[] }
  | { all: Condition[] }
  | { any: Condition[] };

export const fieldSchema = z
  .object({
    fieldId: identifier,
    type: z.enum(fieldTypes, { message: `must be one of ${fieldTypes.join(', ')}` }),
    label: formText(500),
    help: formText(2000).optional(),
    required: z.boolean().optional(),
    categories: z.array(z.enum(delegateCategories)).min(1).optional(),
    showIf: conditionSchema.optional(),
    sensitive: z.boolean().optional(),
    options: z.array(optionSchema).min(1).max(200).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    maxLength: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
export type FormField = z.infer<typeof fieldSchema>;

/** The body of `PUT /conferences/{conferenceId}/registration-form`. */
export const formDefinitionSchema = z.object({ fields: z.array(fieldSchema).max(200) }).strict();
export type FormDefinition = z.infer<typeof formDefinitionSchema>;

/** A version of a conference's form as the conference's stream keeps it. */
export interface RegistrationForm {
  version: number;
  fields: FormField[];
}

/** The longest answer of a text field when the form sets no `maxLength`. */
export const DEFAULT_MAX_LENGTH: Partial<Record<FieldType, number>> = { text: 500, textarea: 4000 };

/** The field ids a condition names, depth first. */
export const conditionFieldIds = (condition: Condition): string[] =>
  'all' in condition
    ? condition.all.flatMap(conditionFieldIds)
    : 'any' in condition
      ? condition.any.flatMap(conditionFieldIds)
      : [condition.fieldId];

/** The single comparisons of a condition with where each sits (`showIf.all.0`), depth first. */
const comparisons = (
  condition: Condition,
  path: string,
): { path: string; fieldId: string; values: ConditionValue[] }[] => {
  if ('all' in condition)
    return condition.all.flatMap((inner, index) => comparisons(inner, `${path}.all.${index}`));
  if ('any' in condition)
    return condition.any.flatMap((inner, index) => comparisons(inner, `${path}.any.${index}`));
  return 'equals' in condition
    ? [{ path: `${path}.equals`, fieldId: condition.fieldId, values: [condition.equals] }]
    : [{ path: `${path}.in`, fieldId: condition.fieldId, values: condition.in }];
};

/** Whether a value can be an answer (or, for multi-choice, one chosen option) of the field. */
const fitsField = (field: FormField, value: ConditionValue): boolean => {
  switch (field.type) {
    case 'number':
      return typeof value === 'number';
    case 'yes-no':
    case 'checkbox':
      return typeof value === 'boolean';
    case 'single-choice':
    case 'multi-choice':
      return typeof value === 'string' && (field.options ?? []).some((option) => option.optionId === value);
    default:
      return typeof value === 'string';
  }
};

/**
 * Why a form definition is not valid, each at its path (`fields.3.showIf.fieldId`): repeated field or
 * option ids, options on a field that takes none (or none on a choice), ranges upside down, conditions
 * naming an unknown or later field (which is how a loop shows: a field may only depend on fields before
 * it, so the conditions can never loop) or comparing with a value the field cannot have, limits on
 * sensitive fields (a limit's count is not sensitive, its holder would be).
 */
export const formDefinitionErrors = (definition: FormDefinition): FieldError[] => {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  definition.fields.forEach((field, index) => {
    const at = `fields.${index}`;
    const earlier = seen.get(field.fieldId);
    if (earlier !== undefined)
      errors.push({
        path: `${at}.fieldId`,
        message: `repeats the field id ${field.fieldId} of fields.${earlier}`,
      });
    const isChoice = choiceTypes.includes(field.type);
    if (isChoice && !field.options)
      errors.push({ path: `${at}.options`, message: `a ${field.type} field needs its options` });
    if (!isChoice && field.options)
      errors.push({ path: `${at}.options`, message: `a ${field.type} field takes no options` });
    const optionIds = new Set<string>();
    field.options?.forEach((option, optionIndex) => {
      if (optionIds.has(option.optionId))
        errors.push({
          path: `${at}.options.${optionIndex}.optionId`,
          message: `repeats the option id ${option.optionId}`,
        });
      optionIds.add(option.optionId);
      if (option.limit !== undefined && field.sensitive)
        errors.push({
          path: `${at}.options.${optionIndex}.limit`,
          message: 'a sensitive field takes no limits: the holders of a limited place are not sealed',
        });
    });
    const ranged = field.type === 'number' || field.type === 'multi-choice';
    if (!ranged && (field.min !== undefined || field.max !== undefined))
      errors.push({ path: `${at}.min`, message: `a ${field.type} field takes no min or max` });
    if (field.min !== undefined && field.max !== undefined && field.min > field.max)
      errors.push({ path: `${at}.max`, message: 'must not be below min' });
    if (field.maxLength !== undefined && DEFAULT_MAX_LENGTH[field.type] === undefined)
      errors.push({ path: `${at}.maxLength`, message: `a ${field.type} field takes no maxLength` });
    if (field.showIf)
      for (const comparison of comparisons(field.showIf, `${at}.showIf`)) {
        const target = seen.get(comparison.fieldId);
        const named = definition.fields[target ?? -1];
        if (!named) {
          const later = definition.fields.findIndex((other) => other.fieldId === comparison.fieldId);
          errors.push({
            path: comparison.path.replace(/\.(equals|in)$/, '.fieldId'),
            message:
              later < 0
                ? `names the unknown field ${comparison.fieldId}`
                : `names ${comparison.fieldId}, which is not before this field: conditions may only name earlier fields, so they never loop`,
          });
          continue;
        }
        comparison.values.forEach((value, valueIndex) => {
          if (!fitsField(named, value))
            errors.push({
              path: comparison.path.endsWith('.in') ? `${comparison.path}.${valueIndex}` : comparison.path,
              message: `is not a value the ${named.type} field ${named.fieldId} can have`,
            });
        });
      }
    if (earlier === undefined) seen.set(field.fieldId, index);
  });
  return errors;
};

/**
 * Decides a new version of the form: 400 for a definition that is not valid, 409 when a field keeps its id
 * but changes its type (answers given to it would no longer fit: a field that was ever in a version of the
 * form keeps its type, since answers may point at any version).
 */
export const decideFormVersion = (
  definition: FormDefinition,
  previous: { version: number; fieldTypes: Record<string, FieldType> } | undefined,
): RegistrationForm => {
  const errors = formDefinitionErrors(definition);
  if (errors.length > 0) throw new InvalidCommandError('The registration form is not valid', errors);
  const retyped = definition.fields.filter((field) => {
    const before = previous?.fieldTypes[field.fieldId];
    return before !== undefined && before !== field.type;
  });
  if (retyped.length > 0)
    throw new ConflictError(
      `A field of an earlier version keeps its type, since answers may point at it: ${retyped
        .map((field) => `${field.fieldId} was ${previous?.fieldTypes[field.fieldId]}, not ${field.type}`)
        .join('; ')}. Give the new question a new fieldId.`,
    );
  return { version: (previous?.version ?? 0) + 1, fields: definition.fields };
};
