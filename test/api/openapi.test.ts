import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { sessionDetailsSchema, slotChangeSchema } from '../../domain/agenda/events.js';
import { awardGrantSchema } from '../../domain/award/events.js';
import { conferenceDetailsSchema, conferenceSettingsChangeSchema } from '../../domain/conference/events.js';
import { documentRequestSchema } from '../../domain/documents/documents.js';
import type { EventEnvelope } from '../../domain/events.js';
import type { Agenda } from '../../domain/projections/agenda.js';
import type { DelegateCounts } from '../../domain/projections/delegate-counts.js';
import { registrationDecisionsSchema } from '../../domain/registration/decisions.js';
import { formDefinitionSchema } from '../../domain/registration-form/form.js';
import { countryCode, printable, printableName, timeZone } from '../../domain/shared/values.js';
import { visaLetterRequestSchema } from '../../domain/visa-letter/events.js';
import {
  checkInRequestSchema,
  confirmRegistrationRequestSchema,
  delegationRequestSchema,
  delegationSettingsRequestSchema,
  detailsChangeRequestSchema,
  headOfDelegationRequestSchema,
  invitationDeclineSchema,
  invitationRequestSchema,
  manageLinkRequestSchema,
  type RequestBodyName,
  type ResponseBody,
  type ResponseBodyName,
  registrationRequestSchema,
  requestBodies,
  responseBodies,
  substitutionRequestSchema,
  visaLetterDeclineSchema,
} from '../../functions/http/api-schemas.js';
import { openApiDocument } from '../../functions/http/openapi-document.js';
import { routeDocs } from '../../functions/http/openapi-routes.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { DOCS_SCRIPT, routes } from '../../infra/definitions/routes.js';
import { delegate, iclc2015 } from '../domain/fixtures.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';
import { storeWithCodec } from '../support/personal-data.js';
import type { TestTables } from '../support/tables.js';

// Compile-time: the response schemas describe what the read side builds (a drift is a type error).
const agendaFits = (agenda: Agenda): ResponseBody<'Agenda'> => agenda;
const countsFit = (counts: DelegateCounts): ResponseBody<'DelegateCounts'> => counts;
void agendaFits;
void countsFit;

/**
 * CONTRACT section 2, route by route: success status, request body (component name), success body
 * (component name, or the media type of a text answer) and the notable failures.
 */
const contract: Array<{
  route: string;
  who: 'anyone' | 'organizer' | 'delegate';
  success: 200 | 201;
  /** A second success of a later section of the contract (5.1: a registration to confirm first, 202). */
  otherSuccess?: { status: 202; body: ResponseBodyName };
  request?: RequestBodyName;
  body: ResponseBodyName | `${string}/${string}`;
  failures: number[];
}> = [
  { route: 'GET /health', who: 'anyone', success: 200, body: 'Health', failures: [] },
  { route: 'GET /conferences', who: 'anyone', success: 200, body: 'ConferenceList', failures: [] },
  {
    route: 'POST /conferences',
    who: 'organizer',
    success: 201,
    request: 'ConferenceDetails',
    body: 'ConferenceCreated',
    failures: [400],
  },
  {
    route: 'GET /conferences/{conferenceId}',
    who: 'anyone',
    success: 200,
    body: 'Conference',
    failures: [404],
  },
  {
    route: 'POST /conferences/{conferenceId}/settings',
    who: 'organizer',
    success: 200,
    request: 'ConferenceSettingsChange',
    body: 'Conference',
    failures: [400, 404, 409],
  },
  {
    route: 'POST /conferences/{conferenceId}/registrations',
    who: 'anyone',
    success: 201,
    otherSuccess: { status: 202, body: 'ConfirmationSent' },
    request: 'RegistrationRequest',
    body: 'RegistrationCreated',
    failures: [400, 404, 409],
  },
  {
    route: 'GET /conferences/{conferenceId}/registrations/{registrationId}',
    who: 'delegate',
    success: 200,
    body: 'Registration',
    failures: [401, 403, 404],
  },
  {
    route: 'POST /conferences/{conferenceId}/registrations/{registrationId}/cancel',
    who: 'delegate',
    success: 200,
    body: 'RegistrationCancelled',
    failures: [409],
  },
  {
    route: 'POST /conferences/{conferenceId}/registrations/{registrationId}/check-in',
    who: 'organizer',
    success: 200,
    body: 'DelegateCheckedIn',
    failures: [409],
  },
  {
    route: 'POST /conferences/{conferenceId}/sessions',
    who: 'organizer',
    success: 201,
    request: 'SessionDetails',
    body: 'SessionScheduled',
    failures: [400, 409],
  },
  {
    route: 'POST /conferences/{conferenceId}/sessions/{sessionId}/reschedule',
    who: 'organizer',
    success: 200,
    request: 'SlotChange',
    body: 'SessionRescheduled',
    failures: [400, 409],
  },
  {
    route: 'POST /conferences/{conferenceId}/sessions/{sessionId}/cancel',
    who: 'organizer',
    success: 200,
    body: 'SessionCancelled',
    failures: [409],
  },
  {
    route: 'POST /conferences/{conferenceId}/awards',
    who: 'organizer',
    success: 201,
    request: 'AwardGrant',
    body: 'AwardGranted',
    failures: [400, 409],
  },
  {
    route: 'GET /conferences/{conferenceId}/awards',
    who: 'anyone',
    success: 200,
    body: 'AwardList',
    failures: [404],
  },
  {
    route: 'GET /conferences/{conferenceId}/agenda',
    who: 'anyone',
    success: 200,
    body: 'Agenda',
    failures: [404],
  },
  {
    route: 'GET /conferences/{conferenceId}/agenda.ics',
    who: 'anyone',
    success: 200,
    body: 'text/calendar',
    failures: [404],
  },
  {
    route: 'GET /conferences/{conferenceId}/schedule.json',
    who: 'anyone',
    success: 200,
    body: 'Schedule',
    failures: [404],
  },
  {
    route: 'GET /conferences/{conferenceId}/delegate-counts',
    who: 'anyone',
    success: 200,
    body: 'DelegateCounts',
    failures: [404],
  },
  { route: 'GET /openapi.json', who: 'anyone', success: 200, body: 'OpenApiDocument', failures: [] },
  { route: 'GET /docs', who: 'anyone', success: 200, body: 'text/html', failures: [] },
];

