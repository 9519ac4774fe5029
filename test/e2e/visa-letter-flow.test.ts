import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../local/aws-config.js';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { type RunningServer, startServer } from '../support/local-server.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';
import { longDate } from '../support/visa-letter-fields.js';

/**
 * CONTRACT 4.4 over HTTP on `npm start`: a delegate requests a visa letter, an organizer issues it, the PDF
 * is read back by pdf.js and its QR code decoded by jsQR; every bad input is a problem+json naming the
 * rule, and appends nothing to the letter's stream.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let dynamo: DynamoDBClient;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };

interface Registered {
  registrationId: string;
  manageToken: string;
  status: string;
}
let conferenceId: string;
let unsignedConferenceId: string;
const delegates: Record<'kebede' | 'lina' | 'waiting' | 'cancelled' | 'erased' | 'unsigned', Registered> =
  {} as never;

const passport = {
  passportName: 'KEBEDE ALEMU Tsehay',
  passportNumber: 'EP1234567',
  nationality: 'ET',
  dateOfBirth: '1971-03-14',
  passportExpiresOn: '2019-01-31',
  placeOfIssue: 'Addis Ababa',
};

const register = async (conference: string, n: number, country = 'ET'): Promise<Registered> => {
  const answer = await call('POST', `/conferences/${conference}/registrations`, {
    givenName: `Visa${n}`,
    familyName: 'Delegate',
    email: `visa.delegate.${n}@example.org`,
    country,
    city: 'Addis Ababa',
    category: 'education-executive',
    consent: true,
  });
  expect(answer.status).toBe(201);
  return answer.body;
};

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  dynamo = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${server.dynamoDbPort}`));
  conferenceId = (
    await call(
      'POST',
      '/conferences',
      { ...iclc2015, capacity: 3, visaLetterSignatory: signatory },
      organizer(),
    )
  ).body.conferenceId;
  unsignedConferenceId = (await call('POST', '/conferences', { ...iclc2015, capacity: 5 }, organizer())).body
    .conferenceId;
  // Three seats: the fourth and fifth wait; cancelling a waiting one frees no seat for the fifth.
  delegates.kebede = await register(conferenceId, 1);
  delegates.lina = await register(conferenceId, 2, 'JO');
  delegates.erased = await register(conferenceId, 4);
  delegates.cancelled = await register(conferenceId, 3);
  delegates.waiting = await register(conferenceId, 5);
  delegates.unsigned = await register(unsignedConferenceId, 6);
  expect(delegates.cancelled.status).toBe('waitlisted');
  expect(delegates.waiting.status).toBe('waitlisted');
  const cancel = `/conferences/${conferenceId}/registrations/${delegates.cancelled.registrationId}/cancel`;
  expect((await call('POST', cancel, undefined, organizer())).status).toBe(200);
}, 120_000);

afterAll(async () => {
  dynamo?.destroy();
  await server?.stop();
}, 60_000);

const letterPath = (registrationId: string, action = '', conference = conferenceId) =>
  `/conferences/${conference}/registrations/${registrationId}/visa-letter${action}`;
const asDelegate = (who: Registered) => ({ 'x-manage-token': who.manageToken });

/** The events of a registration's visa letter stream, as stored. */
const storedLetterEvents = async (registrationId: string): Promise<number> =>
  (
    await dynamo.send(
      new QueryCommand({
        TableName: 'Events',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `visa-letter-${registrationId}` }),
      }),
    )
  ).Count ?? 0;

const getPdf = async (registrationId: string, headers: Record<string, string>) => {
  const response = await fetch(`${server.apiUrl}${letterPath(registrationId, '.pdf')}`, { headers });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: await response.arrayBuffer(),
  };
};

/** A refused call: its status, a problem+json body, and no new event in the letter's stream. */
const refused = async (
  registrationId: string,
  send: () => Promise<{ status: number; headers: Headers; body: unknown }>,
) => {
  const before = await storedLetterEvents(registrationId);
  const answer = await send();
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await storedLetterEvents(registrationId)).toBe(before);
  return answer as { status: number; body: { status: number; detail: string; errors?: unknown[] } };
};

