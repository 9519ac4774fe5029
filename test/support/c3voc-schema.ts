import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** The c3voc schedule schema, vendored unchanged from voc/schedule (EUPL-1.2): see test/fixtures/README.md. */
export const C3VOC_SCHEMA_FILE = fileURLToPath(
  new URL('../fixtures/c3voc-schedule.schema.json', import.meta.url),
);

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A validator for schedule.json against the c3voc schema (JSON Schema draft-06). */
export const c3vocScheduleValidator = (): ValidateFunction => {
  if (!existsSync(C3VOC_SCHEMA_FILE))
    throw new Error(
      `The c3voc schedule schema is missing: expected ${C3VOC_SCHEMA_FILE} (vendored in test/fixtures/, see its README)`,
    );
  const schema = JSON.parse(readFileSync(C3VOC_SCHEMA_FILE, 'utf8')) as { $schema?: string };
  if (schema.$schema !== 'http://json-schema.org/draft-06/schema#')
    throw new Error(`Expected a draft-06 schema in ${C3VOC_SCHEMA_FILE}, found ${schema.$schema}`);
  // The schema carries annotations Ajv does not know ($oneOf, $todo, deprecated): not strict about those.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json'));
  addFormats(ajv);
  ajv.addFormat('color', /^#[0-9a-fA-F]{3,8}$/);
  return ajv.compile(schema);
};
