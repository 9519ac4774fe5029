import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationStreamId } from '../../domain/registration/decider.js';
import type { EventStore } from '../../functions/shared/event-store/event-store.js';
import { supplyAdapters } from '../../functions/shared/runtime/adapters.js';
import { EXPORTS_PATH, localExportFiles } from '../../local/export-files.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpEvent, lambdaContext } from '../support/api-gateway.js';
import { sqsRecord } from '../support/bus-events.js';
import {
  type Handler,
  type HandlerEnvironment,
  importHandler,
  importRouteHandlers,
  prepareHandlerEnvironment,
} from '../support/handler-environment.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';
import { storeWithCodec } from '../support/personal-data.js';

/** Badges through the real handlers, the registrant list projection and DynamoDB Local, read back by pdf.js and jsQR. */
let environment: HandlerEnvironment;
let handlers: Record<string, Handler>;
let projector: (event: SQSEvent, context: unknown) => Promise<SQSBatchResponse>;
let store: EventStore;
let exportsDir: string;

const call = async (
  route: string,
  method: 'GET' | 'POST',
  pathParameters: Record<string, string>,
  options: { body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {},
) => {
  const event = httpEvent(method, `/${route}`, { ...options, pathParameters });
  if (options.query) event.queryStringParameters = options.query;
  const result = await (handlers[route] as Handler)(event, lambdaContext(route));
  const headers = (result.headers ?? {}) as Record<string, string>;
  const isPdf = headers['content-type'] === 'application/pdf';
  return {
    status: result.statusCode,
    headers,
    isBase64Encoded: result.isBase64Encoded,
    pdf: isPdf ? Buffer.from(String(result.body), 'base64') : undefined,
    body: !isPdf && typeof result.body === 'string' && result.body ? JSON.parse(result.body) : undefined,
  };
};
const organizer = () => ({ authorization: `Bearer ${environment.organizerToken}` });

const people = [
  {
    key: 'ana',
    givenName: 'Ana',
    familyName: 'Pérez Núñez',
    country: 'MX',
    organization: 'Secretaría de Educación Pública',
    category: 'education-executive',
  },
  {
    key: 'giorgos',
    givenName: 'Γιώργος',
    familyName: 'Παπαδόπουλος',
    country: 'GR',
    organization: 'Δήμος Αθηναίων',
    category: 'mayor',
  },
  { key: 'olga', givenName: 'Ольга', familyName: 'Смирнова', country: 'RU', category: 'academic' },
  { key: 'jurgen', givenName: 'Jürgen', familyName: 'Müller', country: 'DE', category: 'media' },
] as const;
const registered: Record<string, { registrationId: string; manageToken: string; status: string }> = {};
let conferenceId: string;

beforeAll(async () => {
  environment = await prepareHandlerEnvironment('badges', { logLevel: 'SILENT' });
  handlers = await importRouteHandlers();
  projector = await importHandler<typeof projector>('functions/consumers/registrant-list-projector.ts');
  store = storeWithCodec(environment.tables.client, environment.tables);
  exportsDir = await mkdtemp(join(tmpdir(), 'badges-exports-'));
  supplyAdapters({ exportFiles: localExportFiles(exportsDir) });
  const created = await call(
    'CreateConference',
    'POST',
    {},
    { body: { ...iclc2015, capacity: 3 }, headers: organizer() },
  );
  conferenceId = created.body.conferenceId;
  for (const { key, ...person } of people) {
    const answer = await call(
      'RegisterDelegate',
      'POST',
      { conferenceId },
      {
        body: { ...person, email: `${key}@example.org`, city: 'Ciudad', consent: true },
      },
    );
    registered[key] = answer.body;
  }
  // The registrant list is a projection: its consumer gets every event, as the bus would deliver them.
  const events = (
    await Promise.all(
      Object.values(registered).map((r) => store.load(registrationStreamId(r.registrationId))),
    )
  ).flat();
  const answer = await projector(
    {
      Records: events.map((event, i) =>
        sqsRecord(event, `m${i}`, { queue: 'RegistrantListProjector', busEventId: `b${i}` }),
      ),
    },
    lambdaContext(),
  );
  expect(answer.batchItemFailures).toEqual([]);
}, 90_000);

afterAll(async () => {
  await environment?.dispose();
});

describe('GET /conferences/{conferenceId}/badges.pdf', () => {
  it('prints one badge per seat holder, with every field in Latin, Greek and Cyrillic, and a QR code that checks them in', async () => {
    expect(registered.jurgen?.status).toBe('waitlisted');
    const answer = await call('GetBadges', 'GET', { conferenceId }, { headers: organizer() });
    expect(answer).toMatchObject({ status: 200, isBase64Encoded: true });
    expect(answer.headers['content-type']).toBe('application/pdf');
    const pdf = answer.pdf as Buffer;
    const pages = await pdfPagesText(pdf);
    expect(pages).toHaveLength(3);
    expect(pages.join(' ')).not.toContain('Jürgen');
    const expected = [
      ['Ana', 'Pérez Núñez', 'Secretaría de Educación Pública', 'Mexico', 'EDUCATION EXECUTIVE'],
      ['Γιώργος', 'Παπαδόπουλος', 'Δήμος Αθηναίων', 'Greece', 'MAYOR'],
      ['Ольга', 'Смирнова', 'Russian Federation', 'ACADEMIC'],
    ];
    expected.forEach((fields, index) => {
      for (const field of fields) expect(pages[index]).toContain(field);
    });
    for (const [index, key] of ['ana', 'giorgos', 'olga'].entries()) {
      const code = await decodeQrOnPage(pdf, index + 1);
      expect(code).toMatch(new RegExp(`^${registered[key]?.registrationId}\\.[\\w-]{22}$`));
      expect(pages[index]).toContain(String(code));
      const checkIn = await call(
        'CheckInByCode',
        'POST',
        { conferenceId },
        { body: { code }, headers: organizer() },
      );
      expect(checkIn).toMatchObject({
        status: 200,
        body: { registrationId: registered[key]?.registrationId },
      });
    }
  });

  it('takes the list’s filters, and refuses bad ones or a status that holds no seat (400)', async () => {
    const greek = await call(
      'GetBadges',
      'GET',
      { conferenceId },
      { headers: organizer(), query: { country: 'GR' } },
    );
    expect(await pdfPagesText(greek.pdf as Buffer)).toHaveLength(1);
    const byFamily = await call(
      'GetBadges',
      'GET',
      { conferenceId },
      { headers: organizer(), query: { sort: 'familyName' } },
    );
    const familyOrder = (await pdfPagesText(byFamily.pdf as Buffer)).map((text) =>
      ['Pérez', 'Παπαδόπουλος', 'Смирнова'].find((name) => text.includes(name)),
    );
    expect(familyOrder).toHaveLength(3);
    const badQueries: Record<string, string>[] = [
      { status: 'waitlisted' },
      { status: 'nonsense' },
      { country: 'Greece' },
      { limit: '5' },
    ];
    for (const query of badQueries) {
      const refused = await call('GetBadges', 'GET', { conferenceId }, { headers: organizer(), query });
      expect(refused.status, JSON.stringify(query)).toBe(400);
      expect(refused.body.errors[0].path).toBe(Object.keys(query)[0]);
    }
  });

  it('answers a PDF over the inline limit 303 with a link to it (the limit lowered here from 5 MB)', async () => {
    process.env.EXPORT_INLINE_LIMIT_BYTES = '20000';
    try {
      const answer = await call('GetBadges', 'GET', { conferenceId }, { headers: organizer() });
      expect(answer.status).toBe(303);
      const location = new URL(answer.headers.location ?? '');
      expect(location.pathname.startsWith(EXPORTS_PATH)).toBe(true);
      const file = await readFile(
        join(exportsDir, ...location.pathname.slice(EXPORTS_PATH.length).split('/')),
      );
      expect(await pdfPagesText(file)).toHaveLength(3);
    } finally {
      delete process.env.EXPORT_INLINE_LIMIT_BYTES;
    }
  });

  it('is for organizers only, and 404 for an unknown conference', async () => {
    expect((await call('GetBadges', 'GET', { conferenceId })).status).toBe(401);
    expect(
      (
        await call(
          'GetBadges',
          'GET',
          { conferenceId },
          { headers: { authorization: `Bearer ${environment.memberToken}` } },
        )
      ).status,
    ).toBe(403);
    expect(
      (await call('GetBadges', 'GET', { conferenceId: 'no-such-conference' }, { headers: organizer() }))
        .status,
    ).toBe(404);
  });
});

describe('GET .../registrations/{registrationId}/badge.pdf', () => {
  const badge = (key: string, headers: Record<string, string>) =>
    call(
      'GetRegistrationBadge',
      'GET',
      { conferenceId, registrationId: String(registered[key]?.registrationId) },
      { headers },
    );

  it('gives the delegate their badge with their QR code; another delegate’s token is 403', async () => {
    const answer = await badge('olga', { 'x-manage-token': String(registered.olga?.manageToken) });
    expect(answer.status).toBe(200);
    const pages = await pdfPagesText(answer.pdf as Buffer);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('Смирнова');
    expect(await decodeQrOnPage(answer.pdf as Buffer, 1)).toMatch(
      new RegExp(`^${registered.olga?.registrationId}\\.`),
    );
    expect((await badge('olga', { 'x-manage-token': String(registered.ana?.manageToken) })).status).toBe(403);
  });

  it('is 409 for a delegate without a seat, 410 once erased', async () => {
    const waiting = await badge('jurgen', organizer());
    expect(waiting.status).toBe(409);
    expect(waiting.body.detail).toMatch(/holds no seat \(status: waitlisted\)/);
    const path = { conferenceId, registrationId: String(registered.jurgen?.registrationId) };
    expect((await call('ErasePersonalData', 'POST', path, { headers: organizer() })).status).toBe(200);
    expect((await badge('jurgen', organizer())).status).toBe(410);
  });
});