describe('npm start: a visa letter from request to PDF', () => {
  let verificationCode: string;

  it('is requested by the delegate (202), replayed under the same Idempotency-Key, and issued by an organizer', async () => {
    const { registrationId } = delegates.kebede;
    const headers = { ...asDelegate(delegates.kebede), 'idempotency-key': 'visa-request-1' };
    const requested = await call('POST', letterPath(registrationId), passport, headers);
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ registrationId, status: 'requested' });
    const again = await call('POST', letterPath(registrationId), passport, headers);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(requested.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await storedLetterEvents(registrationId)).toBe(1);

    const issueHeaders = { ...organizer(), 'idempotency-key': 'visa-issue-1' };
    const issued = await call('POST', letterPath(registrationId, '/issue'), undefined, issueHeaders);
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ registrationId, status: 'issued', verificationCode: expect.any(String) });
    verificationCode = issued.body.verificationCode;
    // base64url of 16 random bytes or more
    expect(verificationCode).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    const replayed = await call('POST', letterPath(registrationId, '/issue'), undefined, issueHeaders);
    expect(replayed.body).toEqual(issued.body);
    expect(await storedLetterEvents(registrationId)).toBe(2);
  });

  it('gives the delegate and the organizer the PDF: every field, the passport data exactly as requested', async () => {
    const { registrationId } = delegates.kebede;
    for (const headers of [asDelegate(delegates.kebede), organizer()]) {
      const pdf = await getPdf(registrationId, headers);
      expect(pdf.status).toBe(200);
      expect(pdf.type).toBe('application/pdf');
      const pages = await pdfPagesText(new Uint8Array(pdf.bytes));
      expect(pages.length).toBeGreaterThanOrEqual(1);
      expect(pages.length).toBeLessThanOrEqual(2);
      const text = pages.join(' ');
      for (const field of [
        iclc2015.name,
        iclc2015.venue,
        iclc2015.city,
        longDate(iclc2015.startDate),
        longDate(iclc2015.endDate),
        `Name as in passport: ${passport.passportName}`,
        `Passport number: ${passport.passportNumber}`,
        'Nationality: Ethiopia (ET)',
        `Date of birth: ${longDate(passport.dateOfBirth)}`,
        `Place of issue: ${passport.placeOfIssue}`,
        'as a registered delegate',
        signatory.name,
        signatory.title,
        verificationCode,
        `${server.apiUrl}/visa-letters/${verificationCode}`,
      ])
        expect(text).toContain(field);
    }
  });

  it('prints a QR code that decodes to the verification URL of the code', async () => {
    const pdf = await getPdf(delegates.kebede.registrationId, asDelegate(delegates.kebede));
    expect(await decodeQrOnPage(new Uint8Array(pdf.bytes), 1)).toBe(
      `${server.apiUrl}/visa-letters/${verificationCode}`,
    );
  });

  it('prints the letter in the conference’s default language (CONTRACT 5.4), the passport name as given', async () => {
    const settings = `/conferences/${conferenceId}/settings`;
    const spanish = await call(
      'POST',
      settings,
      { languages: ['en', 'es'], defaultLanguage: 'es' },
      organizer(),
    );
    expect(spanish.status, spanish.text).toBe(200);
    try {
      const pdf = await getPdf(delegates.kebede.registrationId, asDelegate(delegates.kebede));
      const text = (await pdfPagesText(new Uint8Array(pdf.bytes))).join(' ');
      for (const field of [
        'Carta de invitación',
        `Nombre según el pasaporte: ${passport.passportName}`,
        'Nacionalidad: Etiopía (ET)',
        '28 de septiembre de 2015',
      ])
        expect(text).toContain(field);
      expect(text).not.toContain('Letter of invitation');
    } finally {
      const english = await call('POST', settings, { languages: ['en'], defaultLanguage: 'en' }, organizer());
      expect(english.status, english.text).toBe(200);
    }
  });
});

