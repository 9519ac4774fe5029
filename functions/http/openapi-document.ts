/**
 * The OpenAPI 3.1 document of the API, generated: paths from the route table (infra/definitions/routes.ts),
 * words from openapi-routes.ts, and every body schema from the zod schemas of api-schemas.ts through zod's
 * own `z.toJSONSchema` (JSON Schema 2020-12, the dialect of OpenAPI 3.1). Nothing here is hand-written
 * schema JSON but the few headers and path parameters that no zod schema describes.
 */
import * as z from 'zod';
import { slotChangeSchema } from '../../domain/agenda/events.js';
import {
  conferenceDetailsSchema,
  conferenceSettingsChangeSchema,
  settingNames,
} from '../../domain/conference/events.js';
import {
  countryCode,
  countryCodes,
  FORBIDDEN_NAME_CHARACTERS,
  FORBIDDEN_TEXT_CHARACTERS,
  printable,
  printableName,
  timeOfDay,
  timeZone,
} from '../../domain/shared/values.js';
import { type RouteDefinition, routes } from '../../infra/definitions/routes.js';
import { ORGANIZERS_GROUP } from '../shared/http/auth.js';
import { requestBodies, responseBodies } from './api-schemas.js';
import { type RouteDoc, routeDocs, tags } from './openapi-routes.js';

type Json = Record<string, unknown>;

/** Words for domain schemas whose rules (refinements) JSON Schema cannot express. */
const sharedDescriptions = new Map<unknown, string>([
  [countryCode, 'An ISO 3166-1 alpha-2 country code in capitals, e.g. MX.'],
  [timeZone, 'An IANA time zone name, e.g. America/Mexico_City.'],
  [timeOfDay, 'A time of day HH:MM in the conference’s own time zone.'],
]);

/** The time zones the runtime's tz database (ICU) lists, and UTC: what the document offers. */
const timeZoneNames = () => [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])].sort();

/**
 * What the server checks beyond a plain JSON Schema translation, added where zod's refinements (code
 * the document cannot carry) would otherwise leave the document looser than the server.
 */
const precise = (zodSchema: unknown, jsonSchema: Json): void => {
  // The free-text pattern without the lone surrogates, which UTF-8 cannot carry and other regex dialects
  // cannot name: every character the server refuses in a UTF-8 body is in this class.
  if (jsonSchema.pattern === printable.source) jsonSchema.pattern = `^[^${FORBIDDEN_TEXT_CHARACTERS}]*$`;
  if (jsonSchema.pattern === printableName.source) jsonSchema.pattern = `^[^${FORBIDDEN_NAME_CHARACTERS}]*$`;
  if (zodSchema === countryCode) {
    jsonSchema.enum = [...countryCodes];
    delete jsonSchema.pattern;
  }
  if (zodSchema === timeZone) {
    jsonSchema.enum = timeZoneNames();
    jsonSchema.description =
      'An IANA time zone name, e.g. America/Mexico_City, as listed here from the server’s time zone ' +
      'database; the other IANA names of these zones (links such as Asia/Kolkata for Asia/Calcutta) are ' +
      'accepted too.';
    delete jsonSchema.maxLength;
  }
  if (zodSchema === slotChangeSchema) {
    const fields = Object.keys(slotChangeSchema.shape);
    jsonSchema.minProperties = 1;
    jsonSchema.anyOf = fields.map((field) => ({ required: [field] }));
    jsonSchema.description = `At least one of ${fields.join(', ')}; the others stay as they are.`;
  }
  if (zodSchema === conferenceSettingsChangeSchema) {
    jsonSchema.minProperties = 1;
    jsonSchema.anyOf = settingNames.map((field) => ({ required: [field] }));
    jsonSchema.additionalProperties = false;
    jsonSchema.description =
      `At least one of ${settingNames.join(', ')}; the others stay as they are. A value the conference ` +
      'already has changes nothing (400 when nothing changes).';
    const rooms = (jsonSchema.properties as Record<string, Json>).rooms;
    if (rooms)
      rooms.description =
        'The whole new list of rooms: every room of the conference must still be in it (names ignoring ' +
        'case); rooms may be added, never removed.';
  }
  if (zodSchema === conferenceDetailsSchema) {
    const properties = jsonSchema.properties as Record<string, Json>;
    const describe = (field: string, description: string) => {
      const property = properties[field];
      if (property) property.description = description;
    };
    describe(
      'endDate',
      'On or after startDate, and at most 31 days after it: a conference lasts at most 32 days, since its ' +
        'agenda lists every one of its days.',
    );
    describe('dailyEnd', 'After dailyStart, in the conference’s own time zone.');
    describe('rooms', 'Room names differ from each other, ignoring case.');
  }
};

