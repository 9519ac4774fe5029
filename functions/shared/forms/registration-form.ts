import * as z from 'zod';
import type { RegistrationFormState } from '../../../domain/conference/decider.js';
import { formTextOf } from '../../../domain/registration-form/form.js';
import { formJsonSchema, type JsonSchema } from '../../../domain/registration-form/json-schema.js';
import type { Language } from '../../../domain/shared/languages.js';
import { registrationRequestSchema } from '../../http/api-schemas.js';

/**
 * The JSON Schema of the registration body (CONTRACT 5.2), made once per function from the very zod
 * schema the registration route parses with: a field another slice adds to the body appears here by itself.
 */
let bodySchema: JsonSchema | undefined;
const registrationBodySchema = (): JsonSchema => {
  bodySchema ??= z.toJSONSchema(registrationRequestSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return bodySchema;
};

/** What `GET .../registration-form` answers: the form in force and the body's JSON Schema under it. */
export const registrationFormBody = (
  form: RegistrationFormState | undefined,
  language?: Language,
  defaultLanguage?: Language,
) => ({
  version: form?.version ?? 0,
  fields: form?.fields ?? [],
  jsonSchema: formJsonSchema(form, registrationBodySchema(), (text) =>
    formTextOf(text, language, defaultLanguage),
  ),
});