/** The reads of CONTRACT section 2 with ETag and If-None-Match (304). */
const conditionalReads = [
  'GET /conferences/{conferenceId}/agenda',
  'GET /conferences/{conferenceId}/agenda.ics',
  'GET /conferences/{conferenceId}/schedule.json',
];

// biome-ignore lint/suspicious/noExplicitAny: the test walks a JSON document
type Json = any;

const document: Json = openApiDocument();

/** Follows a local `$ref` of the document. */
const resolved = (node: Json): Json => {
  if (!node?.$ref) return node;
  const target = (node.$ref as string)
    .replace(/^#\//, '')
    .split('/')
    .reduce((parent: Json, key) => parent?.[key], document);
  expect(target, node.$ref).toBeDefined();
  return resolved(target);
};

const operationOf = (route: string): Json => {
  const [method = '', path = ''] = route.split(' ');
  const operation = document.paths?.[path]?.[method.toLowerCase()];
  expect(operation, `${route} is not in the document`).toBeDefined();
  return operation;
};

const propertiesOf = (name: string) => {
  const schema = document.components.schemas[name];
  return {
    properties: Object.keys(schema.properties ?? {}).sort(),
    required: [...(schema.required ?? [])].sort(),
  };
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (independent validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has every route of CONTRACT section 2 with its request body and success response', () => {
    for (const entry of contract) {
      const operation = operationOf(entry.route);
      if (entry.request) {
        expect(operation.requestBody?.required, entry.route).toBe(true);
        expect(operation.requestBody.content['application/json'].schema, entry.route).toEqual({
          $ref: `#/components/schemas/${entry.request}`,
        });
      } else {
        expect(operation.requestBody, entry.route).toBeUndefined();
      }
      const success = resolved(operation.responses[entry.success]);
      expect(success, `${entry.route} ${entry.success}`).toBeDefined();
      const isMediaType = entry.body.includes('/');
      const mediaType = isMediaType ? entry.body : 'application/json';
      const schema = success.content?.[mediaType]?.schema;
      expect(schema, `${entry.route}: no ${mediaType} body`).toBeDefined();
      if (!isMediaType) expect(schema, entry.route).toEqual({ $ref: `#/components/schemas/${entry.body}` });
      for (const status of Object.keys(operation.responses).filter((s) => /^2/.test(s)))
        expect(
          [entry.success, entry.otherSuccess?.status],
          `${entry.route}: another success status`,
        ).toContain(Number(status));
      if (entry.otherSuccess)
        expect(
          resolved(operation.responses[entry.otherSuccess.status]).content?.['application/json']?.schema,
          `${entry.route} ${entry.otherSuccess.status}`,
        ).toEqual({ $ref: `#/components/schemas/${entry.otherSuccess.body}` });
    }
  });

  it('answers every notable failure of the contract, and every error, with problem+json', () => {
    for (const entry of contract) {
      const operation = operationOf(entry.route);
      const statuses = Object.keys(operation.responses).map(Number);
      expect(statuses, entry.route).toEqual(expect.arrayContaining(entry.failures));
      for (const status of statuses.filter((s) => s >= 400)) {
        const response = resolved(operation.responses[status]);
        expect(response.content, `${entry.route} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
    }
    expect(propertiesOf('Problem')).toEqual({
      properties: ['detail', 'errors', 'status', 'title', 'type'],
      required: ['detail', 'status', 'title', 'type'],
    });
    expect(document.components.schemas.Problem.properties.errors.items.required.sort()).toEqual([
      'message',
      'path',
    ]);
  });

  it('documents who may call each route: the organizer bearer JWT and the X-Manage-Token key', () => {
    const { organizer, manageToken } = document.components.securitySchemes;
    expect(organizer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(organizer.description).toContain('cognito:groups');
    expect(organizer.description).toContain('organizers');
    expect(manageToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Manage-Token' });
    const expected = {
      anyone: [],
      organizer: [{ organizer: [] }],
      delegate: [{ manageToken: [] }, { organizer: [] }],
    };
    for (const entry of contract) {
      const operation = operationOf(entry.route);
      expect(operation.security, entry.route).toEqual(expected[entry.who]);
      if (entry.who !== 'anyone')
        expect(Object.keys(operation.responses), entry.route).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('gives every POST the Idempotency-Key header and its 422, and the agenda reads ETag, If-None-Match and 304', () => {
    for (const entry of contract.filter((e) => e.route.startsWith('POST '))) {
      const operation = operationOf(entry.route);
      const headers = (operation.parameters ?? []).map(resolved).filter((p: Json) => p.in === 'header');
      expect(headers, entry.route).toContainEqual(
        expect.objectContaining({
          name: 'Idempotency-Key',
          schema: { type: 'string', minLength: 1, maxLength: 128 },
        }),
      );
      expect(Object.keys(operation.responses), entry.route).toContain('422');
    }
    for (const route of conditionalReads) {
      const operation = operationOf(route);
      const headers = (operation.parameters ?? []).map(resolved);
      expect(headers, route).toContainEqual(expect.objectContaining({ name: 'If-None-Match', in: 'header' }));
      expect(resolved(operation.responses['304']).content, route).toBeUndefined();
      expect(Object.keys(resolved(operation.responses['200']).headers ?? {}), route).toContain('ETag');
    }
    expect(Object.keys(resolved(operationOf(conditionalReads[1] ?? '').responses['200']).content)).toEqual([
      'text/calendar',
    ]);
  });

  it('gives every read that takes `lang` its 400 (a language the conference does not offer)', () => {
    const withLang = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, Json>).filter((operation) =>
        (operation.parameters ?? []).some((parameter: Json) => parameter.name === 'lang'),
      ),
    );
    expect(withLang.length).toBeGreaterThan(3);
    for (const operation of withLang)
      expect(operation.responses, operation.operationId).toHaveProperty('400');
  });

  it('has each path parameter of each route, required, and a 404 for it', () => {
    for (const route of routes) {
      const operation = operationOf(`${route.method} ${route.path}`);
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      const parameters = (operation.parameters ?? []).map(resolved).filter((p: Json) => p.in === 'path');
      expect(
        parameters.map((p: Json) => p.name),
        route.name,
      ).toEqual(names);
      for (const parameter of parameters) expect(parameter.required, route.name).toBe(true);
      if (names.length > 0) expect(Object.keys(operation.responses), route.name).toContain('404');
    }
  });

  it('documents every route of routes.ts, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    expect(Object.keys(routeDocs).sort()).toEqual(routes.map((route) => route.name).sort());
    for (const route of routes)
      expect(operationOf(`${route.method} ${route.path}`).summary, route.name).toBe(
        routeDocs[route.name]?.summary,
      );
  });

  it('takes the request bodies from the very schemas the handlers validate with', () => {
    // Each handler's own `parseBody(request, <schema>)`, read from its source, against the body the
    // document names for its route (routeDocs): the document shows what the handler checks, route by route.
    const schemasByName: Record<string, unknown> = {
      conferenceDetailsSchema,
      conferenceSettingsChangeSchema,
      registrationRequestSchema,
      sessionDetailsSchema,
      slotChangeSchema,
      awardGrantSchema,
      visaLetterRequestSchema,
      visaLetterDeclineSchema,
      detailsChangeRequestSchema,
      checkInRequestSchema,
      confirmRegistrationRequestSchema,
      manageLinkRequestSchema,
      formDefinitionSchema,
      documentRequestSchema,
      invitationRequestSchema,
      invitationDeclineSchema,
      registrationDecisionsSchema,
      delegationRequestSchema,
      headOfDelegationRequestSchema,
      delegationSettingsRequestSchema,
      substitutionRequestSchema,
    };
    const named = new Set<string>();
    for (const route of routes) {
      const parsed = [
        ...readFileSync(new URL(`../../${route.entry}`, import.meta.url), 'utf8').matchAll(
          /parseBody\(request, (\w+)\)/g,
        ),
      ].map((match) => match[1] as string);
      const request = routeDocs[route.name]?.requestBody;
      expect(parsed.length, route.name).toBe(request ? 1 : 0);
      if (!request) continue;
      named.add(request);
      expect(schemasByName[parsed[0] as string], `${route.name} parses ${parsed[0]}`).toBe(
        requestBodies[request],
      );
    }
    expect([...named].sort()).toEqual(Object.keys(requestBodies).sort());
    // The fields of the contract's bodies, literally.
    expect(propertiesOf('ConferenceDetails')).toMatchObject({
      required: [
        'acronym',
        'capacity',
        'city',
        'country',
        'dailyEnd',
        'dailyStart',
        'endDate',
        'name',
        'rooms',
        'startDate',
        'timezone',
        'venue',
      ],
    });
    expect(propertiesOf('RegistrationRequest')).toEqual({
      properties: [
        'answers',
        'category',
        'city',
        'consent',
        'consentToPublish',
        'country',
        'email',
        'familyName',
        'givenName',
        'invitationCode',
        'language',
        'latinName',
        'nameOrder',
        'organization',
      ],
      required: ['category', 'city', 'consent', 'country', 'email', 'familyName', 'givenName'],
    });
    expect(document.components.schemas.RegistrationRequest.properties.consent).toMatchObject({ const: true });
    expect(document.components.schemas.RegistrationRequest.properties.category.enum).toEqual([
      'political-leader',
      'mayor',
      'education-executive',
      'civil-society',
      'academic',
      'private-sector',
      'international-organization',
      'media',
      'other',
    ]);
    expect(propertiesOf('SessionDetails')).toEqual({
      properties: [
        'abstract',
        'date',
        'end',
        'language',
        'room',
        'speakers',
        'start',
        'title',
        'track',
        'type',
      ],
      required: ['date', 'end', 'room', 'speakers', 'start', 'title', 'type'],
    });
    expect(document.components.schemas.SessionDetails.properties.type.enum).toEqual([
      'plenary',
      'parallel',
      'workshop',
      'ceremony',
      'side-event',
      'break',
    ]);
    expect(propertiesOf('SlotChange')).toEqual({
      properties: ['date', 'end', 'room', 'start'],
      required: [],
    });
    expect(document.components.schemas.SlotChange.minProperties).toBe(1);
    expect(propertiesOf('AwardGrant')).toEqual({
      properties: ['award', 'citation', 'city', 'country', 'sessionId', 'year'],
      required: ['award', 'city', 'country', 'year'],
    });
  });

  it('describes the response bodies of the contract field by field', () => {
    expect(propertiesOf('Registration')).toEqual({
      properties: [
        'answers',
        'cancelledAt',
        'category',
        'checkedInAt',
        'city',
        'conferenceId',
        'consentToPublish',
        'country',
        'delegationId',
        'delegationName',
        'email',
        'familyName',
        'formVersion',
        'givenName',
        'language',
        'latinName',
        'nameOrder',
        'organization',
        'registeredAt',
        'registrationId',
        'status',
      ],
      required: [
        'category',
        'city',
        'conferenceId',
        'country',
        'email',
        'familyName',
        'givenName',
        'language',
        'latinName',
        'nameOrder',
        'organization',
        'registeredAt',
        'registrationId',
        'status',
      ],
    });
    expect(propertiesOf('DelegateCounts').required).toEqual([
      'asOf',
      'byCategory',
      'byCountry',
      'cancelled',
      'capacity',
      'checkedIn',
      'conferenceId',
      'countries',
      'erased',
      'pending',
      'registered',
      'waitlisted',
    ]);
    expect(propertiesOf('Agenda').required).toEqual(['conferenceId', 'days', 'timezone']);
    const session = document.components.schemas.Agenda.properties.days.items.properties.sessions.items;
    expect(Object.keys(session.properties).sort()).toEqual([
      'awards',
      'end',
      'room',
      'sessionId',
      'speakers',
      'start',
      'status',
      'title',
      'track',
      'type',
    ]);
    expect(propertiesOf('RegistrationCreated').required).toEqual(['manageToken', 'registrationId', 'status']);
    expect(propertiesOf('ConferenceList').required).toEqual(['conferences']);
    expect(propertiesOf('AwardList').required).toEqual(['awards']);
  });
});

// --- Real answers of the handlers, checked against the document and the zod schemas ---

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  json: Json;
}

let environment: HandlerEnvironment | undefined;
let tables: TestTables;
let store: EventStore;
let organizerToken: string;
let memberToken: string;
const handlers = new Map<string, Handler>();

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('openapi', {
    logLevel: 'ERROR',
    env: { POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  ({ tables, organizerToken, memberToken } = environment);
  for (const route of routes) handlers.set(`${route.method} ${route.path}`, await importHandler(route.entry));
  store = storeWithCodec(tables.client, tables);
});

afterAll(async () => {
  await environment?.dispose();
});

/** Calls the handler of `route` (e.g. `GET /conferences/{conferenceId}`) for a concrete path. */
const call = async (
  route: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; token?: string } = {},
): Promise<Answer> => {
  const [method = '', template = ''] = route.split(' ');
  const handler = handlers.get(route);
  if (!handler) throw new Error(`no route ${route}`);
  const names = [...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => name ?? '');
  const pattern = new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{\w+\}/g, '([^/]+)')}$`);
  const values = pattern.exec(path)?.slice(1);
  if (!values) throw new Error(`${path} does not fit ${template}`);
  const result = await handler(
    httpEvent(method, path, {
      body: options.body,
      pathParameters: Object.fromEntries(names.map((name, i) => [name, values[i] ?? ''])),
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    }),
    lambdaContext('openapi-test'),
  );
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  const body = result.body ?? '';
  return {
    status: result.statusCode ?? 0,
    headers,
    body,
    isBase64Encoded: result.isBase64Encoded === true,
    json: /json/.test(headers['content-type'] ?? '') && body ? JSON.parse(body) : undefined,
  };
};

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const DOCUMENT_ID = 'https://api.test/openapi.json';
ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas: document.components.schemas } });

const checked: string[] = [];

/**
 * The answer must be one the document lists for the route, with its media type, and its body must fit the
 * schema there; a JSON success must also parse with the zod schema to exactly itself (no field the schema
 * lacks).
 */
const expectDocumented = (route: string, answer: Answer) => {
  const response = resolved(operationOf(route).responses[answer.status]);
  expect(
    response,
    `${route} answered ${answer.status}, which the document does not list: ${answer.body}`,
  ).toBeDefined();
  checked.push(`${route} ${answer.status}`);
  if (answer.status === 304) {
    expect(answer.body).toBe('');
    return;
  }
  const mediaType = (answer.headers['content-type'] ?? '').split(';')[0] ?? '';
  const content = response.content?.[mediaType];
  expect(content, `${route} ${answer.status}: ${mediaType} not documented`).toBeDefined();
  const ref: string | undefined = content.schema.$ref;
  if (!ref) return;
  const validate = ajv.getSchema(`${DOCUMENT_ID}${ref}`);
  if (!validate) throw new Error(`no schema ${ref}`);
  expect(validate(answer.json), `${route} ${answer.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
  const name = ref.split('/').pop() as ResponseBodyName;
  if (answer.status < 300)
    expect(responseBodies[name].parse(answer.json), `${route} ${name}`).toEqual(answer.json);
};

describe('the document is as strict as the server', () => {
  const schemas = () => document.components.schemas;
  const compiled = (schema: Json) => new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  it('lists the ISO 3166-1 codes the server accepts, and only those', () => {
    const country = schemas().ConferenceDetails.properties.country;
    expect(country.enum).toHaveLength(250);
    for (const code of country.enum) expect(countryCode.safeParse(code).success, code).toBe(true);
    for (const code of ['XX', 'ZZ', 'EU', 'UK', 'mx', 'MEX'])
      expect([countryCode.safeParse(code).success, country.enum.includes(code)], code).toEqual([
        false,
        false,
      ]);
    for (const name of ['RegistrationRequest', 'AwardGrant'])
      expect(schemas()[name].properties.country.enum, name).toEqual(country.enum);
  });

  it('lists IANA time zones, each of which the server accepts', () => {
    const timezone = schemas().ConferenceDetails.properties.timezone;
    expect(timezone.enum).toContain('America/Mexico_City');
    expect(timezone.enum).toContain('UTC');
    for (const zone of timezone.enum) expect(timeZone.safeParse(zone).success, zone).toBe(true);
    for (const zone of ['Mars/Olympus_Mons', 'Europe/Nowhere', 'CET+1', ''])
      expect([timeZone.safeParse(zone).success, timezone.enum.includes(zone)], zone).toEqual([false, false]);
  });

  it('needs at least one field in a reschedule, as the server does', () => {
    const validate = compiled(schemas().SlotChange);
    expect(validate({})).toBe(false);
    for (const field of ['date', 'start', 'end', 'room']) {
      const body = { date: '2015-09-28', start: '10:00', end: '11:00', room: 'Sala Principal' };
      expect(validate({ [field]: body[field as keyof typeof body] }), field).toBe(true);
    }
  });

  it('states the 32-day limit of a conference', () => {
    expect(schemas().ConferenceDetails.properties.endDate.description).toMatch(/32 days/);
  });

  it('writes text patterns without JavaScript-only syntax, refusing exactly the characters the server refuses', () => {
    const patterns: string[] = [];
    const walk = (node: Json) => {
      if (node && typeof node === 'object') {
        if (typeof node.pattern === 'string') patterns.push(node.pattern);
        for (const value of Object.values(node)) walk(value);
      }
    };
    walk(document);
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) {
      // No Unicode property escapes, named groups, lookbehind or \u{...}: what ECMA-262 has and others lack.
      expect(pattern, pattern).not.toMatch(/\\[pP]\{|\(\?<|\\u\{|\\k</);
    }
    // The name is a string or a map per language (CONTRACT 5.4): its string form carries the text pattern.
    const text = schemas().ConferenceDetails.properties.name.anyOf[0].pattern as string;
    const documented = new RegExp(text, 'u');
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue; // not representable in UTF-8
      const character = String.fromCharCode(code);
      const server = z.string().regex(printable).safeParse(character).success;
      if (documented.test(character) !== server) throw new Error(`U+${code.toString(16)}: server ${server}`);
    }
    expect(printable.test('Pérez, 北京, 😀')).toBe(true);
    // Names (CONTRACT 5.4): the same, except that the zero-width non-joiner and joiner are allowed.
    const namePattern = new RegExp(schemas().RegistrationRequest.properties.givenName.pattern as string, 'u');
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCharCode(code);
      const server = z.string().regex(printableName).safeParse(character).success;
      if (namePattern.test(character) !== server) throw new Error(`U+${code.toString(16)}: server ${server}`);
    }
    expect(printableName.test('می\u200Cخواهم क्\u200Dष')).toBe(true);
    expect(printableName.test('\u202Eabc')).toBe(false);
  });
});

describe('the handlers answer as documented (DynamoDB Local)', () => {
  it('in a whole conference: every route, its successes and its notable failures', async () => {
    const send = async (
      route: string,
      path: string,
      options: Parameters<typeof call>[2] = {},
      status?: number,
    ) => {
      const answer = await call(route, path, options);
      if (status !== undefined) expect(answer.status, `${route}: ${answer.body}`).toBe(status);
      expectDocumented(route, answer);
      return answer;
    };
    const organizer = { token: organizerToken };

    await send('GET /health', '/health', {}, 200);
    await send('POST /conferences', '/conferences', { body: iclc2015 }, 401);
    await send('POST /conferences', '/conferences', { body: iclc2015, token: memberToken }, 403);
    await send(
      'POST /conferences',
      '/conferences',
      { body: { ...iclc2015, country: 'Mexico' }, ...organizer },
      400,
    );
    await send(
      'POST /conferences',
      '/conferences',
      { body: iclc2015, ...organizer, headers: { 'content-type': 'text/plain' } },
      415,
    );
    const created = await send('POST /conferences', '/conferences', { body: iclc2015, ...organizer }, 201);
    const conferenceId: string = created.json.conferenceId;
    const base = `/conferences/${conferenceId}`;
    await send('GET /conferences', '/conferences', {}, 200);
    await send('GET /conferences/{conferenceId}', base, {}, 200);
    await send('GET /conferences/{conferenceId}', '/conferences/nope', {}, 404);
    const settings = 'POST /conferences/{conferenceId}/settings';
    await send(settings, `${base}/settings`, { body: { capacity: 900 } }, 401);
    await send(settings, `${base}/settings`, { body: { capacity: 900 }, token: memberToken }, 403);
    await send(settings, `${base}/settings`, { body: {}, ...organizer }, 400);
    await send(settings, `${base}/settings`, { body: { capacity: iclc2015.capacity }, ...organizer }, 400);
    await send(settings, '/conferences/nope/settings', { body: { capacity: 900 }, ...organizer }, 404);
    const changed = await send(
      settings,
      `${base}/settings`,
      { body: { capacity: iclc2015.capacity + 1 }, ...organizer },
      200,
    );
    expect(changed.json.capacity).toBe(iclc2015.capacity + 1);
    expect((await call('GET /conferences/{conferenceId}', base)).json).toEqual(changed.json);

    const register = 'POST /conferences/{conferenceId}/registrations';
    await send(register, `${base}/registrations`, { body: { ...delegate, consent: false } }, 400);
    await send(register, '/conferences/nope/registrations', { body: { ...delegate, consent: true } }, 404);
    const key = { 'idempotency-key': 'openapi-test-1' };
    const registered = await send(
      register,
      `${base}/registrations`,
      { body: { ...delegate, consent: true }, headers: key },
      201,
    );
    await send(
      register,
      `${base}/registrations`,
      { body: { ...delegate, consent: true, city: 'Puebla' }, headers: key },
      422,
    );
    await send(
      register,
      `${base}/registrations`,
      { body: { ...delegate, email: delegate.email.toUpperCase(), consent: true } },
      409,
    );
    const { registrationId, manageToken } = registered.json;
    const second = await send(
      register,
      `${base}/registrations`,
      { body: { ...delegate, email: 'second@example.org', organization: undefined, consent: true } },
      201,
    );

    const registration = `${base}/registrations/${registrationId}`;
    const read = 'GET /conferences/{conferenceId}/registrations/{registrationId}';
    await send(read, registration, {}, 401);
    await send(read, registration, { headers: { 'x-manage-token': 'wrong' } }, 403);
    await send(read, `${base}/registrations/nope`, { headers: { 'x-manage-token': manageToken } }, 404);
    await send(read, registration, { headers: { 'x-manage-token': manageToken } }, 200);
    const checkIn = 'POST /conferences/{conferenceId}/registrations/{registrationId}/check-in';
    await send(checkIn, `${registration}/check-in`, organizer, 200);
    await send(checkIn, `${registration}/check-in`, organizer, 409);
    await send(read, registration, organizer, 200);
    const cancel = 'POST /conferences/{conferenceId}/registrations/{registrationId}/cancel';
    const secondRegistration = `${base}/registrations/${second.json.registrationId}`;
    await send(
      cancel,
      `${secondRegistration}/cancel`,
      { headers: { 'x-manage-token': second.json.manageToken } },
      200,
    );
    await send(cancel, `${secondRegistration}/cancel`, organizer, 409);
    await send(read, secondRegistration, organizer, 200);

    const schedule = 'POST /conferences/{conferenceId}/sessions';
    const session = {
      title: 'Opening plenary',
      type: 'plenary',
      date: '2015-09-28',
      start: '10:00',
      end: '11:00',
      room: 'Sala Principal',
      track: 'Plenary',
      speakers: [{ name: 'Irina Bokova', affiliation: 'UNESCO' }, { name: 'Arne Carlsen' }],
    };
    await send(schedule, `${base}/sessions`, { body: { ...session, room: 'Atrium' }, ...organizer }, 400);
    const scheduled = await send(schedule, `${base}/sessions`, { body: session, ...organizer }, 201);
    const sessionId: string = scheduled.json.sessionId;
    await send(schedule, `${base}/sessions`, { body: { ...session, title: 'Clash' }, ...organizer }, 409);
    const other = await send(
      schedule,
      `${base}/sessions`,
      {
        body: {
          ...session,
          title: 'Side event',
          type: 'side-event',
          start: '12:00',
          end: '13:00',
          speakers: [],
        },
        ...organizer,
      },
      201,
    );
    const reschedule = 'POST /conferences/{conferenceId}/sessions/{sessionId}/reschedule';
    await send(
      reschedule,
      `${base}/sessions/${other.json.sessionId}/reschedule`,
      { body: { start: '25:00' }, ...organizer },
      400,
    );
    await send(
      reschedule,
      `${base}/sessions/${other.json.sessionId}/reschedule`,
      { body: { start: '10:30' }, ...organizer },
      409,
    );
    await send(
      reschedule,
      `${base}/sessions/${other.json.sessionId}/reschedule`,
      { body: { date: '2015-09-29' }, ...organizer },
      200,
    );
    const cancelSession = 'POST /conferences/{conferenceId}/sessions/{sessionId}/cancel';
    await send(cancelSession, `${base}/sessions/${other.json.sessionId}/cancel`, organizer, 200);
    await send(cancelSession, `${base}/sessions/${other.json.sessionId}/cancel`, organizer, 409);
    await send(cancelSession, `${base}/sessions/nope/cancel`, organizer, 404);

    const grant = 'POST /conferences/{conferenceId}/awards';
    const award = {
      award: 'UNESCO Learning City Award',
      year: 2015,
      city: 'Melton',
      country: 'AU',
      sessionId,
    };
    await send(grant, `${base}/awards`, { body: { ...award, year: 1800 }, ...organizer }, 400);
    await send(grant, `${base}/awards`, { body: award, ...organizer }, 201);
    await send(grant, `${base}/awards`, { body: award, ...organizer }, 409);
    await send('GET /conferences/{conferenceId}/awards', `${base}/awards`, {}, 200);
    await send('GET /conferences/{conferenceId}/awards', '/conferences/nope/awards', {}, 404);

    // What the projections do in the cloud, once, in order.
    // Each session is a stream of its own.
    const streams = [
      `conference-${conferenceId}`,
      `session-${sessionId}`,
      `session-${other.json.sessionId}`,
      `awards-${conferenceId}`,
    ];
    const registrations = [`registration-${registrationId}`, `registration-${second.json.registrationId}`];
    const load = async (ids: string[]): Promise<EventEnvelope[]> =>
      (await Promise.all(ids.map((id) => store.load(id)))).flat();
    const options = { client: tables.client, tableName: tables.readModels, store };
    const { ProjectionRunner } = await import('../../functions/shared/projections/projection-runner.js');
    const { agendaProjection, delegateCountsProjection } = await import(
      '../../functions/shared/projections/projections.js'
    );
    const agendaRunner = new ProjectionRunner(agendaProjection, options);
    for (const event of await load(streams)) await agendaRunner.apply(event, 1);
    const countsRunner = new ProjectionRunner(delegateCountsProjection as never, options);
    for (const event of await load([streams[0] ?? '', ...registrations])) await countsRunner.apply(event, 1);

    for (const route of conditionalReads) {
      const path = `${base}/${route.split('/').pop()}`;
      const first = await send(route, path, {}, 200);
      expect(first.headers.etag, route).toBeTruthy();
      await send(route, path, { headers: { 'if-none-match': first.headers.etag ?? '' } }, 304);
      await send(route, `/conferences/nope/${route.split('/').pop()}`, {}, 404);
    }
    const agenda = await call('GET /conferences/{conferenceId}/agenda', `${base}/agenda`);
    expect(agenda.json.days[0].sessions[0].awards).toHaveLength(1);
    const counts = await send(
      'GET /conferences/{conferenceId}/delegate-counts',
      `${base}/delegate-counts`,
      {},
      200,
    );
    expect(counts.json).toMatchObject({ registered: 1, checkedIn: 1, cancelled: 1, byCountry: { MX: 1 } });
    await send(
      'GET /conferences/{conferenceId}/delegate-counts',
      '/conferences/nope/delegate-counts',
      {},
      404,
    );

    const spec = await send('GET /openapi.json', '/openapi.json', {}, 200);
    expect(spec.json).toEqual(document);
    await send(
      'GET /openapi.json',
      '/openapi.json',
      { headers: { 'if-none-match': spec.headers.etag ?? '' } },
      304,
    );

    // Every route of the contract was called, and succeeded at least once.
    for (const entry of contract.filter((e) => e.route !== 'GET /docs'))
      expect(checked, entry.route).toContain(`${entry.route} ${entry.success}`);
  });
});

describe('GET /docs and its script', () => {
  const origin = 'https://api.example.org';

  it('is an HTML page that loads only same-origin resources, under a CSP that allows only this origin', async () => {
    const answer = await call('GET /docs', '/docs');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = answer.body;
    expect(html).toMatch(/^<!doctype html>/i);

    const urls = [...html.matchAll(/\s(?:src|href|data-url)="([^"]*)"/g)].map(
      ([, url]) => new URL(url ?? '', `${origin}/docs`),
    );
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) expect(url.origin, url.href).toBe(origin);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map(([, , body]) => body?.trim())).toEqual(scripts.map(() => ''));
    const sources = scripts.flatMap(([, attributes]) =>
      [...(attributes ?? '').matchAll(/\ssrc="([^"]*)"/g)].map(([, src]) => src),
    );
    expect(sources.map((src) => new URL(src ?? '', `${origin}/docs`).pathname)).toEqual([
      '/docs/assets/api-reference.js',
    ]);
    const documentUrl = /\sdata-url="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(new URL(documentUrl, `${origin}/docs`).pathname).toBe('/openapi.json');
    // Both are routes of the API.
    const paths = routes.map((route) => route.path);
    expect(paths).toContain('/docs/assets/api-reference.js');
    expect(paths).toContain('/openapi.json');

    const csp = Object.fromEntries(
      (answer.headers['content-security-policy'] ?? '')
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name = '', ...values]) => [name, values]),
    );
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    const nonce = /<meta property="csp-nonce" content="([^"]+)">/.exec(html)?.[1];
    expect(csp['style-src']).toEqual(["'self'", `'nonce-${nonce}'`]);
    for (const values of Object.values(csp) as string[][])
      for (const value of values)
        expect(value).toMatch(/^('self'|'none'|'nonce-[\w+/=]+'|'unsafe-inline'|data:)$/);
    expect(
      Object.entries(csp).filter(([, values]) => (values as string[]).includes("'unsafe-inline'")),
    ).toEqual([['style-src-attr', ["'unsafe-inline'"]]]);

    const again = await call('GET /docs', '/docs');
    expect(again.headers['content-security-policy']).not.toBe(answer.headers['content-security-policy']);
    expect(again.headers['cache-control']).toBe('no-store');
  });

  it('serves the Scalar bundle as JavaScript, gzip-encoded when accepted, within the Lambda answer limit', async () => {
    const script = readFileSync(new URL(`../../${DOCS_SCRIPT}`, import.meta.url), 'utf8');
    const plain = await call('GET /docs/assets/api-reference.js', '/docs/assets/api-reference.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.isBase64Encoded).toBe(false);
    expect(plain.body).toBe(script);
    expect(() => new Script(plain.body, { filename: 'api-reference.js' })).not.toThrow();
    expect(plain.body).toContain('createApiReference');

    const zipped = await call('GET /docs/assets/api-reference.js', '/docs/assets/api-reference.js', {
      headers: { 'accept-encoding': 'br, gzip;q=0.8' },
    });
    expect(zipped).toMatchObject({ status: 200, isBase64Encoded: true });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(Buffer.from(zipped.body, 'base64')).toString('utf8')).toBe(script);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);

    const refused = await call('GET /docs/assets/api-reference.js', '/docs/assets/api-reference.js', {
      headers: { 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const cached = await call('GET /docs/assets/api-reference.js', '/docs/assets/api-reference.js', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.etag ?? '' },
    });
    expect(cached).toMatchObject({ status: 304, body: '' });

    // A synchronous Lambda answer is at most 6 MB (the JSON of the whole result).
    const limit = 6 * 1024 * 1024;
    for (const answer of [plain, zipped])
      expect(
        Buffer.byteLength(JSON.stringify({ statusCode: 200, headers: answer.headers, body: answer.body })),
      ).toBeLessThan(limit);
  });
});