const toJsonSchema = (name: string, schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    override: ({ zodSchema, jsonSchema }) => {
      const description = sharedDescriptions.get(zodSchema);
      if (description && jsonSchema.description === undefined) jsonSchema.description = description;
      precise(zodSchema, jsonSchema as Json);
      // Integers are safe integers anyway; the bounds only clutter the document.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      // An answer may gain a field (a compatible change), so clients must not reject unknown ones.
      if (io === 'output' && jsonSchema.additionalProperties === false)
        delete jsonSchema.additionalProperties;
    },
  }) as Json;
  // A component is referenced from elsewhere in the document: local `$defs` would not resolve there.
  if ('$defs' in json)
    throw new Error(`The schema ${name} needs $defs; give it no reused or recursive parts`);
  return json;
};

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemContent = { 'application/problem+json': { schema: schemaRef('Problem') } };
const problem = (description: string) => ({ description, content: problemContent });

const pathParameterDescriptions: Record<string, string> = {
  conferenceId: 'The id of the conference (from `POST /conferences` or `GET /conferences`).',
  registrationId: 'The id of the registration (from registering).',
  sessionId: 'The id of the session (from scheduling it, or the agenda).',
  verificationCode: 'The verification code printed on the visa letter (and in its QR code).',
};

const pathParameters = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    description: pathParameterDescriptions[name] ?? `The ${name}.`,
    // What `pathId` accepts; anything else is answered 404.
    schema: { type: 'string', pattern: '^[\\w-]{1,64}$' },
  }));

const operationId = (name: string) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

const securityOf: Record<RouteDefinition['access'], Json[]> = {
  public: [],
  organizer: [{ organizer: [] }],
  delegate: [{ manageToken: [] }, { organizer: [] }],
};

const authFailures: Record<RouteDefinition['access'], Json> = {
  public: {},
  organizer: {
    401: { $ref: '#/components/responses/Unauthorized' },
    403: problem(`The token is valid but its \`cognito:groups\` claim lacks \`${ORGANIZERS_GROUP}\`.`),
  },
  delegate: {
    401: problem(
      'Neither an X-Manage-Token header nor an organizer token was sent, or the token is not valid.',
    ),
    403: problem(
      'The manage token does not belong to this registration, or the organizer token lacks the ' +
        `\`${ORGANIZERS_GROUP}\` group.`,
    ),
  },
};

const successResponse = (route: RouteDefinition, doc: RouteDoc): Json => {
  const { success } = doc;
  const headers: Json = {
    ...(success.location ? { Location: { $ref: '#/components/headers/Location' } } : {}),
    ...(doc.conditional
      ? {
          ETag: { $ref: '#/components/headers/ETag' },
          'Cache-Control': { $ref: '#/components/headers/CacheControl' },
        }
      : {}),
    ...(route.method === 'POST'
      ? { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } }
      : {}),
  };
  const mediaType = success.mediaType ?? 'application/json';
  return {
    description: success.description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { [mediaType]: { schema: success.body ? schemaRef(success.body) : { type: 'string' } } },
  };
};

const operation = (route: RouteDefinition, doc: RouteDoc): Json => {
  const post = route.method === 'POST';
  const hasPathParameters = route.path.includes('{');
  const responses: Json = {
    [doc.success.status]: successResponse(route, doc),
    ...(doc.otherSuccess
      ? {
          [doc.otherSuccess.status]: successResponse(route, { ...doc, success: doc.otherSuccess }),
        }
      : {}),
    ...(doc.conditional ? { 304: { $ref: '#/components/responses/NotModified' } } : {}),
    ...(post || doc.badRequest
      ? {
          400: problem(
            doc.badRequest ??
              (doc.requestBody
                ? 'The body is not valid; `errors` lists each invalid field.'
                : 'The Idempotency-Key header is not valid.'),
          ),
        }
      : {}),
    ...(doc.seeOther
      ? {
          303: {
            description: doc.seeOther,
            headers: {
              Location: {
                description: 'Where the file can be fetched, without credentials, for at least 15 minutes.',
                schema: { type: 'string', format: 'uri' },
              },
            },
          },
        }
      : {}),
    ...(!post && doc.badRequest ? { 400: problem(doc.badRequest) } : {}),
    ...(!post && !doc.badRequest && doc.query?.some((parameter) => parameter.name === 'lang')
      ? { 400: problem('`lang` is not one of the conference’s languages (`errors` names them).') }
      : {}),
    ...authFailures[route.access],
    ...(doc.forbidden ? { 403: problem(doc.forbidden) } : {}),
    ...(hasPathParameters || doc.notFound ? { 404: problem(doc.notFound ?? 'No such resource.') } : {}),
    ...(doc.conflict ? { 409: problem(doc.conflict) } : {}),
    ...(doc.gone ? { 410: problem(doc.gone) } : {}),
    ...(doc.requestBody ? { 415: { $ref: '#/components/responses/UnsupportedMediaType' } } : {}),
    ...(post ? { 422: { $ref: '#/components/responses/IdempotencyKeyReused' } } : {}),
    ...(doc.tooManyRequests
      ? {
          429: {
            ...problem(doc.tooManyRequests),
            headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
          },
        }
      : {}),
    ...(doc.static ? {} : { 503: { $ref: '#/components/responses/ServiceUnavailable' } }),
  };
  const parameters = [
    ...pathParameters(route.path),
    ...(post ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
    ...(doc.conditional ? [{ $ref: '#/components/parameters/IfNoneMatch' }] : []),
    ...(doc.query ?? []).map((parameter) => ({ ...parameter, in: 'query', required: false })),
  ];
  return {
    operationId: operationId(route.name),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: securityOf[route.access],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.requestBody
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaRef(doc.requestBody) } },
          },
        }
      : {}),
    responses,
  };
};