describe('npm start: bad visa letter input', () => {
  const bad = (overrides: Record<string, unknown>) => ({ ...passport, ...overrides });
  const request = (who: Registered, body: unknown, conference = conferenceId) =>
    refused(who.registrationId, () =>
      call('POST', letterPath(who.registrationId, '', conference), body, asDelegate(who)),
    );

  it('400: a passport expiring before the conference ends, naming the rule and the field', async () => {
    const answer = await request(delegates.lina, bad({ passportExpiresOn: '2015-09-29' }));
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      {
        path: 'passportExpiresOn',
        message: "the passport must be valid through the conference's last day, 2015-09-30",
      },
    ]);
  });

  it('400: a date of birth in the future or more than 120 years back', async () => {
    const future = await request(delegates.lina, bad({ dateOfBirth: '2999-01-01' }));
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ path: 'dateOfBirth', message: 'must be in the past' }]);
    const ancient = await request(delegates.lina, bad({ dateOfBirth: '1850-01-01' }));
    expect(ancient.status).toBe(400);
    expect(ancient.body.errors).toEqual([
      { path: 'dateOfBirth', message: 'must be less than 120 years ago' },
    ]);
  });

  it('400: a nationality that is not ISO 3166-1 alpha-2, and other invalid fields', async () => {
    for (const nationality of ['XX', 'et', 'ETH']) {
      const answer = await request(delegates.lina, bad({ nationality }));
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ path: 'nationality', message: expect.any(String) }]);
    }
    const missing = await request(delegates.lina, { ...passport, passportNumber: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'passportNumber', message: expect.any(String) }]);
  });

  it('409: a request by a waitlisted or a cancelled delegate', async () => {
    for (const who of [delegates.waiting, delegates.cancelled]) {
      const answer = await request(who, passport);
      expect(answer.status).toBe(409);
      expect(answer.body.detail).toBe(
        'Only a delegate holding a seat can be invited: this registration holds none',
      );
    }
  });

  it('409: a request, an issue or a decline once the letter was issued', async () => {
    const { registrationId } = delegates.kebede;
    const again = await request(delegates.kebede, passport);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/^The visa letter was already issued on /);
    const twice = await refused(registrationId, () =>
      call('POST', letterPath(registrationId, '/issue'), undefined, organizer()),
    );
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/^The visa letter was already issued on /);
    const decline = await refused(registrationId, () =>
      call('POST', letterPath(registrationId, '/decline'), { reason: 'Too late' }, organizer()),
    );
    expect(decline.status).toBe(409);
  });

  it('409: issuing or declining with nothing requested, and issuing without a signatory', async () => {
    const { registrationId } = delegates.lina;
    const nothing = await refused(registrationId, () =>
      call('POST', letterPath(registrationId, '/issue'), undefined, organizer()),
    );
    expect(nothing.status).toBe(409);
    expect(nothing.body.detail).toBe('No visa letter was requested: nothing to issue');
    const noPdf = await getPdf(registrationId, asDelegate(delegates.lina));
    expect(noPdf.status).toBe(409);

    const unsigned = delegates.unsigned;
    const requested = await call(
      'POST',
      letterPath(unsigned.registrationId, '', unsignedConferenceId),
      passport,
      asDelegate(unsigned),
    );
    expect(requested.status).toBe(202);
    const issue = await refused(unsigned.registrationId, () =>
      call(
        'POST',
        letterPath(unsigned.registrationId, '/issue', unsignedConferenceId),
        undefined,
        organizer(),
      ),
    );
    expect(issue.status).toBe(409);
    expect(issue.body.detail).toBe(
      'The conference has no visaLetterSignatory: set one in its settings first',
    );
  });

  it('400: declining without a reason; a declined letter has no PDF, and a new request replaces it', async () => {
    const who = delegates.lina;
    expect((await call('POST', letterPath(who.registrationId), passport, asDelegate(who))).status).toBe(202);
    for (const body of [{}, { reason: '   ' }]) {
      const answer = await refused(who.registrationId, () =>
        call('POST', letterPath(who.registrationId, '/decline'), body, organizer()),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ path: 'reason', message: expect.any(String) }]);
    }
    const declined = await call(
      'POST',
      letterPath(who.registrationId, '/decline'),
      { reason: 'The passport scan is unreadable' },
      organizer(),
    );
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual({ registrationId: who.registrationId, status: 'declined' });
    const pdf = await getPdf(who.registrationId, asDelegate(who));
    expect(pdf.status).toBe(409);
    const issue = await refused(who.registrationId, () =>
      call('POST', letterPath(who.registrationId, '/issue'), undefined, organizer()),
    );
    expect(issue.status).toBe(409);
    expect(issue.body.detail).toMatch(/^The visa letter request was declined on /);
    expect((await call('POST', letterPath(who.registrationId), passport, asDelegate(who))).status).toBe(202);
    expect(
      (await call('POST', letterPath(who.registrationId, '/issue'), undefined, organizer())).status,
    ).toBe(200);
  });

  it('401/403: no manage token, or another delegate’s; organizer routes want an organizer', async () => {
    const { registrationId } = delegates.lina;
    expect(
      (await refused(registrationId, () => call('POST', letterPath(registrationId), passport))).status,
    ).toBe(401);
    const foreign = await refused(registrationId, () =>
      call('POST', letterPath(registrationId), passport, asDelegate(delegates.kebede)),
    );
    expect(foreign.status).toBe(403);
    // The caller is checked before the body: another delegate learns nothing of the rules either.
    const foreignBadBody = await refused(registrationId, () =>
      call('POST', letterPath(registrationId), { nationality: 'XX' }, asDelegate(delegates.kebede)),
    );
    expect(foreignBadBody.status).toBe(403);
    expect((await getPdf(registrationId, asDelegate(delegates.kebede))).status).toBe(403);
    const byDelegate = await refused(registrationId, () =>
      call('POST', letterPath(registrationId, '/issue'), undefined, asDelegate(delegates.lina)),
    );
    expect(byDelegate.status).toBe(401);
  });

  it('410: once the registration is erased, its letter is neither requested nor printed', async () => {
    const who = delegates.erased;
    expect((await call('POST', letterPath(who.registrationId), passport, asDelegate(who))).status).toBe(202);
    expect(
      (await call('POST', letterPath(who.registrationId, '/issue'), undefined, organizer())).status,
    ).toBe(200);
    const erase = `/conferences/${conferenceId}/registrations/${who.registrationId}/erase`;
    expect((await call('POST', erase, undefined, asDelegate(who))).status).toBe(200);
    expect((await getPdf(who.registrationId, organizer())).status).toBe(410);
    for (const [action, body] of [
      ['', passport],
      ['/issue', undefined],
      ['/decline', { reason: 'Erased' }],
    ] as const) {
      const answer = await refused(who.registrationId, () =>
        call('POST', letterPath(who.registrationId, action), body, organizer()),
      );
      expect(answer.status).toBe(410);
    }
  });
});
