import type { Condition, FormField } from './form.js';

/**
 * Whether the form asks a field of a body: its categories and its condition (CONTRACT 5.2). Apart from the
 * evaluator (evaluate.ts) and free of its schemas, so the registration page runs the very same rule in the
 * browser to show each question live.
 */

type Answers = Record<string, unknown>;

/** Whether the answers hold one for this field (an own property, never an inherited one). */
export const hasOwn = (answers: Answers | undefined, fieldId: string): boolean =>
  answers !== undefined && Object.hasOwn(answers, fieldId);

/** Whether a condition holds for these answers; a comparison with an unanswered field is false. */
export const conditionHolds = (
  condition: Condition,
  answers: Answers | undefined,
  fieldTypeOf: (fieldId: string) => string | undefined,
): boolean => {
  if ('all' in condition) return condition.all.every((inner) => conditionHolds(inner, answers, fieldTypeOf));
  if ('any' in condition) return condition.any.some((inner) => conditionHolds(inner, answers, fieldTypeOf));
  if (!hasOwn(answers, condition.fieldId)) return false;
  const answer = answers?.[condition.fieldId];
  const values = 'equals' in condition ? [condition.equals] : condition.in;
  if (fieldTypeOf(condition.fieldId) === 'multi-choice')
    return Array.isArray(answer) && answer.some((chosen) => values.includes(chosen as never));
  return values.includes(answer as never);
};

/** Whether a field is asked of this body: its category and its condition. */
export const fieldShown = (
  field: FormField,
  category: string | undefined,
  answers: Answers | undefined,
  fieldTypeOf: (fieldId: string) => string | undefined,
): boolean =>
  (field.categories === undefined ||
    (category !== undefined && field.categories.includes(category as never))) &&
  (field.showIf === undefined || conditionHolds(field.showIf, answers, fieldTypeOf));