const description = `The HTTP API (v1) of the Learning Cities conference backend.

JSON in and out (\`application/json\`), UTF-8. Times of day are \`HH:MM\` in the conference's own time zone;
dates are \`YYYY-MM-DD\`; instants are ISO 8601 UTC. Ids are opaque strings made by the server.

Errors are \`application/problem+json\` (RFC 9457): \`{type, title, status, detail, errors?}\`, where
\`errors\` lists \`{path, message}\` for each invalid field.

Every POST accepts \`Idempotency-Key\` (1–128 characters): sent again with the same key and body within
24 hours, it gets the first response again and changes nothing; the same key with another body gets 422.

Reads of projections (agenda, delegate counts) are eventually consistent: they show a command's effect
within a few seconds. Every answer carries \`X-Correlation-Id\` (the request's, when it sent a valid one).`;

const components = () => ({
  schemas: {
    ...Object.fromEntries(
      Object.entries(requestBodies).map(([name, schema]) => [name, toJsonSchema(name, schema, 'input')]),
    ),
    ...Object.fromEntries(
      Object.entries(responseBodies).map(([name, schema]) => [name, toJsonSchema(name, schema, 'output')]),
    ),
  },
  securitySchemes: {
    organizer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A JWT of the Cognito user pool (in the cloud) or of the local issuer (`npm run -s token`), whose ' +
        `\`cognito:groups\` claim contains \`${ORGANIZERS_GROUP}\`. No or a bad token: 401; a valid token ` +
        'without that group: 403.',
    },
    manageToken: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Manage-Token',
      description:
        'The `manageToken` returned once at registration (the server keeps only its hash). No token: 401; ' +
        'a wrong one: 403. An organizer token is accepted instead.',
    },
  },
  parameters: {
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes the POST safe to retry: the same key and body within 24 hours get the first response ' +
        'again and change nothing; the same key with another body gets 422.',
      schema: { type: 'string', minLength: 1, maxLength: 128 },
    },
    IfNoneMatch: {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'The ETag of a representation the client has: if it is still current, the answer is 304.',
      schema: { type: 'string' },
    },
  },
  headers: {
    ETag: { description: 'The entity tag of the representation.', schema: { type: 'string' } },
    CacheControl: { description: 'How long the representation may be reused.', schema: { type: 'string' } },
    Location: { description: 'Where the created resource can be read.', schema: { type: 'string' } },
    IdempotentReplayed: {
      description: '`true` when this is the stored first answer to a request with the same Idempotency-Key.',
      schema: { type: 'string', enum: ['true'] },
    },
    RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
    WWWAuthenticate: { description: 'The authentication scheme: `Bearer`.', schema: { type: 'string' } },
  },
  responses: {
    NotModified: {
      description: 'The representation named by If-None-Match is still current; no body.',
      headers: {
        ETag: { $ref: '#/components/headers/ETag' },
        'Cache-Control': { $ref: '#/components/headers/CacheControl' },
      },
    },
    Unauthorized: {
      description: 'No Authorization header, or the token is not a valid organizer JWT.',
      headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WWWAuthenticate' } },
      content: problemContent,
    },
    UnsupportedMediaType: problem('The body is not `application/json`.'),
    IdempotencyKeyReused: problem('This Idempotency-Key was already used with another request body.'),
    ServiceUnavailable: {
      description: 'The stores stayed busy after every retry; try again shortly.',
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      content: problemContent,
    },
  },
});

const build = (): Json => {
  const undocumented = routes.filter((route) => !routeDocs[route.name]).map((route) => route.name);
  const unknown = Object.keys(routeDocs).filter((name) => !routes.some((route) => route.name === name));
  if (undocumented.length > 0 || unknown.length > 0)
    throw new Error(
      `openapi-routes.ts and routes.ts disagree: undocumented [${undocumented}], unknown [${unknown}]`,
    );
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const doc = routeDocs[route.name] as RouteDoc;
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, doc) };
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Learning Cities conference API',
      version: '1.0.0',
      description,
    },
    servers: [{ url: '/', description: 'This deployment of the API' }],
    tags: Object.entries(tags).map(([name, text]) => ({ name, description: text })),
    paths,
    components: components(),
  };
};

let cached: Json | undefined;

/** The document, built once per execution environment. */
export const openApiDocument = (): Json => {
  cached ??= build();
  return cached;
};
