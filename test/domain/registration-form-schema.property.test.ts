import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { delegateCategories } from '../../domain/registration/events.js';
import { answerErrors } from '../../domain/registration-form/evaluate.js';
import {
  type Condition,
  type FormField,
  fieldTypes,
  formDefinitionErrors,
  type RegistrationForm,
} from '../../domain/registration-form/form.js';
import { formJsonSchema } from '../../domain/registration-form/json-schema.js';
import { registrationRequestSchema } from '../../functions/http/api-schemas.js';

/**
 * CONTRACT 5.2: "a body is valid for the schema exactly when the server accepts it on its form rules".
 * fast-check makes forms (every field type, categories, conditions equals/in/all/any over earlier fields)
 * and bodies (answers valid, wrong, missing, hidden, unknown), and an independent validator (Ajv, JSON
 * Schema 2020-12, formats asserted) must give the server's evaluator's verdict on every one.
 */

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
addFormats(ajv);

const bodySchema = z.toJSONSchema(registrationRequestSchema, {
  target: 'draft-2020-12',
  io: 'input',
}) as Record<string, unknown>;

const baseBody = {
  givenName: 'Ana',
  familyName: 'Pérez',
  email: 'ana@example.org',
  country: 'MX',
  city: 'Puebla',
  category: 'mayor',
  consent: true,
};

/** Answers that fit a field (the first few are what conditions compare with). */
const validValues = (field: FormField): unknown[] => {
  const ids = (field.options ?? []).map((option) => option.optionId);
  switch (field.type) {
    case 'text':
    case 'textarea':
      return ['Vegetarian', 'x'.repeat(field.maxLength ?? 20), 'Ñandú 北京'];
    case 'number':
      return [field.min ?? 0, field.max ?? 7, ((field.min ?? 0) + (field.max ?? 10)) / 2];
    case 'yes-no':
      return [true, false];
    case 'checkbox':
      return [true];
    case 'date':
      return ['2015-09-28', '2016-02-29', '2000-02-29'];
    case 'email':
      return ['ana@example.org', 'b@mx.gob.mx'];
    case 'phone':
      return ['+52 55 1234 5678', '0123'];
    case 'country':
      return ['MX', 'FI'];
    case 'single-choice':
      return ids;
    case 'multi-choice':
      return [[ids[0]], ids.slice(0, 2)];
  }
};

/** Values that do not fit some field or other: wrong types, ranges, lengths, patterns, options. */
const wrongValues: unknown[] = [
  42,
  -1e9,
  1e9,
  'x',
  '',
  'x'.repeat(600),
  true,
  false,
  null,
  {},
  [],
  ['o0', 'o0'],
  ['o9'],
  'o9',
  '2015-02-29',
  '1900-02-29',
  '2015-13-01',
  'not-an-email',
  '+',
  'ZZ',
  'mx',
  'a\u0007b',
  'o0',
  ['o0'],
];

const fieldSeed = fc.record({
  type: fc.constantFrom(...fieldTypes),
  required: fc.boolean(),
  sensitive: fc.boolean(),
  categories: fc.option(fc.subarray([...delegateCategories], { minLength: 1, maxLength: 4 }), {
    nil: undefined,
  }),
  options: fc.integer({ min: 1, max: 4 }),
  range: fc.option(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 20 })), {
    nil: undefined,
  }),
  maxLength: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  condition: fc.option(
    fc.record({
      kind: fc.constantFrom('equals', 'in', 'all', 'any'),
      targets: fc.tuple(fc.nat(), fc.nat()),
      picks: fc.tuple(fc.nat(), fc.nat(), fc.nat()),
    }),
    { nil: undefined },
  ),
});

const comparison = (target: FormField, pick: number, kind: 'equals' | 'in'): Condition => {
  const values = validValues(target).map((value) => (Array.isArray(value) ? value[0] : value)) as (
    | string
    | number
    | boolean
  )[];
  const first = values[pick % values.length] as string | number | boolean;
  return kind === 'equals'
    ? { fieldId: target.fieldId, equals: first }
    : {
        fieldId: target.fieldId,
        in: [first, values[(pick + 1) % values.length] as string | number | boolean],
      };
};

