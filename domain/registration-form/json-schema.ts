import { countryCodes } from '../shared/values.js';
import { DATE_PATTERN, EMAIL_MAX_LENGTH, EMAIL_PATTERN, PHONE_PATTERN, TEXT_PATTERN } from './evaluate.js';
import {
  type Condition,
  DEFAULT_MAX_LENGTH,
  type FormField,
  type FormText,
  formTextOf,
  type RegistrationForm,
} from './form.js';

/**
 * The form as JSON Schema 2020-12 (CONTRACT 5.2): the whole registration body (the body's own schema,
 * given by the caller from its zod schema, so fields others add to the body appear by themselves) with
 * `answers` described field by field, and each field's visibility (categories, `showIf`) as `if`/`then`/
 * `else`. It states exactly the rules of evaluate.ts, with the same patterns.
 */

export type JsonSchema = Record<string, unknown>;

const answerSchema = (field: FormField, say: (text: FormText) => string): JsonSchema => {
  const annotations: JsonSchema = {
    title: say(field.label),
    ...(field.help === undefined ? {} : { description: say(field.help) }),
  };
  const choices = () =>
    (field.options ?? []).map((option) => ({ const: option.optionId, title: say(option.label) }));
  switch (field.type) {
    case 'text':
    case 'textarea':
      return {
        ...annotations,
        type: 'string',
        minLength: 1,
        maxLength: field.maxLength ?? DEFAULT_MAX_LENGTH[field.type] ?? 500,
        pattern: TEXT_PATTERN,
      };
    case 'number':
      return {
        ...annotations,
        type: 'number',
        ...(field.min === undefined ? {} : { minimum: field.min }),
        ...(field.max === undefined ? {} : { maximum: field.max }),
      };
    case 'yes-no':
      return { ...annotations, type: 'boolean' };
    case 'checkbox':
      return { ...annotations, const: true };
    case 'date':
      return { ...annotations, type: 'string', format: 'date', pattern: DATE_PATTERN };
    case 'email':
      return { ...annotations, type: 'string', maxLength: EMAIL_MAX_LENGTH, pattern: EMAIL_PATTERN };
    case 'phone':
      return { ...annotations, type: 'string', pattern: PHONE_PATTERN };
    case 'country':
      return { ...annotations, type: 'string', enum: [...countryCodes] };
    case 'single-choice':
      return { ...annotations, type: 'string', oneOf: choices() };
    case 'multi-choice':
      return {
        ...annotations,
        type: 'array',
        minItems: Math.max(1, field.min ?? 1),
        ...(field.max === undefined ? {} : { maxItems: field.max }),
        uniqueItems: true,
        items: { type: 'string', oneOf: choices() },
      };
  }
};

/** A condition as a schema of the `answers` object. */
const conditionSchema = (condition: Condition, typeOf: Map<string, string>): JsonSchema => {
  if ('all' in condition) return { allOf: condition.all.map((inner) => conditionSchema(inner, typeOf)) };
  if ('any' in condition) return { anyOf: condition.any.map((inner) => conditionSchema(inner, typeOf)) };
  const values = 'equals' in condition ? [condition.equals] : condition.in;
  const match: JsonSchema = values.length === 1 ? { const: values[0] } : { enum: values };
  return {
    required: [condition.fieldId],
    properties: {
      [condition.fieldId]:
        typeOf.get(condition.fieldId) === 'multi-choice' ? { type: 'array', contains: match } : match,
    },
  };
};

/** When the field is asked, as a schema of the whole body; undefined when it always is. */
const shownSchema = (field: FormField, typeOf: Map<string, string>): JsonSchema | undefined => {
  const parts: JsonSchema[] = [];
  if (field.categories)
    parts.push({ required: ['category'], properties: { category: { enum: field.categories } } });
  if (field.showIf)
    parts.push({ required: ['answers'], properties: { answers: conditionSchema(field.showIf, typeOf) } });
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { allOf: parts };
};

const fieldRule = (field: FormField, typeOf: Map<string, string>): JsonSchema | undefined => {
  const answered: JsonSchema = {
    required: ['answers'],
    properties: { answers: { required: [field.fieldId] } },
  };
  const notAnswered: JsonSchema = { properties: { answers: { not: { required: [field.fieldId] } } } };
  const shown = shownSchema(field, typeOf);
  if (!shown) return field.required ? answered : undefined;
  return field.required
    ? // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword.
      { if: shown, then: answered, else: notAnswered }
    : { if: shown, else: notAnswered };
};

/** `say` gives a form text in the language the schema is served in (the labels become its titles). */
export const formJsonSchema = (
  form: RegistrationForm | undefined,
  body: JsonSchema,
  say: (text: FormText) => string = (text) => formTextOf(text),
): JsonSchema => {
  const fields = form?.fields ?? [];
  const typeOf = new Map(fields.map((field) => [field.fieldId, field.type]));
  const { $schema: _schema, ...rest } = body;
  const properties = { ...((rest.properties as JsonSchema | undefined) ?? {}) };
  properties.answers = {
    type: 'object',
    properties: Object.fromEntries(fields.map((field) => [field.fieldId, answerSchema(field, say)])),
    additionalProperties: false,
  };
  const rules = fields.flatMap((field) => {
    const rule = fieldRule(field, typeOf);
    return rule ? [rule] : [];
  });
  const allOf = [...((rest.allOf as JsonSchema[] | undefined) ?? []), ...rules];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...rest,
    properties,
    ...(allOf.length > 0 ? { allOf } : {}),
  };
};
