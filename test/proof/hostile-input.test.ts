/**
 * Proof: whatever a client sends — any body, path parameter or header, huge, deeply nested, of the wrong
 * type, unicode, control characters, injection strings, prototype pollution keys — every route answers
 * problem+json 4xx (or 2xx where the input is valid), never 5xx, never a stack trace. And the auth matrix
 * of CONTRACT section 2 on every protected route: no or bad token 401, a valid token without the
 * organizers group 403; on delegate routes no token 401, a wrong manage token 403.
 *
 * The handlers run against the run's DynamoDB Local (own tables); the body limit of the local HTTP
 * front door (413) is checked over HTTP.
 */

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { type CryptoKey, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delegateSchema } from '../../domain/registration/events.js';
import { delegationToken } from '../../functions/shared/http/delegation-token.js';
import { invitationCodeOf } from '../../functions/shared/invitations/invitation-code.js';
import { checkInCodeOf } from '../../functions/shared/personal-data/check-in-code.js';
import { type RouteDefinition, routes } from '../../infra/definitions/routes.js';
import { buildPageScripts } from '../../infra/page-scripts.js';
import { type HttpServer, startHttpServer } from '../../local/http-server.js';
import { silentLogger } from '../../local/log.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadSigningKey, type SigningKey } from '../../local/signing-key.js';
import { delegate as delegateFixture, iclc2015 } from '../domain/fixtures.js';
import { lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import { type Handler, importHandler, importRouteHandlers } from '../support/handler-environment.js';
import { outboxMailsTo } from '../support/outbox.js';
import { storeWithCodec } from '../support/personal-data.js';
import {
  type Answer,
  expectProblem,
  fillPath,
  type Harness,
  invoke,
  prepareProofEnvironment,
  STACK_TRACE,
} from './harness.js';

let harness: Harness;
let key: SigningKey;
let handlers: Record<string, Handler>;
/** Ids of things that exist, so that valid path parameters reach the handlers' deeper checks. */
const ids: Record<string, string> = {};
/**
 * Routes that end what they act on get their own: erasing the shared registration would answer every
 * later request for it with 410. `fuzz` for the fuzzing, `matrix` for the auth matrix.
 */
const ownIds: Record<'fuzz' | 'matrix', Partial<Record<string, Record<string, string>>>> = {
  fuzz: {},
  matrix: {},
};
const idsOf = (route: RouteDefinition, use: 'fuzz' | 'matrix') => ({ ...ids, ...ownIds[use][route.name] });
let manageToken = '';
/** The check-in code of the shared registration (computed with the run's key, as the badge prints it). */
let checkInCode = '';
let otherManageToken = '';
/** A confirmation token of a registration request (CONTRACT 5.1), read from the outbox. */
let confirmationToken = '';
/**
 * Another one, never confirmed, for the confirmation page (GET /registrations/confirm?token=): the fuzz
 * of POST /registrations/confirm uses the first up.
 */
let pageToken = '';
/** The focal point's X-Delegation-Token of the shared delegation (CONTRACT 5.3), and one of another. */
let delegationTokenValue = '';
let otherDelegationToken = '';
/** The code of an invitation of its own for the fuzz of POST /invitations/decline (a code works once). */
let declineCode = '';
/** A pending registration of a moderated conference, for the fuzz of the decisions. */
let pendingRegistrationId = '';

const organizer = () => ({ authorization: `Bearer ${harness.organizerToken}` });

const call = (
  route: RouteDefinition,
  params: Record<string, string>,
  options: Parameters<typeof invoke>[3] = {},
) => invoke(handlers[route.name] as Handler, route, params, options);

const named = (name: string) => routes.find((route) => route.name === name) as RouteDefinition;

/** A valid body for each POST route (each call a new one where uniqueness matters). */
let bodies: Record<string, () => Record<string, unknown>>;

const paramsOf = (route: RouteDefinition): string[] =>
  [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

/** Any answer: below 500, and an error is problem+json without a stack trace. */
const expectSound = (answer: Answer) => {
  const context = `${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, context).toBeLessThan(500);
  if (answer.status >= 400) expectProblem(answer, answer.status);
  else expect(answer.status, context).toBeGreaterThanOrEqual(200);
};

/**
 * The delegate's pages (CONTRACT 5.6) are read by a browser: an unknown, expired or used link gets an
 * HTML page saying so (not problem+json), below 500 and without a stack trace. Any other answer of
 * theirs is held to expectSound.
 */
const pageRoutes = new Set(['GetConfirmationPage']);
const expectSoundPage = (answer: Answer) => {
  const context = `${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status !== 404 || !/^text\/html/.test(String(answer.headers['content-type'])))
    return expectSound(answer);
  expect(answer.text, context).toMatch(/^<!doctype html>/i);
  expect(answer.text, context).not.toMatch(STACK_TRACE);
};

/** Query strings of the routes that read one: valid often enough to reach the handler's logic. */
const queries: Partial<Record<string, () => fc.Arbitrary<Record<string, string>>>> = {
  GetConfirmationPage: () =>
    fc.record(
      {
        token: fc.oneof(
          { weight: 3, arbitrary: fc.constant(pageToken) },
          { weight: 2, arbitrary: hostileString },
        ),
        lang: fc.oneof(fc.constantFrom('en', 'es', 'fr'), hostileString),
      },
      { requiredKeys: [] },
    ),
};

// ---------------------------------------------------------------------------------------------------
// Hostile values.

const injections = [
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP TABLE Events; --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{"$ne":1}',
  '{"$gt":""}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style lookup string, sent as it is
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  'a\r\nSet-Cookie: injected=1',
  '__proto__',
  'constructor',
  'prototype',
  '\u202eevil.exe',
  '\ufeff',
  '\ud800',
  '🙂'.repeat(40),
  'Z̷̧̛̖̙̝͚̯͉̲̈́̈́̓͊̓̀a̵̢̜͔̹̘͐l̵̨̛̹͓͉͂̋g̸̛̱̤͖̈́ơ̶̢̰͓͌',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  'A'.repeat(5_000),
];

const hostileString = fc.oneof(
  fc.constantFrom(...injections),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0007\u001b[31m\t`),
);

const deep = (depth: number, open: string, close: string, core = '1') =>
  `${open.repeat(depth)}${core}${close.repeat(depth)}`;

const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ $ne: 1 }),
  fc.constant({ $where: 'sleep(1000)' }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}}')),
  fc.constant({ constructor: { prototype: { polluted: 'yes' } } }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(hostileString, { maxLength: 40 }),
  fc.integer({ min: 1, max: 200 }).map((depth) => JSON.parse(deep(depth, '[', ']'))),
);

/** A body text for a route whose valid body is `valid` (none for routes without a body). */
const bodyText = (valid: (() => Record<string, unknown>) | undefined): fc.Arbitrary<string | undefined> => {
  const generic = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    hostileString,
    fc.integer({ min: 1, max: 100_000 }).map((depth) => deep(depth, '[', ']', '')),
    fc.integer({ min: 1, max: 20_000 }).map((depth) => deep(depth, '{"a":', '}')),
    fc.constantFrom('{', '}', '[1,]', '{"a":1,}', '\u0000', 'true', '1', '"x"', '{"a":1}{"b":2}', 'NaN'),
  );
  if (!valid) return generic;
  const keys = Object.keys(valid());
  return fc.oneof(
    { weight: 1, arbitrary: generic },
    // The valid body as it is, with the path and the headers still hostile: a body whose fields are all
    // required and checked strictly (issue 18's `{registrationId, invitation}`) is otherwise valid only
    // by chance, and its route's fuzz would rarely reach the domain.
    { weight: 1, arbitrary: fc.constant(undefined).map(() => JSON.stringify(valid())) },
    {
      // A valid body with one field replaced, removed or added.
      weight: 3,
      arbitrary: fc
        .record({
          field: fc.constantFrom(...keys, ...prototypeKeys, 'extra'),
          value: hostileValue,
          drop: fc.boolean(),
        })
        .map(({ field, value, drop }) => {
          const body: Record<string, unknown> = { ...valid() };
          if (drop && field in body) delete body[field];
          else
            Object.defineProperty(body, field, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          return JSON.stringify(body);
        }),
    },
    {
      // Prototype pollution as the JSON text would carry it.
      weight: 1,
      arbitrary: fc.constantFrom(...prototypeKeys).map((field) => {
        const text = JSON.stringify(valid());
        return `{"${field}": {"polluted": "yes", "isAdmin": true}, ${text.slice(1)}`;
      }),
    },
  );
};

const tokenValue = () =>
  fc.oneof(
    fc.constant(undefined),
    // Often the right one, so that the other hostile parts get past authentication.
    { weight: 4, arbitrary: fc.constant(`Bearer ${harness.organizerToken}`) },
    hostileString,
    hostileString.map((s) => `Bearer ${s}`),
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJub25lIn0.e30.',
    ),
  );

const headers = () =>
  fc
    .record(
      {
        authorization: tokenValue(),
        'x-manage-token': fc.oneof(fc.constant(manageToken), fc.constant(otherManageToken), hostileString),
        // The focal point's token (CONTRACT 5.3), often (as the organizer's), another delegation's, or anything.
        'x-delegation-token': fc.oneof(
          { weight: 4, arbitrary: fc.constant(delegationTokenValue) },
          fc.constant(otherDelegationToken),
          hostileString,
        ),
        // Often a valid one, so that the other hostile parts get past it (as with the token).
        'idempotency-key': fc.oneof(
          { weight: 4, arbitrary: fc.uuid() },
          hostileString,
          fc.string({ minLength: 0, maxLength: 300 }),
        ),
        'content-type': fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'application/problem+json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            '',
          ),
          hostileString,
        ),
        'x-correlation-id': hostileString,
        'if-none-match': fc.oneof(fc.constant('*'), hostileString),
        host: hostileString,
        'x-forwarded-proto': hostileString,
      },
      { requiredKeys: [] },
    )
    .map((record) =>
      Object.fromEntries(
        Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      ),
    );

const pathParam = (route: RouteDefinition, name: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(idsOf(route, 'fuzz')[name] ?? 'missing') },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.string({ minLength: 60, maxLength: 70, unit: 'grapheme-ascii' }) },
    { weight: 1, arbitrary: fc.uuid() },
  );

describe('fuzzing every route: bodies, path parameters and headers', () => {
  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s',
    async (_, route) => {
      const params = Object.fromEntries(paramsOf(route).map((name) => [name, pathParam(route, name)]));
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.record(params) as fc.Arbitrary<Record<string, string>>,
          route.method !== 'GET' ? bodyText(bodies[route.name]) : fc.constant(undefined),
          headers(),
          queries[route.name]?.() ?? fc.constant(undefined),
          async (pathParameters, rawBody, sent, query) => {
            const answer = await call(route, pathParameters, { rawBody, headers: sent, query });
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            if (pageRoutes.has(route.name)) expectSoundPage(answer);
            else expectSound(answer);
          },
        ),
        // A command passes four hostile parts (path, token, key, body) before it reaches the domain, a
        // read two path parameters (each valid 3 times in 7) and a token (valid about 6 times in 10):
        // about 1 read in 9 gets through, so 50 runs missed all of them 3 times in 1,000 (CI saw it on
        // badge.pdf). 200 runs miss with odds below 1 in 10^9; 300 do for the commands. A command with two
        // path parameters reached its domain only 2 to 9 times in 300 (issue 18's delegation routes, the
        // desk's details): three times as many runs for it.
        { numRuns: route.method === 'GET' ? 200 : paramsOf(route).length > 1 ? 900 : 300 },
      );
      // The fuzz got past the front checks too: some requests reached the domain (2xx, or 409 once done,
      // or 410 once the fuzz's own registration was erased).
      const reached = [...statuses].filter(([status]) => status < 300 || status === 409 || status === 410);
      expect(reached.length, JSON.stringify([...statuses])).toBeGreaterThan(0);
    },
  );

  it('a registration body is accepted exactly when it is valid (2xx), otherwise 400 with the fields at fault', async () => {
    const register = named('RegisterDelegate');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          givenName: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 120 }), hostileValue),
          familyName: fc.oneof(fc.constant('Pérez'), hostileString),
          country: fc.oneof(fc.constantFrom('MX', 'FI', 'KR', 'mx', 'XX', 'MEX'), hostileValue),
          category: fc.oneof(fc.constantFrom('mayor', 'academic', 'Mayor'), hostileValue),
          consent: fc.oneof(fc.constant(true), hostileValue),
        }),
        async (fields) => {
          n += 1;
          const body = {
            ...delegateFixture,
            email: `fuzz.${n}.${Date.now()}@example.org`,
            city: 'Cork',
            ...fields,
          };
          const answer = await call(register, { conferenceId: ids.conferenceId as string }, { body });
          const valid = delegateSchema.safeParse(body).success && body.consent === true;
          if (valid) expect(answer.status, answer.text).toBe(201);
          else {
            expectProblem(answer, 400);
            expect((answer.json.errors as unknown[]).length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('huge bodies and deep nesting sent straight to the handlers (as API Gateway may, up to 10 MB): 4xx', async () => {
    const create = named('CreateConference');
    const register = named('RegisterDelegate');
    const cases = [
      JSON.stringify({ ...iclc2015, name: 'x'.repeat(6_000_000) }),
      JSON.stringify({
        ...iclc2015,
        rooms: Array.from({ length: 200_000 }, (_, i) => ({ name: `Room ${i}` })),
      }),
      deep(2_000_000, '[', ']', ''),
      deep(500_000, '{"a":', '}'),
      JSON.stringify(Array.from({ length: 500_000 }, () => ({ $ne: 1 }))),
    ];
    for (const rawBody of cases) {
      for (const [route, params] of [
        [create, {}],
        [register, { conferenceId: ids.conferenceId as string }],
      ] as const) {
        const answer = await call(route, params, { rawBody, headers: organizer() });
        expectProblem(answer, { class: 4 });
      }
    }
  });

  it('leaves Object.prototype untouched', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The auth matrix.

const sign = async (
  claims: Record<string, unknown>,
  options: {
    issuer?: string;
    audience?: string;
    expires?: number;
    notBefore?: number;
    privateKey?: CryptoKey;
    kid?: string;
  } = {},
) => {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ token_use: 'id', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid })
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setSubject('matrix')
    .setIssuedAt(now - 120)
    .setExpirationTime(options.expires ?? now + 600);
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
  return jwt.sign(options.privateKey ?? key.privateKey);
};

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Each case: the Authorization header (or none) and the status the contract gives it. */
let badTokens: Array<[string, string | undefined]>;
let forbiddenTokens: Array<[string, string]>;

const protectedRoutes = routes.filter((route) => route.access !== 'public');

describe('auth matrix on every protected route (CONTRACT section 2)', () => {
  it('knows every protected route', () => {
    expect(protectedRoutes.map((route) => route.name).sort()).toEqual(
      [
        'CancelRegistration',
        'CancelSession',
        'ChangeConferenceSettings',
        'CheckInDelegate',
        'CreateConference',
        'ErasePersonalData',
        'ExportRegistrations',
        'GetRegistration',
        'GrantAward',
        'ListRegistrations',
        'RescheduleSession',
        'ScheduleSession',
        'RequestVisaLetter',
        'IssueVisaLetter',
        'DeclineVisaLetter',
        'GetVisaLetterPdf',
        'ListVisaLetters',
        'ChangeRegistrationDetails',
        'CheckInByCode',
        'GetBadges',
        'GetRegistrationBadge',
        // The delegate's page's QR code (CONTRACT 5.6).
        'GetCheckInCode',
        // registration-form (CONTRACT 5.2), documents (CONTRACT 5.5), translations.
        'PutRegistrationForm',
        'GetAnswersSummary',
        'StartDocument',
        'GetDocument',
        'GetMissingTranslations',
        // Issue 18 (CONTRACT 5.3): the organizer's decisions, invitations and delegation settings. The
        // routes an organizer or a focal point may call are public to the authorizer (checked below).
        'DecideRegistrations',
        'ListInvitations',
        'RemindInvitation',
        'RevokeInvitation',
        'CreateDelegation',
        'ChangeDelegationCredentials',
      ].sort(),
    );
  });

  const request = (route: RouteDefinition, headers: Record<string, string>) =>
    call(
      route,
      Object.fromEntries(paramsOf(route).map((name) => [name, idsOf(route, 'matrix')[name] as string])),
      {
        body: bodies[route.name]?.(),
        headers,
      },
    );

  describe.each(protectedRoutes.map((route) => [route.name, route] as const))('%s', (_, route) => {
    it('no token, a malformed one, or one that does not verify: 401 with WWW-Authenticate', async () => {
      for (const [what, authorization] of badTokens) {
        const answer = await request(route, authorization === undefined ? {} : { authorization });
        expectProblem(answer, 401);
        expect(answer.headers['www-authenticate'], what).toBe('Bearer');
      }
    });

    it('a valid token without the organizers group: 403', async () => {
      for (const [what, token] of forbiddenTokens) {
        const answer = await request(route, { authorization: `Bearer ${token}` });
        expect(answer.status, what).toBe(403);
        expectProblem(answer, 403);
      }
    });

    if (route.access === 'delegate') {
      it('a manage token that is wrong, or belongs to another registration: 403; none at all: 401', async () => {
        for (const wrong of [
          otherManageToken,
          'x',
          'A'.repeat(43),
          `${manageToken}x`,
          manageToken.slice(1),
        ]) {
          expectProblem(await request(route, { 'x-manage-token': wrong }), 403);
        }
        expectProblem(await request(route, { 'x-manage-token': '' }), 401);
        expectProblem(await request(route, {}), 401);
      });
    }

    it('the right credentials pass (the matrix can tell)', async () => {
      const answer = await request(route, organizer());
      expect([401, 403], answer.text).not.toContain(answer.status);
      expect(answer.status).toBeLessThan(500);
      if (route.access === 'delegate') {
        const asDelegate = await request(route, { 'x-manage-token': manageToken });
        expect([401, 403], asDelegate.text).not.toContain(asDelegate.status);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// The routes of an organizer or a delegation's focal point (CONTRACT 5.3): public to the authorizer,
// authorized in the handler.

const delegationRoutes = routes.filter((route) => route.checksDelegationTokens);

describe('organizer or focal point (X-Delegation-Token, CONTRACT 5.3)', () => {
  it('knows every such route', () => {
    expect(delegationRoutes.map((route) => route.name).sort()).toEqual(
      ['SendInvitation', 'GetDelegation', 'NameHeadOfDelegation', 'SubstituteDelegationMember'].sort(),
    );
    for (const route of delegationRoutes) expect(route.access, route.name).toBe('public');
  });

  const request = (route: RouteDefinition, headers: Record<string, string>) =>
    call(
      route,
      Object.fromEntries(paramsOf(route).map((name) => [name, idsOf(route, 'matrix')[name] as string])),
      { body: bodies[route.name]?.(), headers },
    );

  describe.each(delegationRoutes.map((route) => [route.name, route] as const))('%s', (_, route) => {
    it('neither credential: 401; an Authorization that does not verify: 401 with WWW-Authenticate', async () => {
      expectProblem(await request(route, {}), 401);
      for (const [what, authorization] of badTokens) {
        if (authorization === undefined) continue;
        // A bad organizer token is not made good by a right delegation token beside it.
        const answer = await request(route, { authorization, 'x-delegation-token': delegationTokenValue });
        expectProblem(answer, 401);
        expect(answer.headers['www-authenticate'], what).toBe('Bearer');
      }
    });

    it('a valid token without the organizers group: 403', async () => {
      for (const [what, token] of forbiddenTokens) {
        const answer = await request(route, { authorization: `Bearer ${token}` });
        expect(answer.status, what).toBe(403);
        expectProblem(answer, 403);
      }
    });

    it("a delegation token that is not this conference's (or, on a delegation's path, another delegation's): 403", async () => {
      const [id = '', mac = ''] = delegationTokenValue.split('.');
      const wrong = [
        'x',
        '.',
        `${delegationTokenValue}x`,
        delegationTokenValue.slice(0, -1),
        `${id}.${'A'.repeat(mac.length)}`,
        `${ids.delegationId}`,
        await delegationToken(
          String(ownIds.fuzz.DecideRegistrations?.conferenceId),
          ids.delegationId as string,
        ),
      ];
      if (paramsOf(route).includes('delegationId')) wrong.push(otherDelegationToken);
      for (const token of wrong) {
        const answer = await request(route, { 'x-delegation-token': token });
        expect(answer.status, token).toBe(403);
        expectProblem(answer, 403);
      }
    });

    it('the organizer and the focal point pass (the matrix can tell)', async () => {
      for (const headers of [organizer(), { 'x-delegation-token': delegationTokenValue }]) {
        const answer = await request(route, headers);
        expect([401, 403], answer.text).not.toContain(answer.status);
        expect(answer.status, answer.text).toBeLessThan(500);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Over HTTP: the local front door's body limit.

describe('over HTTP (local/http-server.ts)', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer({ port: 0, logger: silentLogger });
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizer(), ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
  };

  it('a body over 1 MiB: 413 problem+json, the handler never called', async () => {
    for (const path of ['/conferences', `/conferences/${ids.conferenceId}/registrations`]) {
      const answer = await post(path, JSON.stringify({ ...iclc2015, name: 'x'.repeat(1024 * 1024) }));
      expect(answer.status).toBe(413);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.text)).toMatchObject({ status: 413 });
      expect(answer.text).not.toMatch(STACK_TRACE);
    }
  });

  it('just under the limit, deeply nested or hostile: 4xx problem+json', async () => {
    const path = `/conferences/${ids.conferenceId}/registrations`;
    for (const body of [
      deep(500_000, '[', ']', ''),
      deep(100_000, '{"a":', '}'),
      `{"__proto__": {"polluted": true}, "givenName": "<script>alert(1)</script>"}`,
      "' OR 1=1 --",
    ]) {
      const answer = await post(path, body);
      expect(answer.status, answer.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.text).not.toMatch(STACK_TRACE);
    }
  });

  it('odd paths and methods: 404 / 405 problem+json', async () => {
    for (const [method, path, status] of [
      ['GET', '/conferences/%E0%A4%A/agenda', 404],
      ['GET', '/../../etc/passwd', 404],
      ['DELETE', `/conferences/${ids.conferenceId}`, 405],
      ['GET', `/conferences/${encodeURIComponent("' OR 1=1 --")}`, 404],
      ['GET', `/conferences/${fillPath('{x}', { x: '<script>' })}/delegate-counts`, 404],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.text()).not.toMatch(STACK_TRACE);
    }
  });
});

beforeAll(async () => {
  harness = await prepareProofEnvironment('proof-hostile');
  // What is proven here is each answer's soundness, not its delay: manage-link's answer floor (a second, so
  // that an owner's answer leaves when a stranger's does; test/handlers/answer-floor.test.ts) would make its
  // 300 fuzzed requests take minutes.
  process.env.MANAGE_LINK_ANSWER_FLOOR_MS = '0';
  // The delegate's pages' scripts, bundled as CDK and the local runtime bundle them (infra/page-scripts.ts):
  // GET /pages/{script} serves them.
  buildPageScripts();
  key = await loadSigningKey(harness.dataDir);
  handlers = await importRouteHandlers();
  let unique = 0;
  const next = () => {
    unique += 1;
    return `${Date.now().toString(36)}-${unique}`;
  };
  bodies = {
    CreateConference: () => ({ ...iclc2015 }),
    RegisterDelegate: () => ({ ...delegateFixture, email: `delegate.${next()}@example.org`, consent: true }),
    ScheduleSession: () => ({
      title: `Session ${next()}`,
      type: 'workshop',
      date: '2015-09-29',
      start: '14:00',
      end: '15:00',
      room: 'Sala Manuel M. Ponce',
      speakers: [{ name: `Speaker ${next()}` }],
    }),
    // Three fields, so that a fuzzed body that drops or breaks one still reaches the domain often enough.
    RescheduleSession: () => ({ date: '2015-09-30', start: '15:00', end: '16:00' }),
    // Each a new capacity (above any seats held) and instant, so that either alone still changes something.
    ChangeConferenceSettings: () => {
      unique += 1;
      return {
        capacity: 10_000 + unique,
        editableUntil: new Date(Date.UTC(2015, 8, 1) + unique * 1000).toISOString(),
      };
    },
    RequestVisaLetter: () => ({
      passportName: 'KEBEDE ALEMU',
      passportNumber: 'EP1234567',
      nationality: 'ET',
      dateOfBirth: '1971-03-14',
      passportExpiresOn: '2019-01-31',
      placeOfIssue: 'Addis Ababa',
    }),
    DeclineVisaLetter: () => ({ reason: 'The passport scan is unreadable' }),
    GrantAward: () => ({
      award: 'UNESCO Learning City Award',
      year: 2015,
      city: `Espoo ${next()}`,
      country: 'FI',
    }),
    // desk-registration: a correction that changes something whichever one field the fuzz drops; the
    // shared registration's code.
    ChangeRegistrationDetails: () => ({
      city: `Cork ${next()}`,
      organization: `Cork City Council ${next()}`,
      givenName: `Aoife ${next()}`,
    }),
    CheckInByCode: () => ({ code: checkInCode }),
    // CONTRACT 5.1: a token mailed for a conference with emailConfirmation (it registers once: then 404);
    // a manage link for an address of nobody's (the same 202 as for an owner's).
    ConfirmRegistration: () => ({ token: confirmationToken }),
    RequestManageLink: () => ({ email: `nobody.${next()}@example.org` }),
    // CONTRACT 5.2: two fields, so that a fuzzed body that breaks one still often puts a valid form.
    PutRegistrationForm: () => ({
      fields: [
        {
          fieldId: 'visit',
          type: 'single-choice',
          label: `Field visit ${next()}`,
          options: [
            { optionId: 'xochimilco', label: 'Xochimilco learning community' },
            { optionId: 'centro', label: 'Centro Histórico' },
          ],
        },
        { fieldId: 'guests', type: 'number', label: 'Accompanying persons', min: 0, max: 3 },
      ],
    }),
    // CONTRACT 5.5: a document of the whole conference.
    StartDocument: () => ({ kind: 'registrations-csv' }),
    // CONTRACT 5.3. A decision on a pending registration of a moderated conference (the fuzz's own: an
    // approval, then 200 with a 409 problem for it once decided; the matrix, on the shared conference,
    // gets 200 with a 404 problem for it).
    DecideRegistrations: () => ({
      decisions: [{ registrationId: pendingRegistrationId, decision: 'approve' }],
    }),
    // Each a new address (a second live invitation of one is 409), of the registrations' category.
    SendInvitation: () => ({
      email: `invitee.${next()}@example.org`,
      category: delegateFixture.category,
      givenName: 'Nomvula',
    }),
    DeclineInvitation: () => ({ invitationCode: declineCode }),
    CreateDelegation: () => ({
      name: `Delegation of Espoo ${next()}`,
      country: 'FI',
      quota: 100,
      focalPoint: { email: `focal.${next()}@example.org`, givenName: 'Aino', familyName: 'Virtanen' },
    }),
    // A member of the shared delegation (invited into it, registered with the code).
    NameHeadOfDelegation: () => ({ registrationId: ids.memberId }),
    // Two fields, so that a fuzzed body that drops or breaks one still changes something.
    ChangeDelegationCredentials: () => ({ status: 'received', quota: 100 }),
    // The fuzz's own member (then 409: no longer one), and a new address each time.
    SubstituteDelegationMember: () => ({
      registrationId: ids.substitutedId,
      invitation: { email: `substitute.${next()}@example.org`, category: delegateFixture.category },
    }),
  };

  const created = await call(
    named('CreateConference'),
    {},
    { body: bodies.CreateConference?.(), headers: organizer() },
  );
  ids.conferenceId = String(created.json.conferenceId);
  const registered = await call(
    named('RegisterDelegate'),
    { conferenceId: ids.conferenceId },
    { body: bodies.RegisterDelegate?.() },
  );
  ids.registrationId = String(registered.json.registrationId);
  manageToken = String(registered.json.manageToken);
  checkInCode = await checkInCodeOf(ids.registrationId);
  const other = await call(
    named('RegisterDelegate'),
    { conferenceId: ids.conferenceId },
    { body: bodies.RegisterDelegate?.() },
  );
  otherManageToken = String(other.json.manageToken);
  for (const use of ['fuzz', 'matrix'] as const) {
    const erasable = await call(
      named('RegisterDelegate'),
      { conferenceId: ids.conferenceId },
      { body: bodies.RegisterDelegate?.() },
    );
    expect(erasable.status).toBe(201);
    ownIds[use].ErasePersonalData = { registrationId: String(erasable.json.registrationId) };
  }
  // A conference that confirms addresses (CONTRACT 5.1), and the token mailed for a request there.
  process.env.PUBLIC_API_URL = 'https://api.example.org/';
  const { emailConfirmation: _v1, ...v12 } = iclc2015;
  const confirming = await call(named('CreateConference'), {}, { body: v12, headers: organizer() });
  const requested = await call(
    named('RegisterDelegate'),
    { conferenceId: String(confirming.json.conferenceId) },
    { body: { ...delegateFixture, email: 'confirming@example.org', consent: true } },
  );
  expect(requested.status).toBe(202);
  const [mail] = await outboxMailsTo(harness.outbox, 'confirming@example.org');
  confirmationToken = /token=([A-Za-z0-9_.-]+)/.exec(mail?.mail.text ?? '')?.[1] ?? '';
  expect(confirmationToken).not.toBe('');
  const pageRequested = await call(
    named('RegisterDelegate'),
    { conferenceId: String(confirming.json.conferenceId) },
    { body: { ...delegateFixture, email: 'confirming.page@example.org', consent: true } },
  );
  expect(pageRequested.status).toBe(202);
  const [pageMail] = await outboxMailsTo(harness.outbox, 'confirming.page@example.org');
  pageToken = /token=([A-Za-z0-9_.-]+)/.exec(pageMail?.mail.text ?? '')?.[1] ?? '';
  expect(pageToken).not.toBe('');
  const session = await call(
    named('ScheduleSession'),
    { conferenceId: ids.conferenceId },
    { body: bodies.ScheduleSession?.(), headers: organizer() },
  );
  ids.sessionId = String(session.json.sessionId);
  expect([created.status, registered.status, other.status, session.status]).toEqual([201, 201, 201, 201]);
  // A document of the shared conference (CONTRACT 5.5), and a page's script by its name (CONTRACT 5.6).
  const document = await call(
    named('StartDocument'),
    { conferenceId: ids.conferenceId },
    { body: bodies.StartDocument?.(), headers: organizer() },
  );
  expect(document.status, document.text).toBe(202);
  ids.documentId = String(document.json.documentId);
  ids.script = 'register.js';

  // Issue 18 (CONTRACT 5.3). A delegation of the shared conference, its focal point's token, and one of
  // another delegation.
  const delegationOf = async () => {
    const made = await call(
      named('CreateDelegation'),
      { conferenceId: ids.conferenceId as string },
      { body: bodies.CreateDelegation?.(), headers: organizer() },
    );
    expect(made.status, made.text).toBe(201);
    return String(made.json.delegationId);
  };
  ids.delegationId = await delegationOf();
  delegationTokenValue = await delegationToken(ids.conferenceId, ids.delegationId);
  otherDelegationToken = await delegationToken(ids.conferenceId, await delegationOf());
  const invite = async (extra: Record<string, unknown> = {}) => {
    const sent = await call(
      named('SendInvitation'),
      { conferenceId: ids.conferenceId as string },
      { body: { ...bodies.SendInvitation?.(), ...extra }, headers: organizer() },
    );
    expect(sent.status, sent.text).toBe(201);
    return String(sent.json.invitationId);
  };
  // Invitations: a shared one, one each to remind, revoke and decline in the fuzz (each does it once).
  ids.invitationId = await invite();
  ownIds.fuzz.RemindInvitation = { invitationId: await invite() };
  ownIds.fuzz.RevokeInvitation = { invitationId: await invite() };
  declineCode = await invitationCodeOf(await invite());
  // Members of the delegation: invited into it and registered with the invitation's code.
  const member = async () => {
    const email = `member.${Date.now()}.${Math.random().toString(36).slice(2)}@example.org`;
    const invitationId = await invite({ email, delegationId: ids.delegationId });
    const registered = await call(
      named('RegisterDelegate'),
      { conferenceId: ids.conferenceId as string },
      {
        body: {
          ...delegateFixture,
          email,
          consent: true,
          invitationCode: await invitationCodeOf(invitationId),
        },
      },
    );
    expect(registered.status, registered.text).toBe(201);
    return String(registered.json.registrationId);
  };
  ids.memberId = await member();
  ids.substitutedId = await member();
  // A moderated conference and a pending registration there, for the decisions' fuzz (the matrix decides
  // on the shared registration, which is not pending: 200 with a 409 problem for it).
  const moderated = await call(
    named('CreateConference'),
    {},
    {
      body: {
        ...bodies.CreateConference?.(),
        registrationPolicy: { [delegateFixture.category]: 'moderated' },
      },
      headers: organizer(),
    },
  );
  expect(moderated.status, moderated.text).toBe(201);
  const pending = await call(
    named('RegisterDelegate'),
    { conferenceId: String(moderated.json.conferenceId) },
    { body: bodies.RegisterDelegate?.() },
  );
  expect(pending.status, pending.text).toBe(201);
  expect(pending.json.status).toBe('pending');
  pendingRegistrationId = String(pending.json.registrationId);
  ownIds.fuzz.DecideRegistrations = { conferenceId: String(moderated.json.conferenceId) };

  // An issued visa letter in the read model, so that the verification fuzz reaches a 200 too: a
  // conference with a signatory, a request, the issue, and the events given to the real projector.
  const signed = await call(
    named('CreateConference'),
    {},
    {
      body: {
        ...bodies.CreateConference?.(),
        visaLetterSignatory: { name: 'Arne Carlsen', title: 'Director' },
      },
      headers: organizer(),
    },
  );
  const holder = await call(
    named('RegisterDelegate'),
    { conferenceId: String(signed.json.conferenceId) },
    { body: bodies.RegisterDelegate?.() },
  );
  const letterIds = {
    conferenceId: String(signed.json.conferenceId),
    registrationId: String(holder.json.registrationId),
  };
  const asked = await call(named('RequestVisaLetter'), letterIds, {
    body: { ...bodies.RequestVisaLetter?.(), passportExpiresOn: '2029-01-31' },
    headers: { 'x-manage-token': String(holder.json.manageToken) },
  });
  const issued = await call(named('IssueVisaLetter'), letterIds, { headers: organizer() });
  expect([signed.status, holder.status, asked.status, issued.status]).toEqual([201, 201, 202, 200]);
  ownIds.fuzz.VerifyVisaLetter = { verificationCode: String(issued.json.verificationCode) };
  const sealed = storeWithCodec(harness.tables.client, harness.tables);
  const projector = await importHandler<(event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>>(
    'functions/consumers/visa-letters-projector.ts',
  );
  const letterEvents = [
    ...(await sealed.load(`registration-${letterIds.registrationId}`)),
    ...(await sealed.load(`visa-letter-${letterIds.registrationId}`)),
  ];
  const projected = await projector(
    {
      Records: letterEvents.map((event, i) =>
        sqsRecord(event, `hostile-${i}`, { queue: 'VisaLettersProjector' }),
      ),
    },
    lambdaContext(),
  );
  expect(projected.batchItemFailures).toEqual([]);

  const now = Math.floor(Date.now() / 1000);
  const groups = { 'cognito:groups': ['organizers'] };
  const { privateKey: strangerKey } = await generateKeyPair('RS256');
  const valid = await sign(groups);
  const [header, payload] = valid.split('.');
  badTokens = [
    ['no Authorization header', undefined],
    ['empty', ''],
    ['scheme only', 'Bearer'],
    ['not a JWT', 'Bearer not-a-token'],
    ['three garbage parts', 'Bearer a.b.c'],
    ['another scheme', `Basic ${Buffer.from('organizer:secret').toString('base64')}`],
    ['two tokens', `Bearer ${valid} ${valid}`],
    ['alg none', `Bearer ${base64url({ alg: 'none', kid: key.kid })}.${payload}.`],
    [
      'signature of another token',
      `Bearer ${header}.${payload}.${(await sign({ ...groups, sub: 'x' })).split('.')[2]}`,
    ],
    [
      'payload tampered',
      `Bearer ${header}.${base64url({ ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()), 'cognito:groups': ['organizers', 'admins'] })}.${valid.split('.')[2]}`,
    ],
    ['expired', `Bearer ${await sign(groups, { expires: now - 60 })}`],
    ['not yet valid', `Bearer ${await sign(groups, { notBefore: now + 3600 })}`],
    ['wrong issuer', `Bearer ${await sign(groups, { issuer: 'https://evil.example/issuer' })}`],
    ['wrong audience', `Bearer ${await sign(groups, { audience: 'someone-else' })}`],
    ['signed by another key, same kid', `Bearer ${await sign(groups, { privateKey: strangerKey })}`],
    [
      'signed by another key, other kid',
      `Bearer ${await sign(groups, { privateKey: strangerKey, kid: 'stranger' })}`,
    ],
  ];
  forbiddenTokens = [
    ['no groups claim', await sign({})],
    ['other groups', await sign({ 'cognito:groups': ['speakers', 'delegates'] })],
    ['empty groups', await sign({ 'cognito:groups': [] })],
    ['group in other case', await sign({ 'cognito:groups': ['Organizers'] })],
    ['group as a string, not a list', await sign({ 'cognito:groups': 'organizers' })],
  ];
});