type FieldSeed = typeof fieldSeed extends fc.Arbitrary<infer T> ? T : never;

const buildForm = (seeds: FieldSeed[]): RegistrationForm => {
  const fields: FormField[] = [];
  seeds.forEach((seed, index) => {
    const field: FormField = { fieldId: `f${index}`, type: seed.type, label: `Question ${index}` };
    if (seed.required) field.required = true;
    if (seed.sensitive) field.sensitive = true;
    if (seed.categories) field.categories = seed.categories;
    if (field.type === 'single-choice' || field.type === 'multi-choice')
      field.options = Array.from({ length: seed.options }, (_, option) => ({
        optionId: `o${option}`,
        label: `Option ${option}`,
      }));
    if (seed.range && (field.type === 'number' || field.type === 'multi-choice')) {
      field.min = field.type === 'number' ? seed.range[0] : 1;
      field.max = field.type === 'number' ? seed.range[0] + seed.range[1] : Math.max(1, seed.range[1] % 3);
    }
    if (seed.maxLength && (field.type === 'text' || field.type === 'textarea'))
      field.maxLength = seed.maxLength;
    if (seed.condition && index > 0) {
      const [a, b] = seed.condition.targets.map((target) => fields[target % index] as FormField) as [
        FormField,
        FormField,
      ];
      const [p, q] = seed.condition.picks;
      field.showIf =
        seed.condition.kind === 'equals' || seed.condition.kind === 'in'
          ? comparison(a, p, seed.condition.kind)
          : ({
              [seed.condition.kind]: [comparison(a, p, 'equals'), comparison(b, q, 'in')],
            } as Condition);
    }
    fields.push(field);
  });
  return { version: 1, fields };
};

const formArb = fc.array(fieldSeed, { minLength: 1, maxLength: 8 }).map(buildForm);

const bodyArb = (form: RegistrationForm) =>
  fc
    .record({
      category: fc.constantFrom(...delegateCategories),
      picks: fc.array(fc.tuple(fc.nat(9), fc.nat()), {
        minLength: form.fields.length,
        maxLength: form.fields.length,
      }),
      unknown: fc.nat(19),
      noAnswers: fc.nat(9),
    })
    .map(({ category, picks, unknown, noAnswers }) => {
      const answers: Record<string, unknown> = {};
      form.fields.forEach((field, index) => {
        const [how, which] = picks[index] as [number, number];
        // Mostly a fitting answer or none, sometimes a wrong one: both verdicts stay common.
        if (how < 4) {
          const values = validValues(field);
          answers[field.fieldId] = values[which % values.length];
        } else if (how === 4) answers[field.fieldId] = wrongValues[which % wrongValues.length];
      });
      if (unknown === 0) answers.notAField = 'x';
      return { ...baseBody, category, ...(noAnswers === 0 ? {} : { answers }) };
    });

describe('the served JSON Schema and the server agree on every body', () => {
  it('generated forms are valid form definitions', () => {
    fc.assert(
      fc.property(formArb, (form) => {
        expect(formDefinitionErrors(form)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('Ajv 2020 accepts a body exactly when the evaluator finds no error', () => {
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(
        formArb.chain((form) =>
          fc.tuple(fc.constant(form), fc.array(bodyArb(form), { minLength: 1, maxLength: 8 })),
        ),
        ([form, bodies]) => {
          const validate = ajv.compile(formJsonSchema(form, bodySchema));
          for (const body of bodies) {
            const errors = answerErrors(form, body.category, (body as { answers?: unknown }).answers);
            const schemaSays = validate(body);
            if (schemaSays !== (errors.length === 0))
              throw new Error(
                `disagree on ${JSON.stringify(body)} for ${JSON.stringify(form.fields)}: schema ${schemaSays} (${JSON.stringify(validate.errors)}), server ${JSON.stringify(errors)}`,
              );
            verdicts[schemaSays ? 'valid' : 'invalid'] += 1;
          }
        },
      ),
      { numRuns: 400 },
    );
    // The generators reach both answers: a property that only ever saw one verdict would prove little.
    expect(verdicts.valid).toBeGreaterThan(100);
    expect(verdicts.invalid).toBeGreaterThan(100);
  });
});
